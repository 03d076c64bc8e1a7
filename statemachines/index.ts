/**
 * Workflow → Amazon States Language (JSONPath). Pure: no aws-cdk-lib, no IO. One definition, two executors:
 * `lib/` deploys it with `DefinitionBody.fromString` + substitutions of {@link PLACEHOLDERS}; the local engine
 * (`core/engine`) runs the very same JSON with the tasks bound in-process.
 *
 * Shape: the DAG's dependency layers (see `workflow-graph.ts`) in sequence; a layer of one job is that job's
 * states, a layer of several is a Parallel with one branch per job. Each job (see `job-chain.ts`) is
 * Plan → Distributed Map of Move over the chunk list in staging → Commit, with Cleanup → Fail on error.
 *
 * @example
 * const asl = workflowDefinition(workflow);
 * new sfn.StateMachine(this, 'Wf', { definitionBody: sfn.DefinitionBody.fromString(JSON.stringify(asl)),
 *   definitionSubstitutions: { PlanFunctionArn: plan.functionArn, ..., StagingBucket: bucket.bucketName } });
 */
import { InvalidInputError } from '../core/errors';
import type { WorkflowManifest } from '../core/manifest/types';
import type { AslDefinition, AslState } from './asl';
import { type DefinitionOptions, jobStates } from './job-chain';
import { dagLayers } from './workflow-graph';

export type { AslBranch, AslDefinition, AslState, Catcher, Json, Retrier } from './asl';
export { type DefinitionOptions, jobStateNames, maxConcurrencyOf } from './job-chain';
export { PLACEHOLDERS, type PlaceholderName, substitute, TASK_OF_PLACEHOLDER } from './placeholders';
export { COMMIT_CONFLICT_ERRORS, LAMBDA_SERVICE_ERRORS, TRANSIENT_ERRORS } from './retry-policy';
export { dagLayers } from './workflow-graph';

/** Name of the Parallel state of a layer with several jobs. */
export function layerStateName(index: number, jobs: string[]): string {
  const name = `layer ${index + 1}: ${jobs.join(', ')}`;
  return name.length <= 80 ? name : `${name.slice(0, 77)}...`;
}

/** The state machine definition of a workflow (a plain JSON object). */
export function workflowDefinition(workflow: WorkflowManifest, opts: DefinitionOptions = {}): AslDefinition {
  const layers = dagLayers(workflow);
  if (layers.length === 0) throw new InvalidInputError(`workflow ${workflow.name}: the dag has no jobs`);
  const entry = (i: number): string | undefined => {
    const layer = layers[i];
    if (!layer) return undefined;
    return layer.length === 1 && layer[0]
      ? layer[0].name
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
  return {
    Comment: `icefloe workflow ${workflow.workspace ?? 'public'}/${workflow.name}${workflow.workflow.title ? `: ${workflow.workflow.title}` : ''}`,
    StartAt: entry(0) as string,
    States: states,
  };
}
