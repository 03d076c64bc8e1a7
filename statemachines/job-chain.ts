/**
 * One DAG node (job) as states: a single-branch Parallel `<job>` wrapping Plan → Distributed Map (Move) → Commit,
 * so the manifest's `retry` re-runs the whole job; its Catch runs Cleanup (abort the sink's staging) and then a
 * Fail state carrying the original error name and cause.
 */
import type { DagNode, WorkflowManifest } from '../core/manifest/types';
import type { AslBranch, AslState, Json } from './asl';
import { PLACEHOLDERS } from './placeholders';
import { commitRetriers, jobRetriers, taskRetriers } from './retry-policy';

/** Options shaping the generated states. */
export interface DefinitionOptions {
  /** Chunks per Move invocation (ItemBatcher MaxItemsPerBatch). @default 1 */
  itemsPerBatch?: number;
  /** Byte cap of one batch's input (below the 256 KiB state payload limit). @default 196608 */
  maxInputBytesPerBatch?: number;
  /** Map concurrency when a job's options set no `extract-parallelism`. @default 16 */
  defaultMaxConcurrency?: number;
  /** Seconds before a task is timed out (Lambda's own limit is 900). @default 900 */
  taskTimeoutSeconds?: number;
  /** Manifests location passed to Plan and Cleanup (omitted when the functions bundle them). */
  manifests?: string;
}

/** State names of one job (unique across the whole definition, as Step Functions requires). */
export function jobStateNames(job: string) {
  return {
    job,
    plan: `${job}/plan`,
    move: `${job}/move`,
    moveChunk: `${job}/move-chunks`,
    commit: `${job}/commit`,
    cleanup: `${job}/cleanup`,
    failed: `${job}/failed`,
    cleanupFailed: `${job}/cleanup-failed`,
  };
}

/** Map concurrency: the job's `extract-parallelism` (source, then sink options), else the default. */
export function maxConcurrencyOf(node: DagNode, opts: DefinitionOptions): number {
  const { source, sink } = node.spec.stackSpec;
  const p = source.options.extractParallelism ?? sink.options.extractParallelism;
  return p !== undefined && p > 0 ? Math.floor(p) : (opts.defaultMaxConcurrency ?? 16);
}

function identity(wf: WorkflowManifest, node: DagNode, opts: DefinitionOptions): { [key: string]: Json } {
  const id: { [key: string]: Json } = {
    workflow: wf.name,
    workspace: wf.workspace ?? 'public',
    job: node.name,
    'runId.$': '$$.Execution.Name',
  };
  if (opts.manifests) id.manifests = opts.manifests;
  return id;
}

function task(resource: string, parameters: { [key: string]: Json }, timeout: number): AslState {
  return { Type: 'Task', Resource: resource, Parameters: parameters, TimeoutSeconds: timeout, Retry: taskRetriers() };
}

/** The Distributed Map over the chunk list written by Plan; results stay in staging (ResultPath null). */
function moveMap(node: DagNode, opts: DefinitionOptions, timeout: number): AslState {
  const names = jobStateNames(node.name);
  return {
    Type: 'Map',
    ItemReader: {
      Resource: 'arn:aws:states:::s3:getObject',
      ReaderConfig: { InputType: 'JSON' },
      Parameters: { Bucket: PLACEHOLDERS.StagingBucket, 'Key.$': '$.plan.chunksKey' },
    },
    ItemBatcher: {
      MaxItemsPerBatch: opts.itemsPerBatch ?? 1,
      MaxInputBytesPerBatch: opts.maxInputBytesPerBatch ?? 196_608,
      BatchInput: { 'plan.$': '$.plan' },
    },
    MaxConcurrency: maxConcurrencyOf(node, opts),
    ToleratedFailurePercentage: 0,
    ItemProcessor: {
      ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
      StartAt: names.moveChunk,
      States: {
        [names.moveChunk]: {
          ...task(PLACEHOLDERS.MoveFunctionArn, { 'Items.$': '$.Items', 'BatchInput.$': '$.BatchInput' }, timeout),
          // Moves record their results in staging for Commit; each child returns only a count, so the map's
          // collected output stays far below the 256 KiB state limit even for thousands of chunks.
          ResultSelector: { 'staged.$': 'States.ArrayLength($)' },
          End: true,
        },
      },
    },
    ResultPath: null,
    Next: names.commit,
  };
}

/** The branch run by the job's Parallel: Plan → Move → Commit. */
function jobBranch(wf: WorkflowManifest, node: DagNode, opts: DefinitionOptions): AslBranch {
  const names = jobStateNames(node.name);
  const timeout = opts.taskTimeoutSeconds ?? 900;
  return {
    StartAt: names.plan,
    States: {
      [names.plan]: {
        ...task(PLACEHOLDERS.PlanFunctionArn, identity(wf, node, opts), timeout),
        ResultPath: '$.plan',
        Next: names.move,
      },
      [names.move]: moveMap(node, opts, timeout),
      [names.commit]: {
        ...task(PLACEHOLDERS.CommitFunctionArn, { 'plan.$': '$.plan' }, timeout),
        Retry: commitRetriers(),
        ResultPath: '$.commit',
        End: true,
      },
    },
  };
}

/**
 * The states of one job. Entry state: `<job>`; it continues to `next` (or ends) on success and ends in
 * `<job>/failed` after cleanup on failure.
 */
export function jobStates(
  wf: WorkflowManifest,
  node: DagNode,
  next: string | undefined,
  opts: DefinitionOptions,
): Record<string, AslState> {
  const names = jobStateNames(node.name);
  const retry = jobRetriers(node.retry);
  const wrapper: AslState = {
    Type: 'Parallel',
    Comment:
      node.title ?? node.description ?? `${node.spec.stackSpec.source.address} -> ${node.spec.stackSpec.sink.address}`,
    Branches: [jobBranch(wf, node, opts)],
    ResultPath: null,
    ...(retry.length > 0 ? { Retry: retry } : {}),
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: names.cleanup }],
    ...(next ? { Next: next } : { End: true }),
  };
  const cleanup: AslState = {
    ...task(PLACEHOLDERS.CleanupFunctionArn, { ...identity(wf, node, opts), 'error.$': '$.error' }, 300),
    ResultPath: '$.cleanup',
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.cleanupError', Next: names.cleanupFailed }],
    Next: names.failed,
  };
  // Cleanup's `cause` names the failed chunks (a Distributed Map's own error does not); if Cleanup itself
  // failed, the original cause is all there is.
  const failed: AslState = { Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.cleanup.cause' };
  const cleanupFailed: AslState = { Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' };
  return {
    [names.job]: wrapper,
    [names.cleanup]: cleanup,
    [names.failed]: failed,
    [names.cleanupFailed]: cleanupFailed,
  };
}
