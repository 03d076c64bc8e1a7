/**
 * The Postgres source's binary COPY read against its text read (the former path, `readFormat: 'text'`): the same
 * batches for every type of the source's map, NULLs, extremes and odd values; clear errors for values the
 * Iceberg type cannot hold; rows spanning stream chunks; early stops leave the pool usable.
 */
import { DataType, type RecordBatch, type Vector } from 'apache-arrow';
import { BinaryCopyDecoder, binarySelectExpr } from '../../../core/connectors/postgres/copy-out-binary';
import type { PgDriver } from '../../../core/connectors/postgres/driver';
import type { SourceColumn } from '../../../core/connectors/postgres/pg-to-arrow';
import { PostgresSource, schemaOf } from '../../../core/connectors/postgres/source';
import { keyBoundaries, type PostgresChunkSpec } from '../../../core/connectors/postgres/source-plan';
import type { ChunkPointer } from '../../../core/connectors/types';
import type { JobOptions } from '../../../core/manifest/types';
import { dropSchema, openTestPg, uniqueSchema } from '../../helpers/postgres';

let driver: PgDriver;
let binary: PostgresSource;
let text: PostgresSource;
const schema = uniqueSchema('srcbin');
const ctx = { jobId: 'srcbin', runId: 'r1' };

/** Every column type of the source's map (and some the map reads as text). */
const COLUMNS = `id int PRIMARY KEY,
  i2 smallint, i4 integer, i8 bigint, f4 real, f8 double precision,
  n10_2 numeric(10,2), n38_10 numeric(38,10), n38_0 numeric(38,0), n3_5 numeric(3,5), n18_4 numeric(18,4),
  nfree numeric, nneg numeric(5,-2),
  ok boolean, t text, vc varchar(20), ch char(5), ch1 "char", nm name, b bytea, u uuid,
  d date, tm time, tm3 time(3), ts timestamp, ts0 timestamp(0), tstz timestamptz, tz timetz, iv interval,
  j json, jb jsonb, m MOOD, addr inet, dom posint, x xml, bits bit varying(8), money_ money, pt point,
  ai int[], asi smallint[], abi bigint[], ar real[], ad double precision[], ab boolean[], at text[],
  av varchar(5)[], a2 int[], ajb jsonb[], anum numeric[], ach char(3)[], auuid uuid[], adate date[]`;

const ROWS = `
(1, -32768, -2147483648, -9223372036854775808, '-3.4028235e38', '-1.7976931348623157e308',
  -99999999.99, '-9999999999999999999999999999.9999999999', '-99999999999999999999999999999999999999', 0.00999, 12345678901234.5678,
  '-123456789012345678901234567890.123456789012345678901234567890', -1234500,
  false, '', '', '', 'a', '', '\\x', '00000000-0000-0000-0000-000000000000',
  '4713-01-01 BC', '00:00:00', '00:00:00.001', '4713-01-01 00:00:00 BC', '1970-01-01 00:00:00', '0001-01-01 00:00:00+00',
  '00:00:00+14', '-178000000 years', '[]', '{}', 'sad', '::1', 1, '<a/>', B'', '-92233720368547758.08', '(0,0)',
  '{}', '{-32768,32767}', '{-9223372036854775808,9223372036854775807}', '{NaN,-Infinity,Infinity,-0}',
  '{5e-324,-2.2250738585072014e-308}', '{true,false,NULL}', '{"",NULL,"NULL","a,b","q\\"x"}',
  '{"",é}', '{{1,2},{3,4}}', '{"{\\"a\\": 1}"}', '{1.50,NaN}', '{"a  ","  b"}', '{00000000-0000-0000-0000-000000000001}', '{2024-01-01}'),
(2, 32767, 2147483647, 9223372036854775807, '3.4028235e38', '1.7976931348623157e308',
  99999999.99, '9999999999999999999999999999.9999999999', '99999999999999999999999999999999999999', -0.00001, -0.0001,
  'NaN', 9999900,
  true, 'unicode: é ß 中文 😀 \\t tab', 'x', 'ab', 'z', 'name', '\\x00ff10', 'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '294276-12-31', '24:00:00', '23:59:59.999', '294247-01-09 23:59:59.999999', '2038-01-19 03:14:08', '294247-01-09 23:59:59.999999+00',
  '24:00:00-15:59', '1 year 2 mons 3 days 04:05:06.789', '{"k": [1, 2.50, "x"]}', '{"k": [1, 2.50, "x"], "z": null}',
  'happy', '192.168.1.0/24', 2147483647, '<b>é</b>', B'1010', '92233720368547758.07', '(1.5,-2)',
  '{1,NULL,3}', '{}', '{0}', '{1.5}', '{1e-310}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}'),
(3, 0, 0, 0, '1.17549435e-38', '2.2250738585072014e-308',
  0, 0, 0, 0, 0.0001, '0.000000000000000000000000000000000000000000000000000000000000000000000001', 0,
  NULL, ' leading and trailing ', 'é', 'é', '', 'x', '\\x0a0d', '123e4567-e89b-12d3-a456-426614174000',
  '2000-01-01', '12:34:56.789012', '12:34:56.789', '2000-01-01 00:00:00', '1999-12-31 23:59:59', '2000-01-01 00:00:00+00',
  NULL, '-1 days', 'null', 'null', 'ok', NULL, NULL, NULL, NULL, '0', NULL,
  '{NULL}', NULL, NULL, NULL, NULL, NULL, '{NULL}', '{NULL}', '{{{1}},{{2}}}', NULL, NULL, NULL, NULL, NULL),
(4, NULL, NULL, NULL, 'NaN', 'NaN', NULL, NULL, NULL, NULL, NULL, 'Infinity', NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
(5, 1, -1, -1, '-0', '-0', -0.01, 0.0000000001, 1, 0.00001, -12345678901234.5678, '-Infinity', -100,
  true, repeat('long é text ', 500), 'y', NULL, NULL, NULL, decode(repeat('ab', 3000), 'hex'), NULL,
  '1970-01-01', '00:00:00.000001', NULL, '1969-12-31 23:59:59.999999', NULL, '1969-12-31 23:59:59.999999+00',
  NULL, NULL, NULL, '{"a": "é\\u00e9"}', NULL, NULL, 7, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`;

/** Every value of a batch as comparable text (bigint, bytes, NaN/−0, nested lists), row by row. */
function norm(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : Number.isNaN(v) ? 'NaN' : v;
  if (ArrayBuffer.isView(v)) return `0x${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}`;
  if (typeof v === 'object' && v !== null && 'toArray' in v && 'length' in v) {
    const vec = v as Vector;
    return Array.from({ length: vec.length }, (_, i) => norm(vec.get(i)));
  }
  return v;
}

/** Rows of normalized values; timestamps and times as their raw 64-bit values (`get` rounds them to ms). */
function rowsOf(batches: RecordBatch[]): unknown[][] {
  return batches.flatMap((b) =>
    Array.from({ length: b.numRows }, (_, i) =>
      b.schema.fields.map((f, j) => {
        const col = b.getChildAt(j);
        if (!col?.isValid(i)) return null;
        const raw = DataType.isTimestamp(f.type) || DataType.isTime(f.type);
        return norm(raw ? ((col.data[0] as { values: BigInt64Array }).values[i] as bigint) : col.get(i));
      }),
    ),
  );
}

async function readAll(source: PostgresSource, options: JobOptions): Promise<RecordBatch[]> {
  const plan = await source.plan(ctx, options, undefined);
  const out: RecordBatch[] = [];
  for (const c of plan.chunks) for await (const b of source.read(ctx, options, c)) out.push(b);
  return out;
}

beforeAll(async () => {
  driver = openTestPg();
  binary = new PostgresSource(driver);
  text = new PostgresSource(driver, { readFormat: 'text' });
  await driver.query(`CREATE SCHEMA ${schema}`);
  await driver.query(`CREATE TYPE ${schema}.mood AS ENUM ('sad', 'ok', 'happy')`);
  await driver.query(`CREATE DOMAIN ${schema}.posint AS integer CHECK (VALUE > 0)`);
  await driver.query(
    `CREATE TABLE ${schema}.every (${COLUMNS.replace('MOOD', `${schema}.mood`).replace('posint', `${schema}.posint`)})`,
  );
  await driver.query(`INSERT INTO ${schema}.every VALUES ${ROWS}`);
  await driver.query(`CREATE TABLE ${schema}.big (id bigint PRIMARY KEY, v numeric(12,2), s text, at timestamptz)`);
  await driver.query(
    `INSERT INTO ${schema}.big SELECT g, g * 1.01 - 5000, CASE WHEN g % 7 = 0 THEN NULL ELSE repeat('x', g % 40) END,
       timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second' FROM generate_series(1, 10000) g`,
  );
  await driver.query(`ANALYZE ${schema}.big`);
});

afterAll(async () => {
  await dropSchema(driver, schema);
  await driver.close();
});

describe('postgres source: binary COPY read', () => {
  it('reads every type exactly as the text read does (NULLs, extremes, unicode, empty strings)', async () => {
    const o: JobOptions = { sourceTable: `${schema}.every`, pageSize: 2 };
    const [a, b] = [await readAll(binary, o), await readAll(text, o)];
    expect(a.map((x) => x.numRows)).toEqual([2, 2, 1]);
    expect(b.map((x) => x.numRows)).toEqual([2, 2, 1]);
    expect(a[0]?.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual(
      b[0]?.schema.fields.map((f) => `${f.name}:${f.type}`),
    );
    const [ra, rb] = [rowsOf(a), rowsOf(b)];
    const names = a[0]?.schema.fields.map((f) => f.name) ?? [];
    for (let r = 0; r < rb.length; r++)
      for (let j = 0; j < names.length; j++)
        expect({ row: r + 1, column: names[j], value: ra[r]?.[j] }).toEqual({
          row: r + 1,
          column: names[j],
          value: rb[r]?.[j],
        });
    // A few values checked against what they must be, not only against the text path.
    const col = (n: string) => names.indexOf(n);
    expect(ra[0]?.[col('i8')]).toBe('-9223372036854775808n');
    expect(ra[1]?.[col('i8')]).toBe('9223372036854775807n');
    expect(ra[0]?.[col('t')]).toBe('');
    expect(ra[3]?.[col('t')]).toBeNull();
    expect(ra[1]?.[col('t')]).toBe('unicode: é ß 中文 😀 \\t tab');
    expect(ra[1]?.[col('ch')]).toBe('ab');
    expect(ra[1]?.[col('jb')]).toBe('{"k": [1, 2.50, "x"], "z": null}');
    expect(ra[1]?.[col('nfree')]).toBe('NaN');
    expect(ra[0]?.[col('d')]).toBe(-2440550 * 86400000); // 4713-01-01 BC (Julian day 38), as ms
    expect(ra[1]?.[col('tm')]).toBe('86400000000n');
    expect(ra[2]?.[col('at')]).toEqual([null]);
    expect(ra[0]?.[col('at')]).toEqual(['', null, 'NULL', 'a,b', 'q"x']);
    expect(ra[0]?.[col('a2')]).toEqual([1, 2, 3, 4]);
    expect(ra[0]?.[col('ar')]).toEqual(['NaN', Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, '-0']);
    expect(ra[0]?.[col('ach')]).toEqual(['a  ', '  b']);
    const unscaled = (row: number, name: string) => {
      const w = a.flatMap((x) => {
        const c = x.getChild(name)?.data[0];
        return c ? [Array.from(c.values as Uint32Array)] : [];
      });
      const all = w.flat();
      let v = 0n;
      for (let k = 3; k >= 0; k--) v = (v << 32n) | BigInt(all[row * 4 + k] as number);
      return BigInt.asIntN(128, v);
    };
    expect(unscaled(0, 'n38_10')).toBe(-99999999999999999999999999999999999999n);
    expect(unscaled(1, 'n38_0')).toBe(99999999999999999999999999999999999999n);
    expect(unscaled(0, 'n3_5')).toBe(999n);
    expect(unscaled(1, 'n3_5')).toBe(-1n);
    expect(unscaled(0, 'n18_4')).toBe(123456789012345678n);
    expect(unscaled(1, 'n18_4')).toBe(-1n);
    expect(unscaled(0, 'n10_2')).toBe(-9999999999n);
  });

  it('reads many rows across batches and key-range chunks identically', async () => {
    const o: JobOptions = { sourceTable: `${schema}.big`, pageSize: 999, extractParallelism: 3 };
    const [a, b] = [await readAll(binary, o), await readAll(text, o)];
    expect(a.reduce((n, x) => n + x.numRows, 0)).toBe(10000);
    expect(Math.max(...a.map((x) => x.numRows))).toBe(999);
    expect(rowsOf(a)).toEqual(rowsOf(b));
  });

  it('reads queries, incremental windows and ctid ranges as the text read does', async () => {
    const q: JobOptions = {
      sourceTable: `query:SELECT id, v * 2 AS v2, s, at FROM ${schema}.big WHERE id % 3 = 0`,
      pageSize: 500,
    };
    expect(rowsOf(await readAll(binary, q))).toEqual(rowsOf(await readAll(text, q)));
    const inc: JobOptions = {
      sourceTable: `${schema}.big`,
      incrementalKey: 'at',
      intervalStart: '2024-01-01 01:00:00+00',
    };
    const rows = rowsOf(await readAll(binary, inc));
    expect(rows).toHaveLength(10000 - 3599);
    expect(rows).toEqual(rowsOf(await readAll(text, inc)));
  });

  it.each([
    ['ts timestamp', `'infinity'`, 'column "ts": infinity cannot be stored in an Iceberg timestamp'],
    ['ts timestamptz', `'-infinity'`, 'column "ts": -infinity cannot be stored in an Iceberg timestamptz'],
    ['ts date', `'infinity'`, 'column "ts": infinity cannot be stored in an Iceberg date'],
    ['ts numeric(10,2)', `'NaN'`, 'column "ts": numeric NaN cannot be stored in an Iceberg decimal(10, 2)'],
  ])('refuses %s = %s naming table and column, on both paths', async (decl, value, message) => {
    const t = `bad_${decl.split(' ')[1]?.replace(/\W/g, '')}_${value.replace(/\W/g, '')}`.toLowerCase();
    await driver.query(`CREATE TABLE ${schema}.${t} (id int, ${decl})`);
    await driver.query(`INSERT INTO ${schema}.${t} VALUES (1, NULL), (2, ${value})`);
    const o: JobOptions = { sourceTable: `${schema}.${t}` };
    await expect(readAll(binary, o)).rejects.toThrow(`postgres source "${schema}"."${t}" ${message}`);
    await expect(readAll(text, o)).rejects.toThrow(`postgres source "${schema}"."${t}" ${message}`);
    expect((await driver.query('SELECT 1 AS one')).rows[0]?.one).toBe(1);
  });

  it('reports an error the server raises in the middle of the COPY, and the pool stays usable', async () => {
    const o: JobOptions = { sourceTable: `query:SELECT id, 1 / (id - 9000) AS x, s FROM ${schema}.big`, pageSize: 100 };
    let rows = 0;
    const reading = (async () => {
      for (const c of (await binary.plan(ctx, o, undefined)).chunks)
        for await (const b of binary.read(ctx, o, c)) rows += b.numRows;
    })();
    await expect(reading).rejects.toThrow('postgres copy: division by zero');
    expect(rows).toBeGreaterThan(0);
    expect((await driver.query('SELECT 3 AS three')).rows[0]?.three).toBe(3);
  });

  it('refuses timestamps past the 64-bit microsecond range of Iceberg', async () => {
    await driver.query(`CREATE TABLE ${schema}.far (ts timestamp)`);
    await driver.query(`INSERT INTO ${schema}.far VALUES ('294247-01-10 04:00:54.775808')`);
    await expect(readAll(binary, { sourceTable: `${schema}.far` })).rejects.toThrow(
      `postgres source "${schema}"."far" column "ts": a value after 294247-01-10 cannot be stored in an Iceberg timestamp`,
    );
  });

  it('splits a large table on a block sample of its key: every row once, chunks of similar size', async () => {
    await driver.query(`CREATE TABLE ${schema}.large (id int PRIMARY KEY, v text)`);
    await driver.query(`INSERT INTO ${schema}.large SELECT g * 3, 'v' FROM generate_series(1, 300000) g`);
    await driver.query(`ANALYZE ${schema}.large`);
    const table = `"${schema}"."large"`;
    const [sampled, exact] = await driver.session(async (s) => [
      await keyBoundaries(s, table, 'id', [], 4, 300_000),
      await keyBoundaries(s, table, 'id', [], 4, 0),
    ]);
    expect(exact).toEqual(['225000', '450000', '675000']);
    expect(sampled).toHaveLength(3);
    expect(sampled).not.toEqual(exact);
    const o: JobOptions = { sourceTable: `${schema}.large`, extractParallelism: 4, pageSize: 50_000 };
    const plan = await binary.plan(ctx, o, undefined);
    expect(plan.chunks).toHaveLength(4);
    const sizes: number[] = [];
    const ids = new Set<number>();
    for (const c of plan.chunks) {
      let n = 0;
      for await (const b of binary.read(ctx, o, c)) {
        n += b.numRows;
        for (const id of (b.getChild('id')?.toArray() ?? []) as Int32Array) ids.add(id);
      }
      sizes.push(n);
    }
    expect(ids.size).toBe(300000);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(300000);
    for (const n of sizes) expect(n).toBeGreaterThan(40000);
  });

  it('reads rows of several megabytes (a row spans many stream chunks)', async () => {
    await driver.query(`CREATE TABLE ${schema}.wide (id int PRIMARY KEY, b bytea, t text)`);
    await driver.query(
      `INSERT INTO ${schema}.wide VALUES (1, decode(repeat('00ff7f', 2000000), 'hex'), 'x'),
         (2, NULL, repeat('é', 1500000)), (3, '\\x', ''), (4, decode('0102', 'hex'), NULL)`,
    );
    const o: JobOptions = { sourceTable: `${schema}.wide`, pageSize: 3 };
    const [a, b] = [rowsOf(await readAll(binary, o)), rowsOf(await readAll(text, o))];
    expect(a.map((r) => r.map((v) => (typeof v === 'string' ? v.length : v)))).toEqual([
      [1, 2 + 12_000_000, 'x'.length],
      [2, null, 1_500_000],
      [3, '0x'.length, 0],
      [4, '0x0102'.length, null],
    ]);
    expect(a).toEqual(b);
  });

  it('decodes rows split across stream chunks at every position', async () => {
    const plan = await binary.plan(ctx, { sourceTable: `${schema}.every` }, undefined);
    const columns = ((plan.chunks[0] as ChunkPointer).spec as PostgresChunkSpec).columns;
    const sql = `COPY (SELECT ${columns.map(binarySelectExpr).join(', ')} FROM ${schema}.every ORDER BY id) TO STDOUT (FORMAT binary)`;
    const bytes = await driver.session(async (s) => {
      const parts: Uint8Array[] = [];
      for await (const p of (s.copyTo as (sql: string) => AsyncIterable<Uint8Array>)(sql)) parts.push(p);
      return Buffer.concat(parts);
    });
    const decode = (step: number) => {
      const d = new BinaryCopyDecoder(schemaOf(columns), columns as SourceColumn[], 2, 'every');
      for (let i = 0; i < bytes.length; i += step) d.push(bytes.subarray(i, i + step));
      d.end();
      return rowsOf(d.batches);
    };
    const whole = decode(bytes.length);
    expect(whole).toHaveLength(5);
    for (const step of [1, 3, 7, 64, 1000]) expect(decode(step)).toEqual(whole);
    const cut = new BinaryCopyDecoder(schemaOf(columns), columns as SourceColumn[], 2, 'every');
    cut.push(bytes.subarray(0, bytes.length - 2));
    expect(() => cut.end()).toThrow('postgres source every: binary COPY: COPY stream ended before its trailer');
  });

  it('stops early without leaking a connection mid-COPY', async () => {
    const o: JobOptions = { sourceTable: `${schema}.big`, pageSize: 100 };
    const plan = await binary.plan(ctx, o, undefined);
    for (let k = 0; k < 6; k++) {
      for await (const b of binary.read(ctx, o, plan.chunks[0] as ChunkPointer)) {
        expect(b.numRows).toBe(100);
        break;
      }
    }
    const r = await driver.query(`SELECT count(*)::int AS n FROM ${schema}.big`);
    expect(r.rows[0]?.n).toBe(10000);
    const ctl = new AbortController();
    const reading = (async () => {
      for await (const _ of binary.read({ ...ctx, signal: ctl.signal }, o, plan.chunks[0] as ChunkPointer)) ctl.abort();
    })();
    await expect(reading).rejects.toThrow('read aborted');
    expect((await driver.query('SELECT 2 AS two')).rows[0]?.two).toBe(2);
  });
});
