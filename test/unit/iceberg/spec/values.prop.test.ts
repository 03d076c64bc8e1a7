import fc from 'fast-check';
import {
  formatTimestamp,
  fromBytes,
  parseJson,
  parseTimestampNanos,
  stringifyJson,
  toBytes,
} from '../../../../core/iceberg/spec';

describe('properties', () => {
  it('long, decimal and timestamp values survive Appendix D bytes', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (v) => {
        expect(fromBytes('long', toBytes('long', v))).toBe(v);
        expect(fromBytes('decimal(38, 2)', toBytes('decimal(38, 2)', v))).toBe(v);
        expect(fromBytes('timestamp_ns', toBytes('timestamp_ns', v))).toBe(v);
      }),
    );
  });

  it('strings survive Appendix D bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => expect(fromBytes('string', toBytes('string', s))).toBe(s)),
    );
  });

  it('json with 64-bit integers round-trips losslessly', () => {
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        fc.string(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('node'), { maxLength: 4 }),
        fc.dictionary(fc.string(), tie('node'), { maxKeys: 4 }),
      ),
    })).node;
    const norm = (v: unknown): unknown =>
      typeof v === 'bigint'
        ? Number.isSafeInteger(Number(v)) && BigInt(Number(v)) === v
          ? Number(v)
          : v
        : Array.isArray(v)
          ? v.map(norm)
          : v && typeof v === 'object'
            ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, norm(x)]))
            : v;
    fc.assert(fc.property(value, (v) => expect(parseJson(stringifyJson(v))).toEqual(norm(v))));
  });

  it('timestamps format and parse back (µs, any sign)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 16n), max: 10n ** 16n }), (us) => {
        expect(parseTimestampNanos(formatTimestamp(us, 'us', true))).toBe(us * 1000n);
      }),
    );
  });
});
