import fc from 'fast-check';
import { avroType } from '../../../../core/iceberg/avro';

describe('lossless avro long', () => {
  const type = avroType({
    type: 'record',
    name: 'r',
    fields: [
      { name: 'a', type: 'long' },
      { name: 'b', type: ['null', { type: 'long', logicalType: 'timestamp-micros' }] },
    ],
  });
  const norm = (v: bigint) => (Number.isSafeInteger(Number(v)) && BigInt(Number(v)) === v ? Number(v) : v);

  it('decodes every 64-bit value exactly: safe integers as numbers, others as bigint', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        (a, b) => {
          const back = type.fromBuffer(type.toBuffer({ a, b })) as { a: unknown; b: unknown };
          expect(back).toEqual({ a: norm(a), b: norm(b) });
        },
      ),
    );
    for (const v of [0n, -1n, 2n ** 53n - 1n, 2n ** 53n, -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n)]) {
      expect((type.fromBuffer(type.toBuffer({ a: v, b: null })) as { a: unknown }).a).toEqual(norm(v));
    }
  });

  it('reports a truncated long instead of reading past the end', () => {
    const bytes = type.toBuffer({ a: 2n ** 62n, b: null });
    expect(type.decode(bytes.subarray(0, 3)).offset).toBe(-1);
  });
});
