/**
 * Workflow → Amazon States Language (JSONPath). Pure: no aws-cdk-lib, no IO. One definition, two executors:
 * `lib/` deploys it with `DefinitionBody.fromString` + substitutions of {@link PLACEHOLDERS}; the local engine
 * (`core/engine`) runs the very same JSON with the tasks bound in-process.
 *
 * Shape: unconnected parts of the DAG are branches of one Parallel; within a part, its dependency layers (see
 * `workflow-graph.ts`) run in sequence, a layer of one job being that job's states and a layer of several a
 * Parallel with one branch per job. Each job (see `job-chain.ts`) is Plan → Distributed Map of Move over the
 * chunk list in staging → Commit, with Cleanup → Fail on error; the job's manifest `retry` re-runs all three.
 *
 * @example
 * const asl = workflowDefinition(workflow);
 * new sfn.StateMachine(this, 'Wf', { definitionBody: sfn.DefinitionBody.fromString(JSON.stringify(asl)),
 *   definitionSubstitutions: { PlanFunctionArn: plan.functionArn, ..., StagingBucket: bucket.bucketName } });
 */
import { InvalidInputError } from '../core/errors';
import type { DagNode, WorkflowManifest } from '../core/manifest/types';
import type { AslBranch, AslDefinition, AslState } from './asl';
import { type DefinitionOptions, jobStates } from './job-chain';
import { dagComponents, dagLayers } from './workflow-graph';

export type { AslBranch, AslDefinition, AslState, Catcher, Json, Retrier } from './asl';
export { type DefinitionOptions, jobStateNames, maxConcurrencyOf } from './job-chain';
export { PLACEHOLDERS, type PlaceholderName, substitute, TASK_OF_PLACEHOLDER } from './placeholders';
export { COMMIT_CONFLICT_ERRORS, LAMBDA_SERVICE_ERRORS, TRANSIENT_ERRORS } from './retry-policy';
export { dagComponents, dagLayers } from './workflow-graph';

/** A state name of at most 80 characters (the Step Functions limit). */
function stateName(name: string): string {
  return name.length <= 80 ? name : `${name.slice(0, 77)}...`;
}

/** Name of the Parallel state of a layer with several jobs. */
export function layerStateName(index: number, jobs: string[]): string {
  return stateName(`layer ${index + 1}: ${jobs.join(', ')}`);
}

/** One connected part of the DAG as a chain of layers: each layer a job's states, or a Parallel of its jobs. */
function layeredChain(workflow: WorkflowManifest, layers: DagNode[][], opts: DefinitionOptions): AslBranch {
  const entry = (i: number): string | undefined => {
    const layer = layers[i];
    if (!layer) return undefined;
    const only = layer.length === 1 ? layer[0] : undefined;
    return only
      ? only.name
      : layerStateName(
          i,
          layer.map((n) => n.name),
        );
  };
  const states: Record<string, AslState> = {};
  layers.forEach((layer, i) => {
    const next = entry(i + 1);
    const only = layer.length === 1 ? layer[0] : undefined;
    if (only) {
      Object.assign(states, jobStates(workflow, only, next, opts));
      return;
    }
    states[entry(i) as string] = {
      Type: 'Parallel',
      Branches: layer.map((node) => ({ StartAt: node.name, States: jobStates(workflow, node, undefined, opts) })),
      ResultPath: null,
      ...(next ? { Next: next } : { End: true }),
    };
  });
  return { StartAt: entry(0) as string, States: states };
}

/**
 * The state machine definition of a workflow (a plain JSON object). Unconnected parts of the DAG run as
 * branches of one Parallel, so a long job never delays a job of another part.
 */
export function workflowDefinition(workflow: WorkflowManifest, opts: DefinitionOptions = {}): AslDefinition {
  const layers = dagLayers(workflow); // validates: unknown dependencies, cycles
  if (layers.length === 0) throw new InvalidInputError(`workflow ${workflow.name}: the dag has no jobs`);
  const parts = dagComponents(workflow).map((component) => layeredChain(workflow, layersOf(layers, component), opts));
  const comment = `icefloe workflow ${workflow.workspace ?? 'public'}/${workflow.name}${workflow.workflow.title ? `: ${workflow.workflow.title}` : ''}`;
  const only = parts.length === 1 ? parts[0] : undefined;
  if (only) return { Comment: comment, ...only };
  const name = stateName(`parallel: ${workflow.workflow.dag.map((n) => n.name).join(', ')}`);
  return {
    Comment: comment,
    StartAt: name,
    States: { [name]: { Type: 'Parallel', Branches: parts, ResultPath: null, End: true } },
  };
}

/** The layers restricted to one component (empty layers dropped). */
function layersOf(layers: DagNode[][], component: Set<string>): DagNode[][] {
  return layers.map((l) => l.filter((n) => component.has(n.name))).filter((l) => l.length > 0);
}
