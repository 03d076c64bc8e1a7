import { depotEntries, resolveAddress } from './address';
import { rawAt } from './common';
import { checkEndpoints, type Report } from './endpoint-checks';
import { clash, sourceDocOf, visibleFrom } from './scope';
import { closest } from './suggest';
import type { DagNode, Manifest, ManifestSet, Problem, SourcePos, WorkflowManifest } from './types';
import { positionOf, type YamlPath } from './yaml-source';

/**
 * Checks that span manifests: unique names, secrets that exist, DAG names unique, dependencies that exist
 * and form no cycle, addresses that resolve to depots, and sink options that fit the sink's depot type.
 * Names resolve within folder scopes (see `./scope`). `reportOn` filters whose problems are kept.
 */
export function crossChecks(
  set: ManifestSet,
  reportOn: (m: Manifest, path: YamlPath) => boolean = () => true,
): Problem[] {
  const problems: Problem[] = [];
  const report: Report = (m, path, message, opts = {}) => {
    if (!reportOn(m, path)) return;
    const src = sourceDocOf(m);
    problems.push({ ...(src ? positionOf(src, path, opts) : m.source), message });
  };
  checkUniqueNames(set, report);
  checkSecretRefs(set, report);
  checkMetastores(set, report);
  for (const wf of set.workflows) checkWorkflow(visibleFrom(set, wf), wf, report);
  return problems;
}

/** `line N` in the same file, else `file:line`. */
const where = (p: SourcePos, here: SourcePos) => (p.file === here.file ? `line ${p.line}` : `${p.file}:${p.line}`);

function checkUniqueNames(set: ManifestSet, report: Report): void {
  const all = set.manifests;
  all.forEach((m, j) => {
    const prev = all.slice(0, j).find((p) => p.type === m.type && p.name === m.name && clash(p, m));
    if (prev) report(m, ['name'], `duplicate ${m.type} '${m.name}' (also at ${where(prev.source, m.source)})`);
  });
  const entries = depotEntries(set);
  entries.forEach((e, j) => {
    const prev = entries.slice(0, j).find((p) => p.depot.name === e.depot.name && clash(p.owner, e.owner));
    if (!prev || (prev.owner.type === e.owner.type && prev.owner.name === e.owner.name)) return;
    const path = e.owner.type === 'lakehouse' ? ['lakehouse', 'iceberg', 'storage', 'depotName'] : ['name'];
    report(
      e.owner,
      path,
      `depot '${e.depot.name}' is defined twice (also at ${where(prev.owner.source, e.owner.source)})`,
    );
  });
}

function checkSecretRefs(set: ManifestSet, report: Report): void {
  const check = (m: Manifest, refs: { name: string }[], path: YamlPath) => {
    const names = visibleFrom(set, m).secrets.map((s) => s.name);
    refs.forEach((r, i) => {
      if (names.includes(r.name)) return;
      const hint = closest(r.name, names);
      const msg = `unknown instance-secret '${r.name}'${hint ? `; did you mean '${hint}'?` : ''} (declare it with type: instance-secret and an acl)`;
      report(m, [...path, i, 'name'], msg);
    });
  };
  for (const lh of set.lakehouses) {
    const s3 = lh.lakehouse.storage.s3;
    if (!s3) continue;
    // The seed writes the secrets inside `s3:`, the DataOS reference beside it; point at whichever exists.
    const raw = rawAt(sourceDocOf(lh)?.value, ['lakehouse', 'iceberg', 'storage', 's3', 'secrets']);
    check(lh, s3.secrets, ['lakehouse', 'iceberg', 'storage', ...(raw ? ['s3'] : []), 'secrets']);
  }
  for (const d of set.depots) check(d, d.depot.secrets, ['depot', 'secrets']);
  for (const wf of set.workflows) {
    wf.workflow.dag.forEach((n, i) => {
      if (n.spec.dataosSecrets) check(wf, n.spec.dataosSecrets, ['workflow', 'dag', i, 'spec', 'dataosSecrets']);
    });
  }
}

/** A `sql` metastore keeps its tables in a postgresql depot (`dataos://<depot>`) or in embedded PGlite. */
function checkMetastores(set: ManifestSet, report: Report): void {
  for (const lh of set.lakehouses) {
    const ms = lh.lakehouse.metastore;
    const raw = rawAt(sourceDocOf(lh)?.value, ['lakehouse', 'iceberg', 'metastore']);
    const path = ['lakehouse', ...(raw ? ['iceberg'] : []), 'metastore'];
    if (ms.type !== 'sql') {
      if (ms.depot) report(lh, [...path, 'depot'], `lakehouse metastore: 'depot' applies to type sql, not ${ms.type}`);
      continue;
    }
    if (!ms.depot || ms.depot === 'embedded') continue;
    const r = resolveAddress(set, ms.depot, lh);
    if (!r.ok) report(lh, [...path, 'depot'], `lakehouse metastore.depot: ${r.problem.message}`);
    else if (r.depot.depot.type !== 'postgresql') {
      report(
        lh,
        [...path, 'depot'],
        `lakehouse metastore.depot: '${r.depot.name}' is ${r.depot.depot.type}, not postgresql`,
      );
    }
  }
}

function checkWorkflow(set: ManifestSet, wf: WorkflowManifest, report: Report): void {
  const dag = wf.workflow.dag;
  const byName = new Map<string, number>();
  dag.forEach((n, i) => {
    if (byName.has(n.name)) report(wf, ['workflow', 'dag', i, 'name'], `workflow.dag: duplicate job name '${n.name}'`);
    else byName.set(n.name, i);
  });
  dag.forEach((n, i) => {
    n.dependencies.forEach((dep, j) => {
      if (byName.has(dep) && dep !== n.name) return;
      const msg =
        dep === n.name ? `job '${n.name}' depends on itself` : `job '${n.name}' depends on unknown job '${dep}'`;
      const others = [...byName.keys()].filter((k) => k !== n.name);
      const hint = dep === n.name ? undefined : closest(dep, others);
      report(wf, ['workflow', 'dag', i, 'dependencies', j], `${msg}${hint ? `; did you mean '${hint}'?` : ''}`);
    });
    checkEndpoints(set, wf, n, i, report);
  });
  const cycle = findCycle(dag);
  if (cycle) {
    const at = byName.get(cycle[0] as string) ?? 0;
    report(wf, ['workflow', 'dag', at, 'dependencies'], `dependency cycle: ${cycle.join(' → ')}`, { key: true });
  }
}

/** The first dependency cycle, as job names from a job back to itself; undefined when the DAG is acyclic. */
export function findCycle(dag: readonly DagNode[]): string[] | undefined {
  const deps = new Map(dag.map((n) => [n.name, n.dependencies]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    for (const d of deps.get(name) ?? []) {
      if (d === name || !deps.has(d)) continue; // reported separately
      const c = visit(d);
      if (c) return c;
    }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const n of dag) {
    const c = visit(n.name);
    if (c) return c;
  }
  return undefined;
}
