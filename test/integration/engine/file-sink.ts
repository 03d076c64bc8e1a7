/**
 * A test sink over plain files (depot type `file-sink`), registered in the process-wide registry, so the
 * engine's worker threads (which require this module via `workerSetup`) and the main thread share it. It
 * sums `order_id` per chunk, so the test can check every generated row arrived once.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import type { RecordBatch } from 'apache-arrow';
import type { JobState, RunContext, Sink, StagedChunk } from '../../../core/connectors/types';
import { registerSink } from '../../../core/movement';

const root = () => process.env.ICEFLOE_TEST_SINK_DIR as string;
const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');

class FileSink implements Sink {
  async prepare(): Promise<void> {}
  async stage(
    ctx: RunContext,
    _o: unknown,
    chunkId: string,
    batches: AsyncIterable<RecordBatch>,
  ): Promise<StagedChunk> {
    // A worker crash on demand: the first attempt at chunk CRASH_CHUNK ends the worker thread.
    const marker = join(root(), 'crashed');
    if (chunkId === process.env.ICEFLOE_TEST_CRASH_CHUNK && !existsSync(marker)) {
      writeFileSync(marker, String(threadId));
      process.exit(3);
    }
    let rows = 0;
    let sum = 0n;
    for await (const b of batches) {
      rows += b.numRows;
      for (const v of b.getChild('order_id') ?? []) sum += v as bigint;
    }
    const dir = join(root(), 'staging', safe(ctx.runId));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${safe(chunkId)}.json`), JSON.stringify({ rows, sum: String(sum) }));
    // true when this thread loaded icefloe's sources (tsx) rather than the prebuilt worker bundle
    const sources = Object.keys(require.cache).some((k) => k.endsWith(join('core', 'movement', 'tasks.ts')));
    return { chunkId, rows, bytes: rows * 8, detail: { sum: String(sum), threadId, sources } };
  }
  async commit(ctx: RunContext, _o: unknown, chunks: StagedChunk[], state: JobState) {
    const rows = chunks.reduce((n, c) => n + c.rows, 0);
    const sum = chunks.reduce((n, c) => n + BigInt((c.detail as { sum: string }).sum), 0n);
    writeFileSync(
      join(root(), `${safe(ctx.jobId)}.target.json`),
      JSON.stringify({
        rows,
        sum: String(sum),
        state,
        threads: [...new Set(chunks.map((c) => (c.detail as { threadId: number }).threadId))],
        sources: [...new Set(chunks.map((c) => (c.detail as { sources: boolean }).sources))],
      }),
    );
    rmSync(join(root(), 'staging', safe(ctx.runId)), { recursive: true, force: true });
    return { rowsWritten: rows, rowsDeleted: 0, sinkVersion: ctx.runId };
  }
  async abort(ctx: RunContext): Promise<void> {
    rmSync(join(root(), 'staging', safe(ctx.runId)), { recursive: true, force: true });
  }
  async readState(jobId: string): Promise<JobState | undefined> {
    const f = readdirSync(root()).find((n) => n === `${safe(jobId)}.target.json`);
    return f ? (JSON.parse(readFileSync(join(root(), f), 'utf8')) as { state: JobState }).state : undefined;
  }
}

registerSink('file-sink', () => new FileSink());
