import {
  Bool,
  DateDay,
  DateMillisecond,
  Decimal,
  Field,
  FixedSizeBinary,
  Float16,
  Float64,
  Int32,
  Int64,
  List,
  makeData,
  Null,
  TimeNanosecond,
  TimestampMicrosecond,
  Utf8,
} from 'apache-arrow';
import fc from 'fast-check';
import { ByteWriter } from '../../../core/connectors/postgres/byte-writer';
import { encodeBatch, scaledText } from '../../../core/connectors/postgres/copy-encoder';
import { writeDate, writeTimestamp } from '../../../core/connectors/postgres/datetime-text';
import { batchOf, bitmapOf, col, fixedData } from '../../helpers/postgres';

const text = (w: ByteWriter) => Buffer.from(w.buf.subarray(0, w.pos)).toString('utf8');

function encode(batch: ReturnType<typeof batchOf>, pieceSize = 1 << 20): string {
  const w = new ByteWriter(pieceSize);
  const pieces = [...encodeBatch(batch, batch.schema.fields, new TextEncoder().encode('c\tf\t'), 0, w)];
  return pieces.map((p) => Buffer.from(p).toString('utf8')).join('') + text(w);
}

function decimal(values: (bigint | null)[], precision: number, scale: number) {
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

describe('COPY text encoder', () => {
  it('writes rows with the staging prefix, escapes and NULLs', () => {
    const b = batchOf([
      col('i', new Int32(), [1, null]),
      col('s', new Utf8(), ['a\tb\nc\r\\d é', null]),
      col('ok', new Bool(), [true, false]),
      col('f', new Float64(), [0.1, Number.NaN]),
    ]);
    expect(encode(b)).toBe('c\tf\t0\t1\ta\\tb\\nc\\r\\\\d é\tt\t0.1\nc\tf\t1\t\\N\t\\N\tf\tNaN\n');
  });

  it('writes 64-bit integers exactly on both the fast and the BigInt path', () => {
    const v = [0n, -1n, 9007199254740991n, 9007199254740993n, -9223372036854775808n];
    const b = batchOf([col('v', new Int64(), fixedData(new Int64(), v))]);
    expect(
      encode(b)
        .split('\n')
        .slice(0, -1)
        .map((l) => l.split('\t')[3]),
    ).toEqual(v.map(String));
  });

  it('writes decimals with their scale', () => {
    const v = [12345n, -5n, 0n, 123456789012345678901234567890n, -(2n ** 70n)];
    const b = batchOf([col('d', new Decimal(4, 38, 128), decimal(v, 38, 4))]);
    const got = encode(b)
      .split('\n')
      .slice(0, -1)
      .map((l) => l.split('\t')[3]);
    expect(got).toEqual(v.map((x) => scaledText(String(x), 4)));
    expect(got.slice(0, 3)).toEqual(['1.2345', '-0.0005', '0.0000']);
  });

  it('writes lists as array literals (quoted elements, escaped for COPY)', () => {
    const b = batchOf([col('l', new List(new Field('i', new Utf8())), [['a,b', 'q"x', 'back\\', null], []])]);
    expect(encode(b)).toBe('c\tf\t0\t{"a,b","q\\\\"x","back\\\\\\\\",NULL}\nc\tf\t1\t{}\n');
  });

  it('writes the Null type as NULL and nanosecond times truncated to microseconds', () => {
    const b = batchOf([
      col('n', new Null(), [null, null]),
      col('t', new TimeNanosecond(), fixedData(new TimeNanosecond(), [3723000001999n, 0n])),
    ]);
    expect(encode(b)).toBe('c\tf\t0\t\\N\t01:02:03.000001\nc\tf\t1\t\\N\t00:00:00.000000\n');
  });

  it('writes half floats by value and millisecond dates as days', () => {
    const b = batchOf([
      col('h', new Float16(), [1.5, -0.25]),
      col('d', new DateMillisecond(), [new Date(Date.UTC(2024, 0, 2)), new Date(Date.UTC(1969, 11, 31))]),
    ]);
    expect(encode(b)).toBe('c\tf\t0\t1.5\t2024-01-02\nc\tf\t1\t-0.25\t1969-12-31\n');
  });

  it('writes uuids and binary', () => {
    const u = new Uint8Array(16).map((_, i) => i * 17);
    const b = batchOf([
      col('u', new FixedSizeBinary(16), [u], { 'ARROW:extension:name': 'arrow.uuid' }),
      col('b', new FixedSizeBinary(2), [new Uint8Array([0, 255])]),
    ]);
    expect(encode(b)).toBe('c\tf\t0\t00112233-4455-6677-8899-aabbccddeeff\t\\\\x00ff\n');
  });

  it('hands out large pieces and keeps rows whole across them', () => {
    const n = 5000;
    const b = batchOf([
      col(
        'i',
        new Int32(),
        Array.from({ length: n }, (_, i) => i),
      ),
    ]);
    const w = new ByteWriter(4096);
    const pieces = [...encodeBatch(b, b.schema.fields, new TextEncoder().encode('c\tf\t'), 0, w)];
    expect(pieces.length).toBeGreaterThan(5);
    for (const p of pieces) expect(p[p.length - 1]).toBe(10);
  });

  it('formats timestamps and dates like an ISO calendar (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -9007199254740, max: 9007199254739 }),
        fc.integer({ min: 0, max: 999 }),
        (ms, us) => {
          const w = new ByteWriter(64);
          writeTimestamp(w, ms * 1000 + us, true);
          const iso = new Date(ms).toISOString();
          expect(text(w)).toBe(`${iso.slice(0, 10)} ${iso.slice(11, 23)}${String(us).padStart(3, '0')}+00`);
        },
      ),
    );
  });

  it('formats timestamp columns outside the safe-integer range exactly (BigInt path, property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -62135596800000, max: 253402300799999 }),
        fc.integer({ min: 0, max: 999 }),
        (ms, us) => {
          const v = BigInt(ms) * 1000n + BigInt(us);
          const b = batchOf([
            col('t', new TimestampMicrosecond('UTC'), fixedData(new TimestampMicrosecond('UTC'), [v])),
          ]);
          const iso = new Date(ms).toISOString();
          expect(encode(b)).toBe(
            `c\tf\t0\t${iso.slice(0, 10)} ${iso.slice(11, 23)}${String(us).padStart(3, '0')}+00\n`,
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('writes BC dates (year 0 is 1 BC)', () => {
    const w = new ByteWriter(64);
    expect(writeDate(w, -719528)).toBe(true);
    expect(text(w)).toBe('0001-01-01');
  });

  it('encodes timestamp and date columns through the batch path', () => {
    const b = batchOf([
      col('t', new TimestampMicrosecond(), fixedData(new TimestampMicrosecond(), [-62135596800000000n, 1n])),
      col('d', new DateDay(), fixedData(new DateDay(), [0, -1])),
    ]);
    expect(encode(b)).toBe(
      'c\tf\t0\t0001-01-01 00:00:00.000000\t1970-01-01\nc\tf\t1\t1970-01-01 00:00:00.000001\t1969-12-31\n',
    );
  });
});
