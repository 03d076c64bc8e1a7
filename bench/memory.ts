/**
 * Benchmark 7 (issue 8): peak RSS of `icefloe run` (a child process, as a user runs it, default parallelism)
 * moving 10,000,000 rows (quick: 1,000,000) of the generator into an Iceberg table in a file warehouse. The
 * bound is 1.5 GB: Move streams chunk by chunk, it never holds the table. The figure is GNU time's maximum
 * resident set of the process (worker threads included). `npx tsx bench/memory.ts [--quick]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunSummary } from '../core/engine';
import { writeDepots, writeJob } from './lib/engine';
import { ICEFLOE_BIN, peakRss } from './lib/proc';
import { type BenchOptions, type BenchResult, result, runIfMain } from './lib/types';

/** The bound of issue 8. */
export const RSS_BOUND_BYTES = 1.5 * 2 ** 30;

/** Runs benchmark 7. */
export async function run({ quick }: BenchOptions): Promise<BenchResult[]> {
  const rows = quick ? 1_000_000 : 10_000_000;
  const dir = mkdtempSync(join(tmpdir(), 'icefloe-bench-memory-'));
  try {
    const manifests = join(dir, 'manifests');
    writeDepots(manifests, { warehouse: join(dir, 'warehouse'), rows, seed: 5 });
    const wf = writeJob(
      manifests,
      'memory',
      { address: 'dataos://gen', options: { 'source-table': 'sales.orders' } },
      { address: 'dataos://lh', options: { 'dest-table': 'sales.orders', 'incremental-strategy': 'append' } },
    );
    // No separate warm-up: a fresh process is what is measured (tsx compiles each file once per process).
    const r = await peakRss([ICEFLOE_BIN, 'run', wf, '--manifests', manifests, '--json'], dir);
    const summary = JSON.parse(r.stdout) as RunSummary;
    const job = summary.jobs[0];
    if (job?.rowsWritten !== rows) throw new Error(`icefloe run wrote ${job?.rowsWritten} rows, expected ${rows}`);
    return [
      result('memory (icefloe run, peak RSS)', { rows, bytes: job.bytes, seconds: r.seconds }, undefined, {
        peakRssBytes: r.rssBytes,
        peakRssMiB: Math.round(r.rssBytes / 2 ** 20),
        boundMiB: RSS_BOUND_BYTES / 2 ** 20,
        bounded: r.rssBytes < RSS_BOUND_BYTES ? 'yes' : 'no',
        chunks: job.chunks,
      }),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

runIfMain(module, run);
