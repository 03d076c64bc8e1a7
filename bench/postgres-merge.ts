/**
 * Merge benchmark of the Postgres sink (best of two runs each, mirrored order): 1,000,000 rows (half updates, half inserts) into a 1,000,000-row table,
 * against the hand-written baseline measured in the same run: the same rows as CSV through `psql \copy` into an
 * unlogged staging table plus one MERGE, in one transaction. Both targets end identical (checked).
 * `npx tsx bench/postgres-merge.ts [--quick]` (quick: 100,000 rows).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Decimal,
  Field,
  Float64,
  Int32,
  Int64,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  TimestampMicrosecond,
  Utf8,
} from 'apache-arrow';
import { openPgPool } from '../core/connectors/postgres/pg-driver';
import { PostgresSink } from '../core/connectors/postgres/sink';
import type { StagedChunk } from '../core/connectors/types';
import { type BenchResult, result, runIfMain, timed } from './lib/types';

const PG = { host: '127.0.0.1', port: 5432, database: 'test', user: 'postgres', params: { sslmode: 'disable' } };
const STATUS = ['new', 'paid', 'shipped', 'cancelled', 'returned'];
const BATCH = 50_000;

const SCHEMA = new Schema([
  new Field('id', new Int64(), false),
  new Field('customer_id', new Int32()),
  new Field('amount', new Decimal(2, 12, 128)),
  new Field('status', new Utf8()),
  new Field('updated_at', new TimestampMicrosecond('UTC')),
  new Field('score', new Float64()),
  new Field('note', new Utf8()),
]);

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function utf8Column(values: string[]) {
  const enc = new TextEncoder();
  const bytes = values.map((v) => enc.encode(v));
  const offsets = new Int32Array(values.length + 1);
  for (let i = 0; i < bytes.length; i++) offsets[i + 1] = (offsets[i] as number) + (bytes[i] as Uint8Array).length;
  const data = new Uint8Array(offsets[values.length] as number);
  bytes.forEach((b, i) => {
    data.set(b, offsets[i] as number);
  });
  return makeData({ type: new Utf8(), length: values.length, valueOffsets: offsets, data });
}

/** Rows `first … first+count-1` as Arrow batches, plus their CSV. */
function generate(first: number, count: number, seed: number): { batches: RecordBatch[]; csv: string[] } {
  const r = rng(seed);
  const batches: RecordBatch[] = [];
  const csv: string[] = [];
  for (let start = 0; start < count; start += BATCH) {
    const n = Math.min(BATCH, count - start);
    const ids = new BigInt64Array(n);
    const cust = new Int32Array(n);
    const amount = new Uint32Array(n * 4);
    const ts = new BigInt64Array(n);
    const score = new Float64Array(n);
    const status: string[] = [];
    const note: string[] = [];
    const lines: string[] = [];
    for (let i = 0; i < n; i++) {
      const id = first + start + i;
      ids[i] = BigInt(id);
      cust[i] = Math.floor(r() * 100_000);
      const cents = Math.floor(r() * 10_000_000);
      amount[i * 4] = cents;
      const micros = 1_700_000_000_000_000 + Math.floor(r() * 31_536_000_000_000);
      ts[i] = BigInt(micros);
      score[i] = Math.round(r() * 1e6) / 1e3;
      status.push(STATUS[Math.floor(r() * STATUS.length)] as string);
      note.push(`order ${id} note ${Math.floor(r() * 1e9).toString(36)}`);
      const iso = new Date(Math.floor(micros / 1000))
        .toISOString()
        .replace('Z', `${String(micros % 1000).padStart(3, '0')}+00`);
      lines.push(`${id},${cust[i]},${(cents / 100).toFixed(2)},${status[i]},${iso},${score[i]},${note[i]}`);
    }
    const fields = SCHEMA.fields;
    const f = (i: number) => (fields[i] as Field).type;
    const children = [
      makeData({ type: f(0) as Int64, length: n, data: ids }),
      makeData({ type: f(1) as Int32, length: n, data: cust }),
      makeData({ type: f(2) as Decimal, length: n, data: amount }),
      utf8Column(status),
      makeData({ type: f(4) as TimestampMicrosecond, length: n, data: ts }),
      makeData({ type: f(5) as Float64, length: n, data: score }),
      utf8Column(note),
    ];
    batches.push(new RecordBatch(SCHEMA, makeData({ type: new Struct(fields), length: n, children })));
    csv.push(`${lines.join('\n')}\n`);
  }
  return { batches, csv };
}

async function writeCsv(path: string, parts: string[]): Promise<void> {
  const out = createWriteStream(path);
  for (const p of parts) if (!out.write(p)) await new Promise<void>((res) => out.once('drain', () => res()));
  await new Promise<void>((res, rej) => out.end((err?: Error | null) => (err ? rej(err) : res())));
}

function psql(script: string): void {
  execFileSync(
    'psql',
    ['-h', PG.host, '-U', PG.user, '-d', PG.database, '-q', '-v', 'ON_ERROR_STOP=1', '-1', '-c', script],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
}

const COLS = 'id, customer_id, amount, status, updated_at, score, note';
const DDL = `(id bigint PRIMARY KEY, customer_id integer, amount numeric(12,2), status text,
  updated_at timestamptz, score double precision, note text)`;

function baselineMerge(schema: string, csvPath: string, table: string): void {
  const sets = COLS.split(', ')
    .slice(1)
    .map((c) => `${c} = s.${c}`)
    .join(', ');
  execFileSync(
    'psql',
    [
      '-h',
      PG.host,
      '-U',
      PG.user,
      '-d',
      PG.database,
      '-q',
      '-v',
      'ON_ERROR_STOP=1',
      '-1',
      '-c',
      `CREATE UNLOGGED TABLE ${schema}.stage (LIKE ${schema}.${table})`,
      '-c',
      `\\copy ${schema}.stage FROM '${csvPath}' WITH (FORMAT csv)`,
      '-c',
      `MERGE INTO ${schema}.${table} t USING ${schema}.stage s ON t.id = s.id
             WHEN MATCHED THEN UPDATE SET ${sets}
             WHEN NOT MATCHED THEN INSERT (${COLS}) VALUES (${COLS.split(', ')
               .map((c) => `s.${c}`)
               .join(', ')})`,
      '-c',
      `DROP TABLE ${schema}.stage`,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
}

/** Runs the benchmark; `quick` uses 100,000 rows. */
export async function run({ quick }: { quick: boolean }): Promise<BenchResult[]> {
  const n = quick ? 100_000 : 1_000_000;
  const chunkRows = Math.max(BATCH, n / 8);
  const schema = `bench_pgmerge_${randomBytes(4).toString('hex')}`;
  const dir = tmpdir();
  const baseCsv = join(dir, `${schema}_base.csv`);
  const incCsv = join(dir, `${schema}_inc.csv`);
  const driver = openPgPool({ ...PG, maxConnections: 4 });
  try {
    await writeCsv(baseCsv, generate(0, n, 1).csv);
    const inc = generate(n / 2, n, 2); // ids n/2 … 3n/2-1: half updates, half inserts
    await writeCsv(incCsv, inc.csv);
    // Two rounds in mirrored order (baseline, sink, text, sink, baseline): the best of each counts, which
    // damps the noise of a shared machine.
    const tables = ['t_base1', 't_auto1', 't_text', 't_auto2', 't_base2'];
    psql(`CREATE SCHEMA ${schema}; ${tables.map((t) => `CREATE TABLE ${schema}.${t} ${DDL};`).join(' ')}`);
    for (const t of tables) psql(`\\copy ${schema}.${t} FROM '${baseCsv}' WITH (FORMAT csv)`);
    for (const t of tables) await driver.query(`VACUUM ANALYZE ${schema}.${t}`);

    const perChunk = Math.ceil(chunkRows / BATCH);
    const chunks: RecordBatch[][] = [];
    for (let i = 0; i < inc.batches.length; i += perChunk) chunks.push(inc.batches.slice(i, i + perChunk));
    const sinkMerge = (table: string, copyFormat: 'auto' | 'text') =>
      timed(async () => {
        const sink = new PostgresSink(driver, { copyFormat });
        const opts = { destTable: `${schema}.${table}`, incrementalStrategy: 'merge' as const, primaryKey: ['id'] };
        const ctx = { jobId: `bench-${table}`, runId: 'r1' };
        await sink.prepare(ctx, opts, SCHEMA);
        const staged: StagedChunk[] = await stageAll(sink, ctx, opts, chunks, 2);
        await sink.commit(ctx, opts, staged, { jobId: ctx.jobId, runId: 'r1', rowsWritten: 0, committedAt: '' });
        const format = (staged[0]?.detail as { format?: string } | undefined)?.format ?? '?';
        return { bytes: staged.reduce((sum, c) => sum + c.bytes, 0), format };
      });

    const base1 = await timed(async () => baselineMerge(schema, incCsv, 't_base1'));
    const auto1 = await sinkMerge('t_auto1', 'auto');
    const text = await sinkMerge('t_text', 'text');
    const auto2 = await sinkMerge('t_auto2', 'auto');
    const base2 = await timed(async () => baselineMerge(schema, incCsv, 't_base2'));
    for (const t of tables.slice(1)) await checkSame(driver, schema, n, t);
    const auto = auto1.seconds <= auto2.seconds ? auto1 : auto2;
    const baseline = { name: 'psql \\copy csv + MERGE (best of 2)', seconds: Math.min(base1.seconds, base2.seconds) };
    return [
      result('postgres-merge', { rows: n, bytes: auto.value.bytes, seconds: auto.seconds }, baseline, {
        chunks: chunks.length,
        copyFormat: auto.value.format,
        runs: [base1, auto1, text, auto2, base2].map((r) => r.seconds.toFixed(2)).join(' / '),
      }),
      result('postgres-merge (text COPY)', { rows: n, bytes: text.value.bytes, seconds: text.seconds }, baseline, {
        chunks: chunks.length,
        copyFormat: text.value.format,
      }),
    ];
  } finally {
    await driver.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await driver.close();
    rmSync(baseCsv, { force: true });
    rmSync(incCsv, { force: true });
  }
}

/** Stages chunks with `parallelism` concurrent COPYs (the engine's Move step does the same). */
async function stageAll(
  sink: PostgresSink,
  ctx: { jobId: string; runId: string },
  opts: { destTable: string },
  chunks: RecordBatch[][],
  parallelism: number,
): Promise<StagedChunk[]> {
  const out: StagedChunk[] = new Array(chunks.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < chunks.length; i = next++) {
      out[i] = await sink.stage(
        ctx,
        opts,
        `c${String(i).padStart(4, '0')}`,
        (async function* () {
          yield* chunks[i] as RecordBatch[];
        })(),
      );
    }
  };
  await Promise.all(Array.from({ length: parallelism }, worker));
  return out;
}

async function checkSame(
  driver: ReturnType<typeof openPgPool>,
  schema: string,
  n: number,
  table: string,
): Promise<void> {
  const sum = async (t: string) =>
    (await driver.query(`SELECT count(*)::text AS c, sum(hashtext(x::text)::bigint)::text AS h FROM ${schema}.${t} x`))
      .rows[0];
  const [a, b] = [await sum('t_base1'), await sum(table)];
  if (JSON.stringify(a) !== JSON.stringify(b) || Number(a?.c) !== n * 1.5) {
    throw new Error(`bench tables differ: baseline ${JSON.stringify(a)}, sink ${JSON.stringify(b)}`);
  }
}

runIfMain(
  module,
  run,
  (r) =>
    `${r.name} [${r.extra?.copyFormat}]: ${r.rows} rows in ${r.seconds}s = ${r.rowsPerSec} rows/s; baseline ${r.baseline} ${r.baselineSeconds}s; ratio ${r.ratio}${r.extra?.runs ? ` (runs: ${r.extra.runs})` : ''}`,
);
