/** Part of the sink contract: every type of the Arrow → PostgreSQL map round-trips; schema evolution. */
import {
  Binary,
  Bool,
  type Data,
  DateDay,
  Decimal,
  Field,
  FixedSizeBinary,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  List,
  Map_,
  makeData,
  Struct,
  TimeMicrosecond,
  TimestampMicrosecond,
  TimestampNanosecond,
  Utf8,
} from 'apache-arrow';
import { scaledText } from '../../../core/connectors/postgres/copy-encoder';
import { PostgresSink } from '../../../core/connectors/postgres/sink';
import { InvalidInputError } from '../../../core/errors';
import { batchOf, bitmapOf, col, fixedData, iterOf } from '../../helpers/postgres';
import type { SinkHarness } from './sink-harness';

const UUID = new Uint8Array([
  0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
]);
const TEXT = 'a\tb\nc\r\\d"e\'é😀,{}';

function decimals(values: (bigint | null)[], precision: number, scale: number) {
  const words = new Uint32Array(values.length * 4);
  values.forEach((v, i) => {
    let x = BigInt.asUintN(128, v ?? 0n);
    for (let k = 0; k < 4; k++) {
      words[i * 4 + k] = Number(x & 0xffffffffn);
      x >>= 32n;
    }
  });
  return makeData({
    type: new Decimal(scale, precision, 128),
    length: values.length,
    data: words,
    ...bitmapOf(values),
  });
}

/** The type columns: [name, arrow column, expected text per row (SQL below)]. */
function typeBatch() {
  const entry = new Field(
    'entries',
    new Struct([new Field('key', new Utf8(), false), new Field('value', new Int32())]),
    false,
  );
  const point = new Struct([new Field('a', new Int32()), new Field('b', new Utf8())]);
  return batchOf([
    col('id', new Int32(), [1, 2, 3]),
    col('i64', new Int64(), fixedData(new Int64(), [9007199254740993n, -5n, null])),
    col('i16', new Int16(), [-32768, 7, null]),
    col('dec', new Decimal(2, 10, 128), decimals([12345n, -5n, null], 10, 2)),
    col('bigdec', new Decimal(10, 38, 128), decimals([123456789012345678901234567890n, -1n, null], 38, 10)),
    col('f32', new Float32(), [1.5, -0.25, null]),
    col('f64', new Float64(), [0.1, 1e300, null]),
    col('flag', new Bool(), [true, false, null]),
    col('txt', new Utf8(), [TEXT, '', null]),
    col('bin', new Binary(), [new Uint8Array([0, 1, 255]), new Uint8Array([]), null]),
    col('fixed', new FixedSizeBinary(4), [new Uint8Array([1, 2, 3, 4]), new Uint8Array([9, 9, 9, 9]), null]),
    col('uid', new FixedSizeBinary(16), [UUID, new Uint8Array(16), null], { 'ARROW:extension:name': 'arrow.uuid' }),
    col('day', new DateDay(), fixedData(new DateDay(), [19000, -719528, null])),
    col('tod', new TimeMicrosecond(), fixedData(new TimeMicrosecond(), [3723000001n, 0n, null])),
    col(
      'tstz',
      new TimestampMicrosecond('UTC'),
      fixedData(new TimestampMicrosecond('UTC'), [1700000000123456n, -1n, null]),
    ),
    col('ts', new TimestampMicrosecond(), fixedData(new TimestampMicrosecond(), [-62135596800000000n, 0n, null])),
    col('tsns', new TimestampNanosecond(), fixedData(new TimestampNanosecond(), [1700000000123456789n, -1n, null])),
    col('obj', point, [{ a: 1, b: 'x' }, { a: null, b: 'q"' }, null]),
    col('kv', new Map_(entry), [new Map([['k', 1]]), new Map(), null]),
    col('ints', new List(new Field('item', new Int32())), [[1, null, 3], [], null]),
    col('strs', new List(new Field('item', new Utf8())), [['a,b', 'q"x', 'back\\', 'NULL'], [''], null]),
    col('objs', new List(new Field('item', point)), [[{ a: 1, b: 'x' }], [], null]),
  ]);
}

const EXPECTED: Record<string, [string, (string | null)[], string]> = {
  i64: ['bigint', ['9007199254740993', '-5', null], 'i64::text'],
  i16: ['smallint', ['-32768', '7', null], 'i16::text'],
  dec: ['numeric(10,2)', ['123.45', '-0.05', null], 'dec::text'],
  bigdec: ['numeric(38,10)', ['12345678901234567890.1234567890', '-0.0000000001', null], 'bigdec::text'],
  f32: ['real', ['1.5', '-0.25', null], 'f32::text'],
  f64: ['double precision', ['0.1', '1e+300', null], 'f64::text'],
  flag: ['boolean', ['true', 'false', null], 'flag::text'],
  txt: ['text', [TEXT, '', null], 'txt'],
  bin: ['bytea', ['\\x0001ff', '\\x', null], 'bin::text'],
  fixed: ['bytea', ['\\x01020304', '\\x09090909', null], 'fixed::text'],
  uid: ['uuid', ['00112233-4455-6677-8899-aabbccddeeff', '00000000-0000-0000-0000-000000000000', null], 'uid::text'],
  day: ['date', ['2022-01-08', '0001-01-01 BC', null], 'day::text'],
  tod: ['time without time zone', ['01:02:03.000001', '00:00:00', null], 'tod::text'],
  tstz: [
    'timestamp with time zone',
    ['2023-11-14 22:13:20.123456', '1969-12-31 23:59:59.999999', null],
    "(tstz AT TIME ZONE 'UTC')::text",
  ],
  ts: ['timestamp without time zone', ['0001-01-01 00:00:00', '1970-01-01 00:00:00', null], 'ts::text'],
  tsns: [
    'timestamp without time zone',
    ['2023-11-14 22:13:20.123456', '1969-12-31 23:59:59.999999', null],
    'tsns::text',
  ],
  obj: ['jsonb', ['{"a": 1, "b": "x"}', '{"a": null, "b": "q\\""}', null], 'obj::text'],
  kv: ['jsonb', ['{"k": 1}', '{}', null], 'kv::text'],
  ints: ['integer[]', ['{1,NULL,3}', '{}', null], 'ints::text'],
  strs: ['text[]', ['{"a,b","q\\"x","back\\\\","NULL"}', '{""}', null], 'strs::text'],
  objs: ['jsonb', ['[{"a": 1, "b": "x"}]', '[]', null], 'objs::text'],
};

const NESTED = new Set(['obj', 'kv', 'ints', 'strs', 'objs']);

/** Checks the column types and values of `table` against EXPECTED (only the columns it has). */
async function checkTypes(h: SinkHarness, table: string, only?: (k: string) => boolean): Promise<void> {
  const expected = Object.entries(EXPECTED).filter(([k]) => !only || only(k));
  const types = await h.driver.query(
    `SELECT a.attname::text AS name, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a
      WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped`,
    [`"${h.schema}".${table}`],
  );
  const got = Object.fromEntries(types.rows.map((r) => [r.name, r.type]));
  const sql = expected.map(([k, [, , expr]]) => `${expr} AS "${k}"`);
  const rows = (await h.driver.query(`SELECT ${sql.join(', ')} FROM "${h.schema}".${table} ORDER BY id`)).rows;
  for (const [k, [type, values]] of expected) {
    expect([k, got[k]]).toEqual([k, type]);
    expect([k, rows.map((r) => r[k])]).toEqual([k, values]);
  }
}

export function describeTypeRoundTrip(harness: () => SinkHarness): void {
  it('every type of the map round-trips', async () => {
    const h = harness();
    const o = { destTable: `${h.schema}.types`, incrementalStrategy: 'merge' as const, primaryKey: ['id'] };
    await h.run(o, 'r1', [['c1', [typeBatch()]]]);
    await h.run(o, 'r2', [['c1', [typeBatch()]]]); // the merge path (UPDATE SET) takes every type too
    await checkTypes(h, 'types');
  });

  it.each(['binary', 'text'] as const)('scalar types round-trip through %s COPY', async (format) => {
    const h = harness();
    const sink = new PostgresSink(h.driver, { copyFormat: format });
    const all = typeBatch();
    const keep = all.schema.fields.map((f, i) => [f, i] as const).filter(([f]) => !NESTED.has(f.name));
    const batch = batchOf(keep.map(([f, i]) => ({ field: f, data: all.data.children[i] as Data })));
    const o = { destTable: `${h.schema}.scalars_${format}`, incrementalStrategy: 'append' as const };
    const ctx = { jobId: `types-${format}`, runId: 'r1' };
    await sink.prepare(ctx, o, batch.schema);
    const staged = await sink.stage(ctx, o, 'c1', iterOf(batch));
    expect(staged.detail).toMatchObject({ format });
    await sink.commit(ctx, o, [staged], { jobId: ctx.jobId, runId: 'r1', rowsWritten: 0, committedAt: '' });
    await checkTypes(h, `scalars_${format}`, (k) => !NESTED.has(k));
  });

  it.each(['binary', 'text'] as const)('numeric edge values round-trip through %s COPY', async (format) => {
    const h = harness();
    const sink = new PostgresSink(h.driver, { copyFormat: format });
    const cases: [number, number, bigint[]][] = [
      [5, 0, [0n, 1n, -1n, 9999n, 10000n, -10001n, 99999n]],
      [12, 3, [0n, 1n, -1n, 1000n, 10000n, 123456789012n, -99999999999n]],
      [20, 4, [1n, 10000n, -99990000n, 10n ** 19n + 1n, -(10n ** 19n)]],
      [38, 5, [1n, -(10n ** 37n) - 7n, 10n ** 37n + 12345n, 100000n]],
    ];
    for (const [p, scale, values] of cases) {
      const batch = batchOf([
        col(
          'id',
          new Int32(),
          values.map((_, i) => i),
        ),
        col('v', new Decimal(scale, p, 128), decimals(values, p, scale)),
      ]);
      const table = `num_${format}_${p}_${scale}`;
      const o = { destTable: `${h.schema}.${table}`, incrementalStrategy: 'append' as const };
      const ctx = { jobId: table, runId: 'r1' };
      await sink.prepare(ctx, o, batch.schema);
      const staged = await sink.stage(ctx, o, 'c1', iterOf(batch));
      expect(staged.detail).toMatchObject({ format });
      await sink.commit(ctx, o, [staged], { jobId: table, runId: 'r1', rowsWritten: 0, committedAt: '' });
      const rows = await h.driver.query(`SELECT v::text AS v FROM "${h.schema}".${table} ORDER BY id`);
      expect(rows.rows.map((r) => r.v)).toEqual(values.map((v) => scaledText(String(v), scale)));
    }
  });

  it('type hints choose the column types; values convert through text COPY', async () => {
    const h = harness();
    const batch = batchOf([
      col('id', new Int32(), [1, 2]),
      col('amount', new Float64(), [12.345, null]),
      col('u', new Utf8(), ['00112233-4455-6677-8899-aabbccddeeff', null]),
      col('day', new Utf8(), ['2024-01-02', null]),
    ]);
    const o = {
      destTable: `${h.schema}.hinted`,
      incrementalStrategy: 'merge' as const,
      primaryKey: ['id'],
      typeHints: { id: 'long', amount: 'decimal(18,2)', u: 'uuid', day: 'date' },
    };
    await h.run(o, 'r1', [['c1', [batch]]]);
    const r = await h.driver.query(
      `SELECT format_type(a.atttypid, a.atttypmod) AS t FROM pg_attribute a
        WHERE a.attrelid = '"${h.schema}".hinted'::regclass AND a.attnum > 0 ORDER BY a.attnum`,
    );
    expect(r.rows.map((x) => x.t)).toEqual(['bigint', 'numeric(18,2)', 'uuid', 'date']);
    const rows = await h.driver.query(
      `SELECT amount::text AS a, u::text AS u, day::text AS d FROM "${h.schema}".hinted ORDER BY id`,
    );
    expect(rows.rows).toEqual([
      { a: '12.35', u: '00112233-4455-6677-8899-aabbccddeeff', d: '2024-01-02' },
      { a: null, u: null, d: null },
    ]);
  });

  it('schema evolution adds columns and widens types; an impossible change fails before any write', async () => {
    const h = harness();
    const o = { destTable: `${h.schema}.evo`, incrementalStrategy: 'append' as const };
    const v1 = batchOf([
      col('id', new Int32(), [1]),
      col('r', new Float32(), [1.5]),
      col('d', new Decimal(2, 6, 128), decimals([1234n], 6, 2)),
    ]);
    await h.run(o, 'r1', [['c1', [v1]]]);
    const v2 = batchOf([
      col('id', new Int64(), fixedData(new Int64(), [5000000000n])),
      col('r', new Float64(), [0.1]),
      col('d', new Decimal(4, 12, 128), decimals([123456789n], 12, 4)),
      col('extra', new Utf8(), ['new']),
    ]);
    await h.run(o, 'r2', [['c1', [v2]]]);
    const rows = await h.driver.query(`SELECT id::text, r::text, d::text, extra FROM "${h.schema}".evo ORDER BY id`);
    expect(rows.rows).toEqual([
      { id: '1', r: '1.5', d: '12.3400', extra: null },
      { id: '5000000000', r: '0.1', d: '12345.6789', extra: 'new' },
    ]);
    const bad = batchOf([col('id', new Utf8(), ['x']), col('later', new Int32(), [1])]);
    const err = await h.run(o, 'r3', [['c1', [bad]]]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as Error).message).toBe(`table ${h.schema}.evo column id: cannot change type bigint to text`);
    const cols = await h.driver.query(
      'SELECT count(*)::int AS n FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2',
      [h.schema, 'evo'],
    );
    expect(cols.rows[0]?.n).toBe(4); // `later` was not added
  });
}
