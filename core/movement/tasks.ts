/**
 * The four tasks of a job, generic over the Source and Sink contracts (`core/connectors/types.ts`), shared by
 * the Lambda handlers and the local engine. Plan writes the chunk list to staging; Move stages chunks (and
 * records what it staged, so a retried or repeated chunk replaces its record: idempotent); Commit makes the run
 * visible in one atomic sink commit together with the job state, then drops the run's staging; Cleanup aborts.
 */
import type { RecordBatch } from 'apache-arrow';
import type { ChunkPointer, JobState, RunContext, Sink, Source, StagedChunk } from '../connectors/types';
import { IcefloeError, InvalidInputError } from '../errors';
import type { Endpoint } from '../manifest/types';
import type { TaskDeps } from './deps';
import { maskBatches, maskSchema, masksOf } from './mask';
import { schemaFromJson } from './schema-json';
import { runKeys, safeSegment } from './staging';
import type {
  CleanupInput,
  CleanupOutput,
  CommitInput,
  CommitOutput,
  FailedChunk,
  MoveInput,
  MoveOutput,
  PlanInput,
  PlanOutput,
} from './types';

/** A staged chunk as recorded by Move: what the sink returned plus what was read. */
export interface StagedRecord extends StagedChunk {
  rowsRead: number;
  bytesRead: number;
}

const now = (deps: TaskDeps) => (deps.now ?? (() => new Date()))();

/**
 * The source's plan for this run. `replace` always reads everything (a partial read would shrink the target);
 * a source position equal to the committed one means nothing changed: no chunks, and commit leaves the sink
 * alone, so a re-run without source changes writes nothing.
 */
async function sourcePlan(source: Source, sink: Sink, ctx: RunContext, src: Endpoint, dst: Endpoint) {
  const full = src.options.fullRefresh === true || dst.options.fullRefresh === true;
  const committed = await sink.readState(ctx.jobId, dst.options);
  const previous = full ? undefined : committed;
  const basedOn = { previousRunId: committed?.runId ?? null };
  const strategy = dst.options.incrementalStrategy ?? 'append';
  // A merge sink's primary key tells the source which columns identify a deleted row (SourcePlan.deletes).
  const srcOptions = { ...src.options, primaryKey: src.options.primaryKey ?? dst.options.primaryKey };
  const planned = await source.plan(ctx, srcOptions, strategy === 'replace' ? undefined : previous);
  // Only a merge applies deleted keys; appending them would be wrong, so other strategies drop them, saying so.
  const dropped = strategy !== 'merge' && (planned.deletes?.length ?? 0) > 0;
  const sp = dropped
    ? {
        ...planned,
        deletes: [],
        notes: [...planned.notes, `rows deleted at the source are not removed (incremental-strategy ${strategy})`],
      }
    : planned;
  if (previous?.cursor === undefined || sp.cursor !== previous.cursor) {
    return { sp, previous, unchanged: false, ...basedOn };
  }
  const note = `source unchanged since run ${previous.runId} (cursor ${previous.cursor}): nothing to move`;
  return { sp: { ...sp, chunks: [], deletes: [], notes: [...sp.notes, note] }, previous, unchanged: true, ...basedOn };
}

/** Plans one job: previous state from the sink, the source's plan, the chunk list into staging. */
export async function plan(deps: TaskDeps, input: PlanInput): Promise<PlanOutput> {
  const { workflow, node, jobId } = await deps.resolveJob(input);
  const { source: srcEndpoint, sink: sinkEndpoint } = node.spec.stackSpec;
  const ctx: RunContext = { jobId, runId: input.runId };
  const [source, sink] = await Promise.all([deps.resolveSource(srcEndpoint), deps.resolveSink(sinkEndpoint)]);
  const { sp, previous, unchanged, previousRunId } = await sourcePlan(source, sink, ctx, srcEndpoint, sinkEndpoint);
  const masks = masksOf(srcEndpoint, sinkEndpoint);
  await sink.prepare(ctx, sinkEndpoint.options, maskSchema(schemaFromJson(sp.schemaJson), masks));
  const keys = runKeys(jobId, input.runId);
  // Deletes first: a key deleted and upserted again in one run ends upserted.
  const chunks: MoveChunk[] = [...(sp.deletes ?? []).map((d) => ({ ...d, deletes: true })), ...sp.chunks];
  await deps.staging.putJson(keys.chunks, chunks);
  deps.logger.info('planned', { jobId, runId: input.runId, chunks: chunks.length, cursor: sp.cursor, notes: sp.notes });
  return {
    workflow: workflow.name,
    job: node.name,
    jobId,
    runId: input.runId,
    chunksKey: keys.chunks,
    chunkCount: chunks.length,
    stagedPrefix: keys.staged,
    ...(sp.cursor !== undefined ? { cursor: sp.cursor } : {}),
    ...(previous?.cursor !== undefined && (sp.incremental || unchanged) ? { previousCursor: previous.cursor } : {}),
    previousRunId,
    incremental: sp.incremental,
    ...(unchanged ? { unchanged } : {}),
    notes: sp.notes,
    source: srcEndpoint,
    sink: sinkEndpoint,
    plannedAt: now(deps).toISOString(),
  };
}

/** Counts rows and bytes of the batches flowing from the source to the sink. */
async function* counted(
  batches: AsyncIterable<RecordBatch>,
  tally: { rows: number; bytes: number },
  report: () => void,
): AsyncIterable<RecordBatch> {
  for await (const b of batches) {
    tally.rows += b.numRows;
    tally.bytes += b.data.byteLength;
    report();
    yield b;
  }
}

/** A chunk of the plan's list: deletes chunks carry keys the source reports deleted. */
export type MoveChunk = ChunkPointer & { deletes?: boolean };

function stageChunk(sink: Sink, ctx: RunContext, p: PlanOutput, chunk: MoveChunk, batches: AsyncIterable<RecordBatch>) {
  if (!chunk.deletes) return sink.stage(ctx, p.sink.options, chunk.chunkId, batches);
  if (!sink.stageDeletes)
    throw new InvalidInputError(
      `${p.sink.address}: the sink cannot apply deleted rows (incremental-strategy ${p.sink.options.incrementalStrategy ?? 'append'})`,
    );
  return sink.stageDeletes(ctx, p.sink.options, chunk.chunkId, batches);
}

/**
 * Records why a chunk failed, for Cleanup to report: on AWS a Distributed Map fails as a whole
 * (`States.ExceedToleratedFailureThreshold`), so the chunk and its cause would otherwise stay in the child run.
 */
async function recordFailure(deps: TaskDeps, p: PlanOutput, chunkId: string, err: unknown): Promise<void> {
  const e = err instanceof Error ? err : new Error(String(err));
  const record: FailedChunk = {
    chunkId,
    error: e.name,
    cause: `chunk ${chunkId}: ${e.message.replace(/^chunk [^:]*: /, '')}`,
  };
  await deps.staging.putJson(failureKey(p, chunkId), record).catch(() => undefined);
}

const failureKey = (p: PlanOutput, chunkId: string) =>
  `${runKeys(p.jobId, p.runId).failed}${safeSegment(chunkId)}.json`;

async function clearFailure(deps: TaskDeps, p: PlanOutput, chunkId: string): Promise<void> {
  await deps.staging.io.delete(deps.staging.location(failureKey(p, chunkId))).catch(() => undefined);
}

/** Names the chunk in a failure, keeping the error's class and `name` (retries match names). */
function inChunk(err: unknown, chunkId: string): unknown {
  if (err instanceof Error && !err.message.startsWith('chunk ')) err.message = `chunk ${chunkId}: ${err.message}`;
  return err;
}

/** Moves one batch of chunks: read each from the source, stage it in the sink, record the result. */
export async function move(deps: TaskDeps, input: MoveInput): Promise<MoveOutput> {
  const { plan: p } = input.BatchInput;
  const ctx: RunContext = { jobId: p.jobId, runId: p.runId };
  const [source, sink] = await Promise.all([deps.resolveSource(p.source), deps.resolveSink(p.sink)]);
  const masks = masksOf(p.source, p.sink);
  const out: StagedChunk[] = [];
  for (const chunk of input.Items as MoveChunk[]) {
    const tally = { rows: 0, bytes: 0 };
    const report = (done: boolean) =>
      deps.onProgress?.({
        jobId: p.jobId,
        runId: p.runId,
        chunkId: chunk.chunkId,
        rowsRead: tally.rows,
        bytesRead: tally.bytes,
        done,
      });
    try {
      const read = counted(source.read(ctx, p.source.options, chunk), tally, () => report(false));
      const batches = masks.size > 0 ? maskBatches(read, masks) : read;
      const staged = await stageChunk(sink, ctx, p, chunk, batches);
      const record: StagedRecord = { ...staged, rowsRead: tally.rows, bytesRead: tally.bytes };
      await deps.staging.putJson(`${p.stagedPrefix}${safeSegment(chunk.chunkId)}.json`, record);
      await clearFailure(deps, p, chunk.chunkId); // a retry that worked: its earlier failure is no news
      out.push(staged);
    } catch (err) {
      await recordFailure(deps, p, chunk.chunkId, err);
      throw inChunk(err, chunk.chunkId);
    } finally {
      report(true);
    }
  }
  return out;
}

/** Reads the staged records of a run, in the plan's chunk order, failing when any chunk is missing. */
async function stagedRecords(deps: TaskDeps, p: PlanOutput): Promise<StagedRecord[]> {
  const chunks = await deps.staging.getJson<ChunkPointer[]>(p.chunksKey);
  const byId = new Map<string, StagedRecord>();
  for (const key of await deps.staging.listKeys(p.stagedPrefix)) {
    const r = await deps.staging.getJson<StagedRecord>(key);
    byId.set(r.chunkId, r);
  }
  const missing = chunks.filter((c) => !byId.has(c.chunkId)).map((c) => c.chunkId);
  if (missing.length > 0) {
    throw new IcefloeError(
      `job ${p.jobId} run ${p.runId}: no staged result for chunk(s) ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`,
    );
  }
  return chunks.map((c) => byId.get(c.chunkId) as StagedRecord);
}

/** Commits one job: one atomic sink commit with the new job state, then the run's staging is dropped. */
export async function commit(deps: TaskDeps, input: CommitInput): Promise<CommitOutput> {
  const p = input.plan;
  const ctx: RunContext = { jobId: p.jobId, runId: p.runId };
  const records = await stagedRecords(deps, p);
  const sink = await deps.resolveSink(p.sink);
  const committedAt = now(deps).toISOString();
  const rows = records.reduce((n, r) => n + r.rows, 0);
  const state: JobState = {
    jobId: p.jobId,
    runId: p.runId,
    ...(p.cursor !== undefined ? { cursor: p.cursor } : {}),
    detail: { incremental: p.incremental, chunks: p.chunkCount },
    rowsWritten: rows,
    committedAt,
    ...(p.previousRunId !== undefined ? { previousRunId: p.previousRunId } : {}),
  };
  const result = p.unchanged
    ? { rowsWritten: 0, rowsDeleted: 0 } // nothing changed: no new snapshot, no new transaction
    : await sink.commit(ctx, p.sink.options, records.map(stripRecord), state);
  await deps.staging.deletePrefix(runKeys(p.jobId, p.runId).base);
  deps.logger.info('committed', { jobId: p.jobId, runId: p.runId, ...result });
  return {
    ...result,
    jobId: p.jobId,
    runId: p.runId,
    chunkCount: p.chunkCount,
    rowsRead: records.reduce((n, r) => n + r.rowsRead, 0),
    bytesStaged: records.reduce((n, r) => n + r.bytes, 0),
    files: records.reduce((n, r) => n + filesOf(r), 0),
    ...(p.cursor !== undefined ? { cursor: p.cursor } : {}),
    ...(p.previousCursor !== undefined ? { previousCursor: p.previousCursor } : {}),
    incremental: p.incremental,
    committedAt,
  };
}

/** Files a staged chunk wrote, by the common `detail` shapes of the connectors. */
function filesOf(r: StagedChunk): number {
  const d = r.detail as { files?: unknown; dataFiles?: unknown } | undefined;
  const list = Array.isArray(d?.files) ? d.files : Array.isArray(d?.dataFiles) ? d.dataFiles : undefined;
  return list ? list.length : r.rows > 0 ? 1 : 0;
}

function stripRecord({ rowsRead: _r, bytesRead: _b, ...staged }: StagedRecord): StagedChunk {
  return staged;
}

/**
 * The message of a caught error: Step Functions passes a Lambda error's Cause as JSON text
 * (`{"errorType":…,"errorMessage":…}`); the local engine passes the message itself.
 */
function caughtCause(error: CleanupInput['error']): string {
  const cause = error?.Cause ?? error?.Error ?? 'the job failed';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // not JSON: the cause is the message
  }
  return cause;
}

/** The failure records of a run's chunks (at most 20). */
async function failedChunks(deps: TaskDeps, jobId: string, runId: string): Promise<FailedChunk[]> {
  try {
    const keys = (await deps.staging.listKeys(runKeys(jobId, runId).failed)).slice(0, 20);
    return await Promise.all(keys.map((k) => deps.staging.getJson<FailedChunk>(k)));
  } catch {
    return [];
  }
}

/** Aborts a failed job: the sink drops the run's staging (the target stays untouched) and staging is removed. */
export async function cleanup(deps: TaskDeps, input: CleanupInput): Promise<CleanupOutput> {
  const { node, jobId } = await deps.resolveJob(input);
  const ctx: RunContext = { jobId, runId: input.runId };
  const out: CleanupOutput = { jobId, runId: input.runId, aborted: true, cause: caughtCause(input.error) };
  try {
    const sink = await deps.resolveSink(node.spec.stackSpec.sink);
    await sink.abort(ctx, node.spec.stackSpec.sink.options);
  } catch (err) {
    // The run fails with the original cause either way; a failed abort leaves only staging behind.
    out.aborted = false;
    out.abortError = (err as Error).message;
  }
  const failed = await failedChunks(deps, jobId, input.runId);
  if (failed.length > 0) {
    out.failedChunks = failed;
    out.cause = failed.map((f) => `${f.cause} (${f.error})`).join('; ');
  }
  await deps.staging.deletePrefix(runKeys(jobId, input.runId).base).catch(() => 0);
  deps.logger.warn('job failed; cleaned up', { error: input.error, ...out });
  return out;
}
