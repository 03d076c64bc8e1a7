import { DataType, type RecordBatch } from 'apache-arrow';
import type { PgDriver } from '../../../core/connectors/postgres/driver';
import { openPgPool } from '../../../core/connectors/postgres/pg-driver';
import { PostgresSink } from '../../../core/connectors/postgres/sink';
import { PostgresSource } from '../../../core/connectors/postgres/source';
import type { ChunkPointer, JobState } from '../../../core/connectors/types';
import type { JobOptions } from '../../../core/manifest/types';
import { schemaFromJson } from '../../../core/movement/schema-json';
import { dropSchema, openTestPg, PG_TEST_CONFIG, uniqueSchema } from '../../helpers/postgres';

let driver: PgDriver;
let source: PostgresSource;
const schema = uniqueSchema('srcpg');
const ctx = { jobId: 'src', runId: 'r1' };

async function readAll(options: JobOptions, chunks: ChunkPointer[]): Promise<RecordBatch[]> {
  const out: RecordBatch[] = [];
  for (const c of chunks) for await (const b of source.read(ctx, options, c)) out.push(b);
  return out;
}

function rowsOf(batches: RecordBatch[]): Record<string, unknown>[] {
  return batches.flatMap((b) => b.toArray().map((r) => r.toJSON() as Record<string, unknown>));
}

beforeAll(async () => {
  driver = openTestPg();
  source = new PostgresSource(driver);
  const q = (sql: string) => driver.query(sql);
  await q(`CREATE SCHEMA ${schema}`);
  await q(`CREATE TYPE ${schema}.mood AS ENUM ('sad', 'ok', 'happy')`);
  await q(`CREATE TABLE ${schema}.t (
    id bigint PRIMARY KEY, small smallint, n int, amount numeric(10,2), free numeric, r real, d double precision,
    ok boolean, name varchar(20), doc jsonb, m ${schema}.mood, u uuid, b bytea, day date, tod time,
    ts timestamp, tstz timestamptz, tags text[], nums bigint[], updated_at timestamptz)`);
  await q(`INSERT INTO ${schema}.t SELECT g, g, -g, g * 1.25, g / 3.0, g / 2.0, g / 4.0, g % 2 = 0, 'n' || g,
      jsonb_build_object('g', g), (array['sad','ok','happy'])[g % 3 + 1]::${schema}.mood,
      ('00000000-0000-0000-0000-' || lpad(g::text, 12, '0'))::uuid, '\\x00ff'::bytea, date '2024-01-01' + g,
      time '01:02:03.000004', timestamp '2024-01-01 00:00:00.000001' + g * interval '1 hour',
      timestamptz '2024-01-01 00:00:00+00' + g * interval '1 day', array['a,b', 'q"' || g, NULL], array[g, 9007199254740993],
      timestamptz '2024-06-01 00:00:00+00' + g * interval '1 minute'
    FROM generate_series(1, 10) g`);
  await q(`INSERT INTO ${schema}.t (id) VALUES (11)`);
  await q(`CREATE TABLE ${schema}.nokey (v int)`);
  await q(`INSERT INTO ${schema}.nokey SELECT g FROM generate_series(1, 5000) g`);
  await q(`ANALYZE ${schema}.nokey`);
});

afterAll(async () => {
  await dropSchema(driver, schema);
  await driver.close();
});

describe('postgres source on a server', () => {
  it('maps every type to Arrow and reads all rows across primary-key chunks', async () => {
    const o: JobOptions = { sourceTable: `${schema}.t`, extractParallelism: 3, pageSize: 2 };
    const plan = await source.plan(ctx, o, undefined);
    expect(plan.chunks).toHaveLength(3);
    expect(plan.notes.join()).toMatch(/split on id/);
    const batches = await readAll(o, plan.chunks);
    const rows = rowsOf(batches).sort((a, b) => Number(a.id) - Number(b.id));
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 11 }, (_, i) => BigInt(i + 1)));
    const f = Object.fromEntries((batches[0] as RecordBatch).schema.fields.map((x) => [x.name, String(x.type)]));
    expect(f).toMatchObject({
      id: 'Int64',
      small: 'Int32',
      n: 'Int32',
      amount: 'Decimal[10e+2]',
      free: 'Utf8',
      r: 'Float32',
      d: 'Float64',
      ok: 'Bool',
      name: 'Utf8',
      doc: 'Utf8',
      m: 'Utf8',
      u: 'FixedSizeBinary[16]',
      b: 'Binary',
      day: 'Date32<DAY>',
      tod: 'Time64<MICROSECOND>',
      ts: 'Timestamp<MICROSECOND>',
      tstz: 'Timestamp<MICROSECOND, UTC>',
      tags: 'List<Utf8>',
      nums: 'List<Int64>',
    });
    const r3 = rows[2] as Record<string, unknown>;
    expect(r3.free).toBe('1.00000000000000000000');
    expect(r3.doc).toBe('{"g": 3}');
    expect(r3.m).toBe('sad');
    expect(r3.name).toBe('n3');
    expect(r3.ok).toBe(false);
    expect(Buffer.from(r3.u as Uint8Array).toString('hex')).toBe('00000000000000000000000000000003');
    expect(Array.from(r3.b as Uint8Array)).toEqual([0, 255]);
    const raw = batches.flatMap((b) => {
      const i = b.toArray().findIndex((r) => r.id === 3n);
      if (i < 0) return [];
      const get = (n: string) => b.getChild(n)?.data[0]?.values[i];
      return [
        {
          ts: get('ts'),
          tstz: get('tstz'),
          tod: get('tod'),
          day: get('day'),
          amount: Array.from(b.getChild('amount')?.data[0]?.values.subarray(i * 4, i * 4 + 2) ?? []),
        },
      ];
    })[0];
    expect(raw).toEqual({
      ts: 1704078000000001n,
      tstz: 1704326400000000n,
      tod: 3723000004n,
      day: 19726,
      amount: [375, 0],
    });
    expect(Array.from(r3.tags as Iterable<unknown>)).toEqual(['a,b', 'q"3', null]);
    expect(Array.from(r3.nums as Iterable<unknown>)).toEqual([3n, 9007199254740993n]);
    const r11 = rows[10] as Record<string, unknown>;
    expect(r11.amount).toBeNull();
    expect(r11.tags).toBeNull();
    const planned = schemaFromJson(plan.schemaJson);
    expect(planned.fields.map((x) => String(x.type))).toEqual(
      (batches[0] as RecordBatch).schema.fields.map((x) => String(x.type)),
    );
    const meta = (batches[0] as RecordBatch).schema.fields[0]?.metadata.get('PARQUET:field_id');
    expect(meta).toBe('1');
    expect(DataType.isFixedSizeBinary((batches[0] as RecordBatch).schema.fields[11]?.type)).toBe(true);
  });

  it('splits a table without a key into ctid page ranges covering every row once', async () => {
    const o: JobOptions = { sourceTable: `${schema}.nokey`, extractParallelism: 4, pageSize: 1000 };
    const plan = await source.plan(ctx, o, undefined);
    expect(plan.chunks).toHaveLength(4);
    expect(plan.notes.join()).toMatch(/ctid/);
    const vals = rowsOf(await readAll({ ...o, pageSize: 700 }, plan.chunks)).map((r) => r.v as number);
    expect(vals.sort((a, b) => a - b)).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));
  });

  it('splits on a text key whose values hold quotes and backslashes (bounds travel as literals)', async () => {
    await driver.query(`CREATE TABLE ${schema}."we""ird" ("k'ey" text PRIMARY KEY)`);
    await driver.query(
      `INSERT INTO ${schema}."we""ird" SELECT 'v' || lpad(g::text, 3, '0') || (array[chr(39), chr(92), '"', chr(92) || chr(39), ''])[g % 5 + 1]
         FROM generate_series(1, 200) g`,
    );
    await driver.query(`ANALYZE ${schema}."we""ird"`);
    const o: JobOptions = { sourceTable: `${schema}."we""ird"`, extractParallelism: 4, pageSize: 10 };
    const plan = await source.plan(ctx, o, undefined);
    expect(plan.chunks).toHaveLength(4);
    const keys = rowsOf(await readAll(o, plan.chunks)).map((r) => r["k'ey"] as string);
    const all = await driver.query(`SELECT "k'ey" AS k FROM ${schema}."we""ird" ORDER BY 1`);
    expect(keys.sort()).toEqual(all.rows.map((r) => r.k as string).sort());
    expect(new Set(keys).size).toBe(200);
  });

  it('reads a query as one chunk', async () => {
    const o: JobOptions = { sourceTable: `query:SELECT id, n * 2 AS twice FROM ${schema}.t WHERE id <= 3` };
    const plan = await source.plan(ctx, o, undefined);
    expect(plan.chunks).toHaveLength(1);
    expect(rowsOf(await readAll(o, plan.chunks))).toEqual([
      { id: 1n, twice: -2 },
      { id: 2n, twice: -4 },
      { id: 3n, twice: -6 },
    ]);
  });

  it('describes a query by its row description where temporary views are refused (read-only server)', async () => {
    const ro = openPgPool({
      ...PG_TEST_CONFIG,
      params: { sslmode: 'disable', options: '-c default_transaction_read_only=on' },
    });
    try {
      const src = new PostgresSource(ro);
      const o: JobOptions = { sourceQuery: `SELECT id, amount, u, tags FROM ${schema}.t WHERE id = 2` };
      const plan = await src.plan(ctx, o, undefined);
      expect((plan.schemaJson as { columns: { pgType: string }[] }).columns.map((c) => c.pgType)).toEqual([
        'bigint',
        'numeric(10,2)',
        'uuid',
        'text[]',
      ]);
      const rows = [];
      for await (const b of src.read(ctx, o, plan.chunks[0] as ChunkPointer)) rows.push(...b.toArray());
      expect(rows.map((r) => r.toJSON().id)).toEqual([2n]);
    } finally {
      await ro.close();
    }
  });

  it('reads incrementally from the stored cursor, within interval-start/interval-end', async () => {
    const o: JobOptions = { sourceTable: `${schema}.t`, incrementalKey: 'id', extractParallelism: 2, pageSize: 3 };
    const first = await source.plan(ctx, o, undefined);
    expect(first).toMatchObject({ cursor: '11', incremental: false });
    const state: JobState = { jobId: 'src', runId: 'r1', cursor: first.cursor, rowsWritten: 11, committedAt: '' };
    await driver.query(`INSERT INTO ${schema}.t (id) VALUES (12), (13)`);
    const next = await source.plan(ctx, o, state);
    expect(next).toMatchObject({ cursor: '13', incremental: true });
    expect(rowsOf(await readAll(o, next.chunks)).map((r) => r.id)).toEqual([12n, 13n]);
    const none = await source.plan(ctx, o, { ...state, cursor: '13' });
    expect(none.chunks).toEqual([]);
    expect(none.cursor).toBe('13');
    const win: JobOptions = {
      sourceTable: `${schema}.t`,
      incrementalKey: 'updated_at',
      intervalStart: '2024-06-01 00:02:00+00',
      intervalEnd: '2024-06-01 00:05:00+00',
    };
    const w = await source.plan(ctx, win, undefined);
    expect(rowsOf(await readAll(win, w.chunks)).map((r) => r.id)).toEqual([2n, 3n, 4n]);
    expect(w.cursor).toMatch(/^2024-06-01 0\d:04:00/);
  });

  it('round-trips through the sink: the copy equals the source table', async () => {
    const o: JobOptions = { sourceTable: `${schema}.t`, extractParallelism: 2, pageSize: 4 };
    const plan = await source.plan(ctx, o, undefined);
    const sink = new PostgresSink(driver);
    const so: JobOptions = { destTable: `${schema}.copy`, incrementalStrategy: 'merge', primaryKey: ['id'] };
    const batches = await readAll(o, plan.chunks);
    await sink.prepare(ctx, so, (batches[0] as RecordBatch).schema);
    const staged = [];
    for (const c of plan.chunks) staged.push(await sink.stage(ctx, so, c.chunkId, source.read(ctx, o, c)));
    await sink.commit(ctx, so, staged, { jobId: 'src', runId: 'r1', rowsWritten: 0, committedAt: '' });
    const cols = 'id, small, n, amount, free, r, d, ok, name, doc, m::text, u, b, day, tod, ts, tstz, tags, nums';
    const diff = await driver.query(
      `SELECT count(*)::int AS n FROM ((SELECT ${cols} FROM ${schema}.t EXCEPT SELECT ${cols} FROM ${schema}.copy)
        UNION ALL (SELECT ${cols} FROM ${schema}.copy EXCEPT SELECT ${cols} FROM ${schema}.t)) x`,
    );
    expect(diff.rows[0]?.n).toBe(0);
    const types = await driver.query(
      `SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = '${schema}.copy'::regclass AND attname IN ('doc', 'free') ORDER BY attname`,
    );
    expect(types.rows.map((r) => r.t)).toEqual(['jsonb', 'numeric']);
  });
});
