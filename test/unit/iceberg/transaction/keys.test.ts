import * as arrow from 'apache-arrow';
import { conformTable } from '../../../../core/arrow/write/conform';
import type { Schema } from '../../../../core/iceberg/spec/schema';
import { keyIndex } from '../../../../core/iceberg/transaction/keys';
import { dedupeByKey, rowKeys } from '../../../../core/iceberg/transaction/merge';

const schema: Schema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', required: false, type: 'long' },
    { id: 2, name: 'n', required: false, type: 'int' },
    { id: 3, name: 's', required: false, type: 'string' },
    { id: 4, name: 'd', required: false, type: 'decimal(20, 2)' },
    { id: 5, name: 'b', required: false, type: 'boolean' },
    { id: 6, name: 'x', required: false, type: 'double' },
    { id: 7, name: 'day', required: false, type: 'date' },
  ],
};

type Row = [bigint | null, number | null, string | null, bigint | null, boolean | null, number | null, number | null];

function table(rows: Row[]): arrow.Table {
  const col = <T>(i: number) => rows.map((r) => r[i] as T);
  const decimals = new Uint32Array(rows.length * 4);
  col<bigint | null>(3).forEach((v, i) => {
    let x = BigInt.asUintN(128, v ?? 0n);
    for (let w = 0; w < 4; w++, x >>= 32n) decimals[i * 4 + w] = Number(x & 0xffffffffn);
  });
  const valid = (i: number) => {
    const bm = new Uint8Array(Math.ceil(rows.length / 8));
    rows.forEach((r, k) => {
      if (r[i] !== null) bm[k >> 3] = (bm[k >> 3] as number) | (1 << (k & 7));
    });
    return bm;
  };
  return new arrow.Table({
    id: arrow.vectorFromArray(col<bigint | null>(0), new arrow.Int64()),
    n: arrow.vectorFromArray(col<number | null>(1), new arrow.Int32()),
    s: arrow.vectorFromArray(col<string | null>(2), new arrow.Utf8()),
    d: arrow.makeVector(
      arrow.makeData({
        type: new arrow.Decimal(2, 20, 128),
        length: rows.length,
        nullCount: col(3).filter((v) => v === null).length,
        nullBitmap: valid(3),
        data: decimals,
      }),
    ),
    b: arrow.vectorFromArray(col<boolean | null>(4), new arrow.Bool()),
    x: arrow.vectorFromArray(col<number | null>(5), new arrow.Float64()),
    day: arrow.vectorFromArray(
      col<number | null>(6).map((v) => (v === null ? null : new Date(v * 86_400_000))),
      new arrow.DateDay(),
    ),
  });
}

const rows: Row[] = [
  [1n, 1, 'a', 100n, true, 1.5, 1],
  [null, null, null, null, null, null, null],
  [-5n, -5, 'ünï', -12345n, false, -0, -3],
  [2n ** 62n + 7n, 2 ** 31 - 1, '', 2n ** 100n, true, 0, 20000],
  [-(2n ** 63n), -(2 ** 31), 'a\u0000b', 0n, false, Number.NaN, 0],
  [2n ** 32n, 0, 'x'.repeat(100), 1n, true, 2, 1],
];
const probe: Row[] = [
  [1n, 1, 'a', 100n, true, 1.5, 1],
  [2n, 2, 'b', 101n, null, 2.5, 2],
  [null, null, null, null, null, null, null],
  [2n ** 32n, 0, 'x'.repeat(100), 1n, true, 2, 1],
  [2n ** 62n + 7n, 2 ** 31 - 1, '', 2n ** 100n, true, 0, 20000],
  [2n ** 62n + 8n, 2 ** 31 - 2, ' ', 2n ** 100n + 1n, false, 3, 20001],
  [0n, 3, 'ünï ', -12346n, false, 4, -4],
];

describe('keyIndex (merge keys as bytes)', () => {
  const base = conformTable(table(rows), schema);
  const other = conformTable(table(probe), schema);

  it.each([[[1]], [[2]], [[3]], [[4]], [[5]], [[7]], [[1, 3]], [[3, 4, 5]], [[2, 7, 1]]])(
    'matches exactly the rows whose string keys match (fields %j)',
    (ids) => {
      const index = keyIndex(schema, ids);
      expect(index).toBeDefined();
      expect(index?.addRows(base)).toBe(true);
      const want = new Set(rowKeys(base, schema, ids));
      expect(index?.size).toBe(want.size);
      const drop = new Uint8Array(other.numRows);
      const count = index?.markRows(other, drop);
      const expected = rowKeys(other, schema, ids).map((k) => (want.has(k) ? 1 : 0));
      expect([...drop]).toEqual(expected);
      expect(count).toBe(expected.filter(Boolean).length);
    },
  );

  it('reads sliced and multi-batch tables at the right rows', () => {
    const index = keyIndex(schema, [1]);
    index?.addRows(base.slice(2, 5));
    const two = new arrow.Table(other.schema, [...other.slice(1, 4).batches, ...other.slice(4).batches]);
    const drop = new Uint8Array(two.numRows);
    expect(index?.markRows(two, drop)).toBe(1);
    const want = new Set(rowKeys(base.slice(2, 5), schema, [1]));
    expect([...drop]).toEqual(rowKeys(two, schema, [1]).map((k) => (want.has(k) ? 1 : 0)));
  });

  it('parses rowKeys strings back for one integer or string key, refuses the rest', () => {
    for (const ids of [[1], [2], [3], [7]]) {
      const index = keyIndex(schema, ids);
      expect(index?.addKeyStrings(rowKeys(base, schema, ids))).toBe(true);
      const drop = new Uint8Array(base.numRows);
      expect(index?.markRows(base, drop)).toBe(base.numRows);
    }
    expect(keyIndex(schema, [1])?.addKeyStrings(['12', 'abc'])).toBe(false);
    expect(keyIndex(schema, [2])?.addKeyStrings([String(2 ** 31)])).toBe(false);
    expect(keyIndex(schema, [4])?.addKeyStrings(['1'])).toBe(false);
    expect(keyIndex(schema, [1, 3])?.addKeyStrings(['1\u0000a'])).toBe(false);
  });

  it('leaves float keys to the string path (0 and -0 are one key there)', () => {
    expect(keyIndex(schema, [6])).toBeUndefined();
    expect(keyIndex(schema, [1, 6])).toBeUndefined();
  });

  it('numbers entries in insertion order; dedupeByKey keeps the last row of each key', () => {
    const t = conformTable(table([...rows, ...probe, ...rows.slice(0, 2)]), schema);
    const entries = new Int32Array(t.numRows);
    const index = keyIndex(schema, [1]);
    index?.addRows(t, entries);
    expect(entries[0]).toBe(0);
    expect(entries[rows.length + probe.length]).toBe(0);
    expect(entries[rows.length + probe.length + 1]).toBe(1);
    for (const ids of [[1], [3], [1, 3], [6]]) {
      const keys = rowKeys(t, schema, ids);
      const last = new Map<string, number>();
      keys.forEach((k, i) => {
        last.set(k, i);
      });
      const want = [...last.values()].sort((a, b) => a - b);
      const got = dedupeByKey(t, schema, ids);
      expect(rowKeys(got, schema, ids)).toEqual(want.map((i) => keys[i]));
      expect(got.getChild('s')?.toArray()).toEqual(want.map((i) => t.getChild('s')?.get(i)));
    }
  });

  it('grows past its initial capacity', () => {
    const n = 20_000;
    const big = new arrow.Table({
      id: arrow.makeVector(BigInt64Array.from({ length: n }, (_, i) => BigInt(i * 7919))),
    });
    const s: Schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] };
    const str = new arrow.Table({ s: arrow.vectorFromArray(Array.from({ length: n }, (_, i) => `k${i}`)) });
    const ss: Schema = {
      type: 'struct',
      'schema-id': 0,
      fields: [{ id: 1, name: 's', required: true, type: 'string' }],
    };
    for (const [t, sc] of [
      [big, s],
      [conformTable(str, ss), ss],
    ] as const) {
      const index = keyIndex(sc, [1]);
      index?.addRows(t.slice(0, n / 2));
      expect(index?.size).toBe(n / 2);
      const drop = new Uint8Array(n);
      expect(index?.markRows(t, drop)).toBe(n / 2);
      expect(drop.indexOf(0)).toBe(n / 2);
    }
  });
});
