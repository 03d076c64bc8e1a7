/**
 * The tight metric loops of core/arrow/write/metrics.ts (64-bit values compared by 32-bit halves, 128-bit
 * decimals by words) agree with plain BigInt comparisons on random values of every sign and magnitude.
 */
import * as arrow from 'apache-arrow';
import { icebergSchemaOf } from '../../../core/arrow/write/arrow-schema';
import { conformTable } from '../../../core/arrow/write/conform';
import { computeMetrics } from '../../../core/arrow/write/metrics';

/** Deterministic pseudo-random 32-bit words. */
function words(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

function sample(n: number, seed: number) {
  const next = words(seed);
  const longs = new BigInt64Array(n);
  const decimals = new Uint32Array(4 * n);
  const valid = new Uint8Array(Math.ceil(n / 8));
  const expected = { longs: [] as bigint[], decimals: [] as bigint[] };
  for (let i = 0; i < n; i++) {
    // small, huge, negative: mix magnitudes so both halves/words decide
    const kind = next() % 4;
    const hi = kind === 0 ? 0 : kind === 1 ? -1 : next() | 0;
    const l = BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(next()));
    longs[i] = l;
    const d = BigInt.asIntN(
      128,
      (BigInt(hi) << 96n) | (BigInt(next()) << 64n) | (BigInt(next()) << 32n) | BigInt(next()),
    );
    for (let w = 0; w < 4; w++) decimals[4 * i + w] = Number(BigInt.asUintN(32, d >> BigInt(32 * w)));
    const isValid = next() % 9 !== 0;
    if (isValid) {
      valid[i >> 3] = (valid[i >> 3] as number) | (1 << (i & 7));
      expected.longs.push(l);
      expected.decimals.push(d);
    }
  }
  const nulls = n - expected.longs.length;
  const decimal = new arrow.Decimal(0, 38, 128);
  const table = new arrow.Table({
    l: arrow.makeVector(
      arrow.makeData({ type: new arrow.Int64(), length: n, nullCount: nulls, nullBitmap: valid, data: longs }),
    ),
    d: arrow.makeVector(
      arrow.makeData({ type: decimal, length: n, nullCount: nulls, nullBitmap: valid, data: decimals }),
    ),
  });
  return { table, expected, nulls };
}

const sorted = (xs: bigint[]) => [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
const min = (xs: bigint[]) => sorted(xs)[0];
const max = (xs: bigint[]) => sorted(xs).at(-1);

describe('fast metric loops', () => {
  it.each([1, 7, 42])('long and decimal bounds equal BigInt min/max (seed %i)', (seed) => {
    const { table, expected, nulls } = sample(5_000, seed);
    const schema = icebergSchemaOf(table.schema);
    const m = computeMetrics(conformTable(table, schema), schema);
    expect(m.get(1)).toEqual({
      valueCount: 5_000,
      nullCount: nulls,
      lower: min(expected.longs),
      upper: max(expected.longs),
    });
    expect(m.get(2)).toEqual({
      valueCount: 5_000,
      nullCount: nulls,
      lower: min(expected.decimals),
      upper: max(expected.decimals),
    });
  });

  it('bounds of sliced batches only cover their rows', () => {
    const { table } = sample(1_000, 3);
    const schema = icebergSchemaOf(table.schema);
    const part = conformTable(table, schema).slice(100, 200);
    const col = part.getChild('l') as arrow.Vector;
    const vals = [...col].filter((v): v is bigint => v !== null);
    expect(computeMetrics(part, schema).get(1)).toMatchObject({ lower: min(vals), upper: max(vals) });
  });
});
