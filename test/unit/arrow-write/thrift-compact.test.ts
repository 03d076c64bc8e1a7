/**
 * The generic Thrift compact codec (core/arrow/parquet/thrift-compact.ts) on the protocol's corner cases, with byte
 * sequences built by hand from the spec (https://github.com/apache/thrift/blob/master/doc/specs/thrift-compact-protocol.md):
 * long-form field headers (negative deltas, gaps over 15, id 0, negative ids), i8, i16/i32/i64 extremes, doubles,
 * booleans as fields and as container elements, empty and non-empty maps, short and long list headers, sets, nested
 * structs, and malformed input.
 */
import {
  decodeStruct,
  encodeStruct,
  T,
  type TField,
  ThriftError,
  type TList,
  type TMap,
  type TStruct,
  type TValue,
} from '../../../core/arrow/parquet/thrift-compact';

const bytes = (...xs: number[]) => Uint8Array.from(xs);
const struct = (...fields: TField[]): TStruct => ({ kind: 'struct', fields });
const list = (elemType: number, items: TValue[], type: number = T.LIST): TList => ({
  kind: 'list',
  type,
  elemType,
  items,
});
const map = (keyType: number, valueType: number, entries: [TValue, TValue][]): TMap => ({
  kind: 'map',
  keyType,
  valueType,
  entries,
});
const utf8 = (s: string) => new TextEncoder().encode(s);
const le64 = (x: number) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, x, true);
  return [...b];
};

/** Decodes `b` whole (the struct must end exactly at the end). */
function decodeAll(b: Uint8Array): TStruct {
  const { struct: s, end } = decodeStruct(b);
  expect(end).toBe(b.length);
  return s;
}

describe('thrift compact: hand-built byte sequences (spec)', () => {
  // Every field of this struct, in wire order, with its encoding per the spec.
  const wire = bytes(
    // 1: i8 -2, short form delta 1 type I8 (3)
    0x13,
    0xfe,
    // 3: double 1.5, delta 2 type DOUBLE (7), little endian
    0x27,
    ...le64(1.5),
    // 20: i32 300, delta 17 > 15: long form (0000 0101), id zigzag(20) = 40, value zigzag(300) = 600 = 0xd8 0x04
    0x05,
    0x28,
    0xd8,
    0x04,
    // 4: i64 -1, negative delta: long form (0000 0110), id zigzag(4) = 8, value zigzag(-1) = 1
    0x06,
    0x08,
    0x01,
    // 5: bool true (type 1 in the header, no value byte), delta 1
    0x11,
    // 6: bool false (type 2), delta 1
    0x12,
    // 7: list<bool> [true, false, true]: delta 1 type LIST (9), header size 3 elem BOOL (2), elements 1 / 2 / 1
    0x19,
    0x32,
    0x01,
    0x02,
    0x01,
    // 8: empty map: delta 1 type MAP (11), size 0 and no type byte
    0x1b,
    0x00,
    // 9: list<i16> of 20 elements: long header 1111 0100, size 20, zigzag(i - 10) each
    0x19,
    0xf4,
    0x14,
    ...Array.from({ length: 20 }, (_, i) => (i - 10 < 0 ? -2 * (i - 10) - 1 : 2 * (i - 10))),
    // 10: map<binary, bool> {"a": true, "b": false}: size 2, key BINARY (8) value BOOL (1), entries
    0x1b,
    0x02,
    0x81,
    0x01,
    0x61,
    0x01,
    0x01,
    0x62,
    0x02,
    // 11: struct { 1: binary "hi" }
    0x1c,
    0x18,
    0x02,
    0x68,
    0x69,
    0x00,
    // 12: set<i32> [1]: delta 1 type SET (10), header size 1 elem I32 (5), zigzag(1) = 2
    0x1a,
    0x15,
    0x02,
    // 13: list<double> [-0, Infinity]
    0x19,
    0x27,
    ...le64(-0),
    ...le64(Number.POSITIVE_INFINITY),
    // 14: list<list<i8>> [[], [127, -128]]
    0x19,
    0x29,
    0x03,
    0x23,
    0x7f,
    0x80,
    // stop
    0x00,
  );

  const want = struct(
    { id: 1, type: T.I8, value: -2 },
    { id: 3, type: T.DOUBLE, value: 1.5 },
    { id: 20, type: T.I32, value: 300 },
    { id: 4, type: T.I64, value: -1n },
    { id: 5, type: T.TRUE, value: true },
    { id: 6, type: T.FALSE, value: false },
    { id: 7, type: T.LIST, value: list(T.FALSE, [true, false, true]) },
    { id: 8, type: T.MAP, value: map(0, 0, []) },
    {
      id: 9,
      type: T.LIST,
      value: list(
        T.I16,
        Array.from({ length: 20 }, (_, i) => i - 10),
      ),
    },
    {
      id: 10,
      type: T.MAP,
      value: map(T.BINARY, T.TRUE, [
        [utf8('a'), true],
        [utf8('b'), false],
      ]),
    },
    { id: 11, type: T.STRUCT, value: struct({ id: 1, type: T.BINARY, value: utf8('hi') }) },
    { id: 12, type: T.SET, value: list(T.I32, [1], T.SET) },
    { id: 13, type: T.LIST, value: list(T.DOUBLE, [-0, Number.POSITIVE_INFINITY]) },
    {
      id: 14,
      type: T.LIST,
      value: list(T.LIST, [list(T.I8, []), list(T.I8, [127, -128])]),
    },
  );

  it('decodes every field as the spec lays it out', () => {
    const s = decodeAll(wire);
    expect(s).toEqual(want);
    expect(Object.is(((s.fields[12] as TField).value as TList).items[0], -0)).toBe(true);
  });

  it('encodes the decoded struct back to the same bytes, and the hand-built struct to them too', () => {
    expect(Buffer.from(encodeStruct(decodeAll(wire))).equals(Buffer.from(wire))).toBe(true);
    expect(Buffer.from(encodeStruct(want)).equals(Buffer.from(wire))).toBe(true);
  });

  it('reads a false list element written as 0 (the spec) or 2 (Java, parquet-rs)', () => {
    const s = decodeAll(bytes(0x19, 0x42, 0x00, 0x02, 0x01, 0x00, 0x00));
    expect(((s.fields[0] as TField).value as TList).items).toEqual([false, false, true, false]);
    // and a list<bool> whose element type is given as 1 (BOOLEAN_TRUE, Java's compact type for bool)
    const j = decodeAll(bytes(0x19, 0x21, 0x01, 0x02, 0x00));
    expect(((j.fields[0] as TField).value as TList).items).toEqual([true, false]);
  });

  it('reads long-form headers for field id 0, negative ids and ids past 15 from the previous one', () => {
    // 0: i32 7 (long form: a delta of 0 is not allowed), -1: i32 7 (negative delta), 32767: i32 7 (delta over 15)
    const b = bytes(0x05, 0x00, 0x0e, 0x05, 0x01, 0x0e, 0x05, 0xfe, 0xff, 0x03, 0x0e, 0x00);
    const s = decodeAll(b);
    expect(s.fields.map((f) => [f.id, f.value])).toEqual([
      [0, 7],
      [-1, 7],
      [32767, 7],
    ]);
    expect(Buffer.from(encodeStruct(s)).equals(Buffer.from(b))).toBe(true);
    // after a long-form header the next delta counts from that id: 17 then 18 (short, delta 1)
    const c = decodeAll(bytes(0x15, 0x02, 0x05, 0x22, 0x04, 0x15, 0x06, 0x00));
    expect(c.fields.map((f) => [f.id, f.value])).toEqual([
      [1, 1],
      [17, 2],
      [18, 3],
    ]);
  });

  it('uses the short list header up to 14 elements and the long one from 15', () => {
    for (const n of [0, 1, 14, 15, 16, 127, 128, 300]) {
      const s = struct({
        id: 1,
        type: T.LIST,
        value: list(
          T.I8,
          Array.from({ length: n }, (_, i) => i % 100),
        ),
      });
      const b = encodeStruct(s);
      if (n < 15) expect(b[1]).toBe((n << 4) | T.I8);
      else {
        expect(b[1]).toBe(0xf0 | T.I8);
        // var int size
        expect(b[2]).toBe(n < 128 ? n : (n & 0x7f) | 0x80);
      }
      expect(decodeAll(b)).toEqual(s);
    }
  });
});

describe('thrift compact: round trips of hand-built structs', () => {
  const roundTrip = (s: TStruct) => {
    const b = encodeStruct(s);
    const back = decodeAll(b);
    expect(back).toEqual(s);
    expect(Buffer.from(encodeStruct(back)).equals(Buffer.from(b))).toBe(true);
    return b;
  };

  it('integers at their limits', () => {
    roundTrip(
      struct(
        { id: 1, type: T.I8, value: -128 },
        { id: 2, type: T.I8, value: 127 },
        { id: 3, type: T.I16, value: -32768 },
        { id: 4, type: T.I16, value: 32767 },
        { id: 5, type: T.I32, value: -2147483648 },
        { id: 6, type: T.I32, value: 2147483647 },
        { id: 7, type: T.I64, value: -(2n ** 63n) },
        { id: 8, type: T.I64, value: 2n ** 63n - 1n },
        { id: 9, type: T.I64, value: 0n },
        { id: 10, type: T.I32, value: 0 },
      ),
    );
  });

  it('i64 zigzag var ints as the spec gives them', () => {
    // zigzag(-64) = 127 (one byte), zigzag(64) = 128 = 0x80 0x01, zigzag(i64 min) = 2^64 - 1 (ten bytes)
    expect([...encodeStruct(struct({ id: 1, type: T.I64, value: -64n }))]).toEqual([0x16, 0x7f, 0x00]);
    expect([...encodeStruct(struct({ id: 1, type: T.I64, value: 64n }))]).toEqual([0x16, 0x80, 0x01, 0x00]);
    expect([...encodeStruct(struct({ id: 1, type: T.I64, value: -(2n ** 63n) }))]).toEqual([
      0x16, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00,
    ]);
  });

  it('fields out of order, far apart, with id 0 and negative ids', () => {
    const b = roundTrip(
      struct(
        { id: 30, type: T.I32, value: 1 },
        { id: 2, type: T.I32, value: 2 },
        { id: 0, type: T.BINARY, value: utf8('zero') },
        { id: -5, type: T.TRUE, value: true },
        { id: -4, type: T.FALSE, value: false },
        { id: 1000, type: T.DOUBLE, value: -2.5e300 },
        { id: 1001, type: T.DOUBLE, value: Number.NaN },
      ),
    );
    // 30 is > 15 from 0: long form
    expect([...b.subarray(0, 3)]).toEqual([0x05, 60, 0x02]);
  });

  it('booleans: the field type follows the value; in containers one byte each', () => {
    const s = struct({ id: 1, type: T.TRUE, value: false }, { id: 2, type: T.FALSE, value: true });
    expect([...encodeStruct(s)]).toEqual([0x12, 0x11, 0x00]);
    const l = struct({
      id: 1,
      type: T.LIST,
      value: list(
        T.FALSE,
        Array.from({ length: 17 }, (_, i) => i % 3 === 0),
      ),
    });
    const b = roundTrip(l);
    expect(b.length).toBe(1 + 2 + 17 + 1);
  });

  it('maps: empty, of structs, of lists, with long sizes', () => {
    roundTrip(
      struct(
        { id: 1, type: T.MAP, value: map(0, 0, []) },
        {
          id: 2,
          type: T.MAP,
          value: map(
            T.I32,
            T.STRUCT,
            Array.from({ length: 200 }, (_, i): [TValue, TValue] => [
              i - 100,
              struct({ id: 1, type: T.I64, value: BigInt(i) * 1_000_000_007n }),
            ]),
          ),
        },
        { id: 3, type: T.MAP, value: map(T.BINARY, T.LIST, [[utf8('k'), list(T.BINARY, [utf8('v'), utf8('')])]]) },
        { id: 4, type: T.MAP, value: map(T.TRUE, T.DOUBLE, [[false, 0.1]]) },
      ),
    );
  });

  it('deep nesting and large binaries', () => {
    let s = struct({ id: 1, type: T.BINARY, value: new Uint8Array(100_000).map((_, i) => i) });
    for (let d = 0; d < 40; d++) s = struct({ id: d + 1, type: T.STRUCT, value: s });
    roundTrip(s);
  });
});

describe('thrift compact: malformed input', () => {
  const fails = (b: Uint8Array, re: RegExp) => {
    expect(() => decodeStruct(b)).toThrow(ThriftError);
    expect(() => decodeStruct(b)).toThrow(re);
  };

  it('is rejected with a ThriftError, not read past its end', () => {
    fails(bytes(0x15), /truncated/); // i32 field without a value
    fails(bytes(0x15, 0x02), /truncated/); // no stop field
    fails(bytes(0x18, 0x05, 0x61), /length past the end/); // binary of 5 bytes, 1 given
    fails(bytes(0x19, 0xf5, 0x80, 0x80, 0x04, 0x00), /list longer/); // list of 65,536 i32 in 1 byte
    fails(bytes(0x1b, 0x7f, 0x55, 0x00), /map longer/);
    fails(bytes(0x17, 0, 0, 0), /truncated/); // double of 3 bytes
    fails(bytes(0x1e, 0x00), /unknown type/); // type 14
    fails(bytes(0x16, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01), /varint too long/);
  });

  it('stops nesting past its depth limit', () => {
    const deep = new Uint8Array(200).fill(0x1c); // struct in struct in struct …
    expect(() => decodeStruct(deep)).toThrow(/nested too deep/);
  });

  it('decodes from an offset inside a larger buffer', () => {
    const b = bytes(0xaa, 0xbb, 0x15, 0x02, 0x00, 0xcc);
    const { struct: s, end } = decodeStruct(b, 2);
    expect(end).toBe(5);
    expect(s.fields).toEqual([{ id: 1, type: T.I32, value: 1 }]);
  });
});
