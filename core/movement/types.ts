/**
 * JSON payload contracts of the plan / move / commit / cleanup tasks. The same objects travel between Step
 * Functions states (Lambda `payloadResponseOnly` invokes) and between the local engine's states, so they stay
 * small (Step Functions caps a state's payload at 256 KiB) and JSON-only: 64-bit ids as strings, no bigint,
 * no Date. Lists of chunks live in the staging area and are read by the Distributed Map's ItemReader.
 */
import type { ChunkPointer, CommitResult, StagedChunk } from '../connectors/types';
import type { Endpoint } from '../manifest/types';

/** Input of the Plan task (the state machine passes literals plus `$$.Execution.Name`). */
export interface PlanInput {
  /** Workflow name (`name` of the workflow manifest). */
  workflow: string;
  /** Workspace of the workflow; `public` when absent. */
  workspace?: string;
  /** The DAG node (job) name. */
  job: string;
  /** The run id: the execution name, unique per run. */
  runId: string;
  /** Where the manifests live when the task process did not bundle them (a folder or `s3://` prefix). */
  manifests?: string;
}

/** Output of the Plan task: everything Move and Commit need, but never the chunks themselves. */
export interface PlanOutput {
  workflow: string;
  job: string;
  /** `<workspace>.<workflow>.<job>`: keys the incremental state (RunContext.jobId). */
  jobId: string;
  runId: string;
  /** Key (relative to the staging root / bucket) of the JSON array of ChunkPointer read by the ItemReader. */
  chunksKey: string;
  chunkCount: number;
  /** Prefix (relative to the staging root) under which moves record their StagedChunk results. */
  stagedPrefix: string;
  /** The source position this run reads up to (Iceberg snapshot id or incremental-key value), as a string. */
  cursor?: string;
  /** The cursor of the previous committed state, when the plan is incremental. */
  previousCursor?: string;
  /** The run id of the committed job state this plan was made from (null: none); commit checks it is unchanged. */
  previousRunId?: string | null;
  incremental: boolean;
  /** The source is where the last commit left it: nothing is moved and Commit leaves the sink untouched. */
  unchanged?: boolean;
  notes: string[];
  /** Resolved endpoints, so Move and Commit need no manifest lookup. */
  source: Endpoint;
  sink: Endpoint;
  /** ISO time the plan was made. */
  plannedAt: string;
}

/** The `BatchInput` the ItemBatcher adds to every batch. */
export interface MoveBatchInput {
  plan: PlanOutput;
}

/** Input of the Move task: one ItemBatcher batch (`Items` + `BatchInput`). */
export interface MoveInput {
  Items: ChunkPointer[];
  BatchInput: MoveBatchInput;
}

/** Output of the Move task: what each chunk left in staging (also recorded under `stagedPrefix`). */
export type MoveOutput = StagedChunk[];

/** A payload moved to the staging area because it was too large for a state (STYLE.md §8). */
export interface OffloadedRef {
  $ref: string;
}

/**
 * Input of the Commit task. The Map discards Move outputs (ResultPath null) because thousands of them exceed
 * a state's 256 KiB: each Move records its StagedChunks under `plan.stagedPrefix`, and Commit reads them there
 * (a reference by prefix), checking that every chunk of the plan has one.
 */
export interface CommitInput {
  plan: PlanOutput;
}

/** Output of the Commit task: the run's totals. */
export interface CommitOutput extends CommitResult {
  jobId: string;
  runId: string;
  chunkCount: number;
  rowsRead: number;
  bytesStaged: number;
  /** Files (or staged parts) written: `detail.files`/`detail.dataFiles` lengths of the staged chunks, else one per non-empty chunk. */
  files: number;
  cursor?: string;
  previousCursor?: string;
  incremental: boolean;
  committedAt: string;
}

/** What a Catch passes on: Step Functions' error output. */
export interface CaughtError {
  Error: string;
  Cause?: string;
}

/** Input of the Cleanup task (after a Catch): the job identity, the error and whatever state reached the catch. */
export interface CleanupInput {
  workflow: string;
  workspace?: string;
  job: string;
  runId: string;
  manifests?: string;
  error?: CaughtError;
}

/** Why a chunk failed, as Move recorded it in staging. */
export interface FailedChunk {
  chunkId: string;
  error: string;
  cause: string;
}

/** Output of the Cleanup task. */
export interface CleanupOutput {
  jobId: string;
  runId: string;
  aborted: boolean;
  /** The chunks whose Move failed, with error name and cause (visible in the execution history). */
  failedChunks?: FailedChunk[];
  /** The run's failure in one line: the failed chunks and their causes, else the caught cause. The Fail state's cause. */
  cause: string;
  /** Why aborting failed, if it did (the run still fails with the original cause). */
  abortError?: string;
}

/** The four task names, as the local engine and the Lambda handlers know them. */
export type TaskName = 'plan' | 'move' | 'commit' | 'cleanup';
