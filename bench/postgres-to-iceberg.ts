/**
 * Benchmark 2 (issue 8): 1,000,000 rows (quick: 100,000) from a Postgres table appended to an Iceberg table
 * through the local engine (Postgres source → lakehouse sink in a file warehouse). Baseline, measured in the
 * same run: `COPY (SELECT …) TO STDOUT` of the same rows drained by the client, plus parquet-wasm writing one
 * zstd file of the same Arrow data — the floor of "read it out of Postgres, write it as Parquet". Extras: the
 * engine with moves in the main thread (`mainThreadSeconds`) and the Postgres source alone reading the same
 * chunks with nothing written (`sourceReadSeconds`, to set against `copySeconds`). A second row gives the same
 * append with 2 workers against 1 (two mirrored rounds, best of each): moves whose sink runs in our own process,
 * the engine's scaling where the database does little of the work (benchmark 5's target is measured on
 * benchmark 1, whose commit is one MERGE in one server backend).
 * `npx tsx bench/postgres-to-iceberg.ts [--quick]`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { Client } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { openPgPool } from '../core/connectors/postgres/pg-driver';
import { PostgresSource } from '../core/connectors/postgres/source';
import { runEngine, writeDepots, writeJob } from './lib/engine';
import { orderBatches, ordersCsv } from './lib/orders';
import { freshOrdersTable, PG, psql, writeParts } from './lib/pg';
import { type BenchOptions, type BenchResult, result, runIfMain, timed } from './lib/types';

const pw = require('parquet-wasm') as typeof import('parquet-wasm');

/** Drains `COPY (SELECT * FROM table) TO STDOUT`; returns the bytes received. */
async function copyOut(table: string): Promise<number> {
  const client = new Client({ host: PG.host, port: PG.port, database: PG.database, user: PG.user });
  await client.connect();
  try {
    const stream = client.query(copyTo(`COPY (SELECT * FROM ${table}) TO STDOUT`));
    let bytes = 0;
    for await (const chunk of stream) bytes += (chunk as Buffer).length;
    return bytes;
  } finally {
    await client.end();
  }
}

/**
 * The Postgres source alone: plans `table` as the engine does (default chunks) and reads every chunk in turn,
 * discarding the batches; returns the rows read.
 */
async function sourceRead(table: string): Promise<number> {
  const driver = openPgPool({ ...PG, params: { sslmode: 'disable' } });
  try {
    const source = new PostgresSource(driver);
    const ctx = { jobId: 'bench-source-read', runId: 'r' };
    const options = { sourceTable: table };
    let rows = 0;
    for (const chunk of (await source.plan(ctx, options, undefined)).chunks)
      for await (const b of source.read(ctx, options, chunk)) rows += b.numRows;
    return rows;
  } finally {
    await driver.close();
  }
}

/** parquet-wasm writing the Arrow table to one zstd file (in memory); returns its size. */
function parquetWrite(t: arrow.Table): number {
  const props = new pw.WriterPropertiesBuilder().setCompression(pw.Compression.ZSTD).build();
  return pw.writeParquet(pw.Table.fromIPCStream(arrow.tableToIPC(t, 'stream')), props).length;
}

/** Runs benchmark 2. */
export async function run({ quick }: BenchOptions): Promise<BenchResult[]> {
  const rows = quick ? 100_000 : 1_000_000;
  const dir = mkdtempSync(join(tmpdir(), 'icefloe-bench-p2i-'));
  const schema = `bench_p2i_${randomBytes(4).toString('hex')}`;
  try {
    writeDepots(dir, { warehouse: join(dir, 'warehouse'), rows, seed: 3 });
    const csv = join(dir, 'src.csv');
    await writeParts(csv, ordersCsv(3, 0, rows));
    psql(`CREATE SCHEMA ${schema}`);
    freshOrdersTable(schema, 'src', csv);
    const job = (dest: string) =>
      writeJob(
        dir,
        `append-${dest}`,
        { address: 'dataos://pg', options: { 'source-table': `${schema}.src` } },
        { address: 'dataos://lh', options: { 'dest-table': `bench.${dest}`, 'incremental-strategy': 'append' } },
      );
    await runEngine(job('warm'), dir, join(dir, 'staging'), 2); // warm-up
    const data = new arrow.Table([...orderBatches(3, 0, rows)]);
    parquetWrite(data.slice(0, 1000)); // warm-up of the wasm module
    const copy = await timed(() => copyOut(`${schema}.src`));
    const write = await timed(async () => parquetWrite(data));
    // 2 workers, 1 worker | 1 worker, 2 workers: the best of each
    const byWorkers: Record<number, Awaited<ReturnType<typeof runEngine>>[]> = { 1: [], 2: [] };
    for (const [round, order] of [
      [1, [2, 1]],
      [2, [1, 2]],
    ] as const)
      for (const p of order)
        byWorkers[p]?.push(await runEngine(job(`orders_p${p}_${round}`), dir, join(dir, 'staging'), p));
    const best = (p: number) =>
      (byWorkers[p] ?? []).reduce((a, b) => (b.seconds < a.seconds ? b : a)) as Awaited<ReturnType<typeof runEngine>>;
    const engine = best(2);
    const oneWorker = best(1);
    // parallelism 0: the same move in the main thread, without the worker start-up (see docs/performance.md)
    const inThread = await runEngine(job('orders_main'), dir, join(dir, 'staging'), 0);
    // The source's share: the same chunks read (binary COPY decoded into Arrow) with nothing written.
    const read = await timed(() => sourceRead(`${schema}.src`));
    if (read.value !== rows) throw new Error(`source read ${read.value} rows, expected ${rows}`);
    const j = engine.summary.jobs[0];
    if (j?.rowsWritten !== rows) throw new Error(`engine appended ${j?.rowsWritten} rows, expected ${rows}`);
    return [
      result(
        'postgres-to-iceberg-append',
        { rows, bytes: j.bytes, seconds: engine.seconds },
        { name: 'COPY TO STDOUT + parquet-wasm write (one file)', seconds: copy.seconds + write.seconds },
        {
          chunks: j.chunks,
          files: j.files,
          copySeconds: Math.round(copy.seconds * 1000) / 1000,
          parquetSeconds: Math.round(write.seconds * 1000) / 1000,
          copyBytes: copy.value,
          parquetBytes: write.value,
          mainThreadSeconds: Math.round(inThread.seconds * 1000) / 1000,
          mainThreadRatio: Math.round(((copy.seconds + write.seconds) / inThread.seconds) * 1000) / 1000,
          sourceReadSeconds: Math.round(read.seconds * 1000) / 1000,
          runs: (byWorkers[2] ?? []).map((r) => r.seconds.toFixed(2)).join('/'),
        },
      ),
      result(
        'scaling (benchmark 2, 2 workers vs 1)',
        { rows, bytes: j.bytes, seconds: engine.seconds },
        { name: 'the same append with 1 worker (best of 2)', seconds: oneWorker.seconds },
        {
          speedup: Math.round((oneWorker.seconds / engine.seconds) * 100) / 100,
          runs: `p2 ${(byWorkers[2] ?? []).map((r) => r.seconds.toFixed(2)).join('/')}, p1 ${(byWorkers[1] ?? []).map((r) => r.seconds.toFixed(2)).join('/')}`,
        },
      ),
    ];
  } finally {
    try {
      psql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

runIfMain(module, run);
