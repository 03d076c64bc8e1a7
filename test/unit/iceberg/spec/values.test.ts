import {
  compareStrings,
  compareValues,
  decimalFromBytes,
  decimalToBytes,
  formatDecimal,
  formatTimestamp,
  fromBytes,
  parseDate,
  parseDecimal,
  parseTimestampNanos,
  toBytes,
  valueFromJson,
  valueToJson,
} from '../../../../core/iceberg/spec';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('single-value binary serialization (Appendix D)', () => {
  it.each([
    ['boolean', true, '01'],
    ['boolean', false, '00'],
    ['int', 34, '22000000'],
    ['int', -1, 'ffffffff'],
    ['long', 34n, '2200000000000000'],
    ['long', -9223372036854775808n, '0000000000000080'],
    ['float', 1, '0000803f'],
    ['double', 1, '000000000000f03f'],
    ['date', 17486, '4e440000'],
    ['time', 81068000000n, '008307e012000000'], // hex values checked with python struct.pack('<q')
    ['timestamp', 1510871468000000n, '00c3262d215e0500'],
    ['timestamptz', 1510871468000000n, '00c3262d215e0500'],
    ['timestamp_ns', 1510871468000001001n, 'e9bb695f98b1f714'],
    ['timestamptz_ns', 1510871468000001001n, 'e9bb695f98b1f714'],
    ['string', 'iceberg', '69636562657267'],
    ['uuid', 'f79c3e09-677c-4bbd-a479-3f349cb785e7', 'f79c3e09677c4bbda4793f349cb785e7'],
    ['fixed[4]', Uint8Array.of(0, 1, 2, 3), '00010203'],
    ['binary', Uint8Array.of(0, 1, 2, 3), '00010203'],
    ['decimal(9, 2)', 1420n, '058c'],
    ['decimal(9, 2)', -1420n, 'fa74'],
    ['decimal(38, 0)', 0n, '00'],
    ['decimal(9, 2)', 128n, '0080'],
    ['decimal(9, 2)', -128n, '80'],
  ])('%s %p ↔ %s', (type, value, bytes) => {
    expect(hex(toBytes(type, value))).toBe(bytes);
    expect(fromBytes(type, Buffer.from(bytes, 'hex'))).toEqual(value);
  });

  it('reads 4-byte bounds of promoted columns (int→long, float→double)', () => {
    expect(fromBytes('long', toBytes('int', -7))).toBe(-7n);
    expect(fromBytes('double', toBytes('float', 1.5))).toBe(1.5);
    expect(fromBytes('timestamp', toBytes('date', 1))).toBe(86_400_000_000n);
    expect(fromBytes('timestamptz_ns', toBytes('date', -1))).toBe(-86_400_000_000_000n);
  });

  it('round-trips large decimals', () => {
    for (const v of [0n, 1n, -1n, 127n, -129n, 10n ** 37n, -(10n ** 37n) + 1n])
      expect(decimalFromBytes(decimalToBytes(v))).toBe(v);
  });

  it('names the type when bytes are too short', () => {
    expect(() => fromBytes('long', Uint8Array.of(1, 2))).toThrow(/bad long value: 2 bytes/);
  });
});

describe('ordering', () => {
  it('orders strings by code point (utf-8 byte order)', () => {
    expect(compareStrings('\uffff', '\u{1f600}')).toBeLessThan(0);
    expect(compareStrings('a', 'ab')).toBeLessThan(0);
    expect(compareValues('b', 'a')).toBeGreaterThan(0);
  });

  it('compares numbers with bigint exactly and puts NaN last', () => {
    expect(compareValues(3, 3n)).toBe(0);
    expect(compareValues(9007199254740993n, 9007199254740992)).toBeGreaterThan(0);
    expect(compareValues(2.5, 2n)).toBeGreaterThan(0);
    expect(compareValues(Number.NaN, 1e308)).toBeGreaterThan(0);
    expect(compareValues(Uint8Array.of(1), Uint8Array.of(0, 9))).toBeGreaterThan(0);
  });
});

describe('json single-value serialization', () => {
  it.each([
    ['boolean', true, true],
    ['int', 34, 34],
    ['long', 34, 34n],
    ['double', 1.5, 1.5],
    ['decimal(9, 2)', '14.20', 1420n],
    ['decimal(9, 2)', '-0.05', -5n],
    ['date', '2017-11-16', 17486],
    ['time', '22:31:08.123456', 81068123456n],
    ['timestamp', '2017-11-16T22:31:08.123456', 1510871468123456n],
    ['timestamptz', '2017-11-16T22:31:08.123456+00:00', 1510871468123456n],
    ['timestamp_ns', '2017-11-16T22:31:08.000001001', 1510871468000001001n],
    ['timestamptz_ns', '2017-11-16T14:31:08.000001001-08:00', 1510871468000001001n],
    ['string', 'iceberg', 'iceberg'],
    ['uuid', 'F79C3E09-677C-4BBD-A479-3F349CB785E7', 'f79c3e09-677c-4bbd-a479-3f349cb785e7'],
    ['binary', '0001ff', Uint8Array.of(0, 1, 255)],
  ])('%s %p → %p', (type, json, value) => {
    expect(valueFromJson(type, json)).toEqual(value);
  });

  it('writes the json forms back', () => {
    expect(valueToJson('decimal(9, 2)', 1420n)).toBe('14.20');
    expect(valueToJson('date', 17486)).toBe('2017-11-16');
    expect(valueToJson('timestamptz', 1510871468123456n)).toBe('2017-11-16T22:31:08.123456+00:00');
    expect(valueToJson('timestamp_ns', 1510871468000001001n)).toBe('2017-11-16T22:31:08.000001001');
    expect(valueToJson('fixed[2]', Uint8Array.of(0xab, 1))).toBe('ab01');
  });

  it('rejects values of the wrong shape', () => {
    expect(() => valueFromJson('date', 5)).toThrow(/bad json value 5 for type date/);
    expect(() => valueFromJson('decimal(9, 2)', '1.234')).toThrow(/decimal/);
  });

  it('formats and parses temporal values before the epoch', () => {
    expect(formatTimestamp(-1n, 'us', true)).toBe('1969-12-31T23:59:59.999999Z');
    expect(parseTimestampNanos('1922-02-15T01:28:51.999998999')).toBe(-1510871468000001001n);
    expect(parseDate('1969-12-31')).toBe(-1);
    expect(parseDecimal('1e2', 2)).toBe(10000n);
    expect(formatDecimal(-5n, 3)).toBe('-0.005');
  });
});
