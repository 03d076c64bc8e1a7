/**
 * Topological layering of a workflow DAG: layer 0 holds the jobs without dependencies, layer n the jobs whose
 * deepest dependency sits in layer n-1. Every layer runs as one Parallel state, so independent jobs overlap and
 * every dependency has finished before its dependants start.
 *
 * Why layers and not one state per edge: ASL has no join of arbitrary branches. A layered chain is exact for
 * dependencies; its cost is that a job waits for its whole previous layer, not only for its own dependencies.
 * That cost is limited to connected parts of the DAG: unconnected parts (`dagComponents`) run side by side.
 */
import { InvalidInputError } from '../core/errors';
import type { DagNode, WorkflowManifest } from '../core/manifest/types';

/** The DAG's jobs grouped in dependency layers, in manifest order within a layer. */
export function dagLayers(workflow: WorkflowManifest): DagNode[][] {
  const nodes = workflow.workflow.dag;
  const byName = new Map<string, DagNode>();
  for (const n of nodes) {
    if (byName.has(n.name))
      throw new InvalidInputError(`workflow ${workflow.name}: duplicate dag node name '${n.name}'`);
    byName.set(n.name, n);
  }
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const depthOf = (n: DagNode): number => {
    const known = depth.get(n.name);
    if (known !== undefined) return known;
    if (visiting.has(n.name))
      throw new InvalidInputError(`workflow ${workflow.name}: dependency cycle through '${n.name}'`);
    visiting.add(n.name);
    let d = 0;
    for (const dep of n.dependencies) {
      const parent = byName.get(dep);
      if (!parent)
        throw new InvalidInputError(`workflow ${workflow.name}: job '${n.name}' depends on unknown job '${dep}'`);
      d = Math.max(d, depthOf(parent) + 1);
    }
    visiting.delete(n.name);
    depth.set(n.name, d);
    return d;
  };
  const layers: DagNode[][] = [];
  for (const n of nodes) {
    const d = depthOf(n);
    while (layers.length <= d) layers.push([]);
    layers[d]?.push(n);
  }
  return layers;
}

/** The weakly connected parts of the DAG (job names), in manifest order of their first job. */
export function dagComponents(workflow: WorkflowManifest): Set<string>[] {
  const parent = new Map(workflow.workflow.dag.map((n) => [n.name, n.name]));
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r) as string;
    parent.set(x, r);
    return r;
  };
  for (const n of workflow.workflow.dag)
    for (const d of n.dependencies) if (parent.has(d)) parent.set(find(n.name), find(d));
  const parts = new Map<string, Set<string>>();
  for (const n of workflow.workflow.dag) {
    const root = find(n.name);
    const part = parts.get(root) ?? new Set<string>();
    part.add(n.name);
    parts.set(root, part);
  }
  return [...parts.values()];
}
