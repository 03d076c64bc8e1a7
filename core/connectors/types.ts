/**
 * Source and sink contracts shared by every connector (Iceberg, Postgres) and the plan/move/commit tasks.
 *
 * Work crosses process boundaries (Step Functions → Lambda, or worker threads locally), so every method takes
 * everything it needs as small JSON-serializable values (64-bit ids as strings) and connectors keep no state
 * between calls. Data moves as Apache Arrow record batches; Iceberg field ids travel in Arrow field metadata
 * under `PARQUET:field_id`.
 */
import type { RecordBatch, Schema } from 'apache-arrow';
import type { JobOptions } from '../manifest/types';

/** Identifies one run of one job (a DAG node of a workflow). */
export interface RunContext {
  /** Stable across runs: `<workspace>.<workflow>.<dag node>`. Keys the incremental state. */
  jobId: string;
  /** Unique per run (also per retry of a whole run). */
  runId: string;
  /** Cancels long work (Lambda timeout, SIGINT). */
  signal?: AbortSignal;
}

/** The incremental state of a job, committed atomically with the data it describes. */
export interface JobState {
  jobId: string;
  runId: string;
  /** Source position consumed: an Iceberg snapshot id (string), or a cursor value of `incremental-key`. */
  cursor?: string;
  /** Extra connector-specific state (JSON). */
  detail?: Record<string, unknown>;
  rowsWritten: number;
  committedAt: string;
  /**
   * The run id of the committed state this run planned from (`null`: the job had never committed). When set,
   * `Sink.commit` refuses with ConcurrentRunError if the job's committed state has moved since (another run of
   * the same job committed in between), checked atomically with the commit. Undefined: no check.
   */
  previousRunId?: string | null;
}

/** A unit of parallel work: a JSON pointer to data (files and row groups, key ranges), never rows. */
export interface ChunkPointer {
  chunkId: string;
  /** Relative weight (bytes or rows) used to balance chunks. */
  weight: number;
  /** Connector-specific, JSON-serializable description of what to read. */
  spec: unknown;
}

export interface SourcePlan {
  /** Arrow schema of the rows every chunk yields (with field ids when the source has them). */
  schemaJson: unknown;
  chunks: ChunkPointer[];
  /** The position this run reads up to; becomes `JobState.cursor` on commit. */
  cursor?: string;
  /** Whether the plan reads only changes since the previous state (false: a full read). */
  incremental: boolean;
  /** Rows the source reports as deleted since the previous state (keys only), for merge sinks. */
  deletes?: ChunkPointer[];
  /** Human-readable notes (e.g. "history expired: full read"). */
  notes: string[];
}

export interface Source {
  plan(ctx: RunContext, options: JobOptions, previous: JobState | undefined): Promise<SourcePlan>;
  read(ctx: RunContext, options: JobOptions, chunk: ChunkPointer): AsyncIterable<RecordBatch>;
}

/** What a staged chunk left behind for the commit (JSON-serializable). */
export interface StagedChunk {
  chunkId: string;
  rows: number;
  bytes: number;
  /** Connector-specific (data file entries for Iceberg; staging table and row range for Postgres). */
  detail?: unknown;
}

export interface CommitResult {
  rowsWritten: number;
  rowsDeleted: number;
  /** Sink position after the commit: an Iceberg snapshot id or a Postgres transaction id, as a string. */
  sinkVersion?: string;
}

export interface Sink {
  /** Creates or evolves the target to hold `schema`, checks the strategy's needs (e.g. primary key). No data changes. */
  prepare(ctx: RunContext, options: JobOptions, schema: Schema): Promise<void>;
  /** Writes one chunk to staging. Idempotent: staging the same chunk id again replaces it. */
  stage(
    ctx: RunContext,
    options: JobOptions,
    chunkId: string,
    batches: AsyncIterable<RecordBatch>,
  ): Promise<StagedChunk>;
  /** Makes the run visible in one atomic step together with `state`; then drops the run's staging. */
  commit(ctx: RunContext, options: JobOptions, chunks: StagedChunk[], state: JobState): Promise<CommitResult>;
  /**
   * Optional: stages keys the source reports deleted (`SourcePlan.deletes`, batches of key columns) for a merge
   * commit to delete. Same idempotence as `stage`; chunk ids share one order with data chunks in `commit`.
   */
  stageDeletes?(
    ctx: RunContext,
    options: JobOptions,
    chunkId: string,
    batches: AsyncIterable<RecordBatch>,
  ): Promise<StagedChunk>;
  /** Drops the run's staging without touching the target. */
  abort(ctx: RunContext, options: JobOptions): Promise<void>;
  /** The last committed state of a job, if any. */
  readState(jobId: string, options: JobOptions): Promise<JobState | undefined>;
}
