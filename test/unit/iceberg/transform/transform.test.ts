import type { PrimitiveValue } from '../../../../core/iceberg/spec/types';
import { primitiveKind } from '../../../../core/iceberg/spec/types';
import {
  canTransform,
  hashValue,
  murmur3Bytes,
  parseTransform,
  transformFn,
  transformResultType,
  transformToString,
} from '../../../../core/iceberg/transform';

const kind = (t: string) => primitiveKind(t) ?? { kind: 'string' as const };

// format/spec.md Appendix B "32-bit Hash Requirements", and pyiceberg's tests for the ns types.
describe('bucket hash: the spec test vectors', () => {
  it.each<[string, PrimitiveValue, number]>([
    ['int', 34, 2017239379],
    ['long', 34n, 2017239379],
    ['decimal(9, 2)', 1420n, -500754589],
    ['date', 17486, -653330422],
    ['time', 81068000000n, -662762989],
    ['timestamp', 1510871468000000n, -2047944441],
    ['timestamptz', 1510871468000000n, -2047944441],
    ['timestamp_ns', 1510871468000001001n, -1207196810],
    ['timestamptz_ns', 1510871468000001001n, -1207196810],
    ['timestamp_ns', 1510871468000000000n, -2047944441],
    ['string', 'iceberg', 1210000089],
    ['uuid', 'f79c3e09-677c-4bbd-a479-3f349cb785e7', 1488055340],
    ['fixed[4]', Uint8Array.of(0, 1, 2, 3), -188683207],
    ['binary', Uint8Array.of(0, 1, 2, 3), -188683207],
    ['boolean', true, 1392991556],
    ['float', 1, -142385009],
    ['double', 1, -142385009],
  ])('%s %p hashes to %d', (type, value, hash) => {
    expect(hashValue(kind(type), value)).toBe(hash);
  });

  it('hashes -0.0 like 0.0 and empty input like murmur3 of nothing', () => {
    expect(hashValue(kind('double'), -0)).toBe(hashValue(kind('double'), 0));
    expect(murmur3Bytes(new Uint8Array())).toBe(0);
  });
});

describe('transforms', () => {
  it.each([
    ['bucket[16]', { kind: 'bucket', n: 16 }],
    ['truncate[4]', { kind: 'truncate', width: 4 }],
    ['identity', { kind: 'identity' }],
    ['day', { kind: 'day' }],
    ['void', { kind: 'void' }],
    ['zorder', { kind: 'unknown', text: 'zorder' }],
  ])('parses %s', (text, t) => {
    expect(parseTransform(text)).toEqual(t);
    expect(transformToString(parseTransform(text))).toBe(text);
  });

  it('rejects bucket[0]', () => {
    expect(() => parseTransform('bucket[0]')).toThrow(/must be positive/);
  });

  it.each<[string, string, PrimitiveValue, PrimitiveValue | null]>([
    ['bucket[100]', 'int', 34, 79],
    ['bucket[100]', 'long', 34n, 79],
    ['bucket[100]', 'date', 17486, 26],
    ['bucket[100]', 'time', 81068000000n, 59],
    ['bucket[100]', 'timestamp', 1510871468000000n, 7],
    ['bucket[100]', 'decimal(9, 2)', 1420n, 59],
    ['bucket[100]', 'string', 'iceberg', 89],
    ['bucket[100]', 'uuid', 'f79c3e09-677c-4bbd-a479-3f349cb785e7', 40],
    ['truncate[10]', 'int', 1, 0],
    ['truncate[10]', 'int', -1, -10],
    ['truncate[10]', 'long', -11n, -20n],
    ['truncate[50]', 'decimal(9, 2)', 1065n, 1050n],
    ['truncate[3]', 'string', 'iceberg', 'ice'],
    ['truncate[1]', 'string', '😀x', '😀'],
    ['truncate[2]', 'binary', Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2)],
    ['year', 'date', 17486, 47],
    ['month', 'date', 17486, 574],
    ['day', 'timestamp', 1510871468000000n, 17486],
    ['hour', 'timestamptz', 1510871468000000n, 419686],
    ['year', 'timestamp_ns', 1510871468000001001n, 47],
    ['month', 'timestamp_ns', 1510871468000001001n, 574],
    ['day', 'date', -1, -1],
    ['hour', 'timestamp', -1n, -1],
    ['month', 'timestamp', -1n, -1],
    ['year', 'date', -1, -1],
    ['identity', 'string', 'x', 'x'],
    ['void', 'int', 5, null],
  ])('%s of %s %p is %p', (t, type, value, out) => {
    expect(transformFn(parseTransform(t), type)(value)).toEqual(out);
  });

  it('maps null to null', () => {
    expect(transformFn(parseTransform('bucket[4]'), 'int')(null)).toBeNull();
  });

  it('knows result types and which sources a transform accepts', () => {
    expect(transformResultType(parseTransform('bucket[4]'), 'string')).toBe('int');
    expect(transformResultType(parseTransform('day'), 'timestamp')).toBe('date');
    expect(transformResultType(parseTransform('truncate[4]'), 'string')).toBe('string');
    expect(canTransform(parseTransform('hour'), 'date')).toBe(false);
    expect(canTransform(parseTransform('bucket[2]'), 'float')).toBe(false);
    expect(() => transformFn(parseTransform('truncate[2]'), 'boolean')).toThrow(/cannot be applied to type boolean/);
  });
});
