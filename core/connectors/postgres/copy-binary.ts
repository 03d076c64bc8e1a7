/**
 * Arrow record batches → PostgreSQL binary COPY (PG manual, COPY "Binary Format"): a signature header, then per
 * row an int16 field count and, per field, an int32 length (-1 = NULL) and the type's binary "send" form, big
 * endian. Used when every column has a binary writer here (scalars); otherwise the chunk goes as text.
 */
import { type Data, DataType, type Field, type RecordBatch, Type } from 'apache-arrow';
import { hintChangesType, isUuidField, pgTypeFor } from './arrow-to-pg';
import { ByteWriter } from './byte-writer';
import { bigFromWords, decimalSmall, int64Reader } from './copy-encoder';

/** Writes value `i` (non-null) including its int32 length word. */
type BinaryEncoder = (w: ByteWriter, i: number) => void;

/** `PGCOPY\n\377\r\n\0`, flags 0, header extension length 0. */
export const BINARY_HEADER = Uint8Array.from([80, 71, 67, 79, 80, 89, 10, 255, 13, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
export const BINARY_TRAILER = Uint8Array.from([255, 255]);

/** PostgreSQL's epoch (2000-01-01) in Unix days and microseconds. */
const PG_EPOCH_DAYS = 10957;
const PG_EPOCH_MICROS = 946_684_800_000_000;
const BINARY_TYPES =
  /^(smallint|integer|bigint|real|double precision|boolean|text|bytea|uuid|date|numeric\(\d+,\d+\)|time without time zone|timestamp with(out)? time zone)$/;

/** Whether every field can be written in binary (then the chunk uses binary COPY). */
export function binaryCapable(fields: Field[], hints?: Record<string, string>): boolean {
  return fields.every((f) => {
    if (hintChangesType(f, hints)) return false; // text input lets PostgreSQL convert to the hinted type
    const t = f.type as DataType;
    if (t.typeId === Type.Float && (t as unknown as { precision: number }).precision === 0) return false; // half
    if (
      t.typeId === Type.Int &&
      (t as unknown as { bitWidth: number; isSigned: boolean }).bitWidth === 64 &&
      !(t as unknown as { isSigned: boolean }).isSigned
    )
      return false;
    if (t.typeId === Type.LargeUtf8 || t.typeId === Type.LargeBinary) return false;
    return BINARY_TYPES.test(pgTypeFor(f, hints));
  });
}

/** Scratch space for byte-level access to numbers. */
const Scratch = (() => {
  const f64 = new Float64Array(1);
  const f32 = new Float32Array(1);
  return {
    view: new DataView(new ArrayBuffer(8)),
    f64,
    f64bytes: new Uint8Array(f64.buffer),
    f32,
    f32bytes: new Uint8Array(f32.buffer),
  };
})();

/** Whether this machine stores numbers little-endian (then bytes are written reversed: COPY is big-endian). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function int(w: ByteWriter, v: number, bytes: 2 | 4): void {
  w.ensure(4 + bytes);
  const b = w.buf;
  let p = w.pos;
  b[p++] = 0;
  b[p++] = 0;
  b[p++] = 0;
  b[p++] = bytes;
  if (bytes === 4) {
    b[p++] = v >>> 24;
    b[p++] = (v >>> 16) & 255;
  }
  b[p++] = (v >>> 8) & 255;
  b[p++] = v & 255;
  w.pos = p;
}

/** An int64 from a safe integer (may be negative), with its length word. */
export function int64(w: ByteWriter, v: number): void {
  const hi = Math.floor(v / 4294967296);
  const lo = v - hi * 4294967296;
  w.ensure(12);
  const b = w.buf;
  let p = w.pos;
  b[p++] = 0;
  b[p++] = 0;
  b[p++] = 0;
  b[p++] = 8;
  b[p++] = hi >>> 24;
  b[p++] = (hi >>> 16) & 255;
  b[p++] = (hi >>> 8) & 255;
  b[p++] = hi & 255;
  b[p++] = lo >>> 24;
  b[p++] = (lo >>> 16) & 255;
  b[p++] = (lo >>> 8) & 255;
  b[p++] = lo & 255;
  w.pos = p;
}

function bigint64(w: ByteWriter, v: bigint): void {
  Scratch.view.setBigInt64(0, v);
  lengthWord(w, 8);
  for (let k = 0; k < 8; k++) w.buf[w.pos++] = Scratch.view.getUint8(k);
}

function lengthWord(w: ByteWriter, n: number): void {
  w.ensure(4 + n);
  const b = w.buf;
  b[w.pos++] = n >>> 24;
  b[w.pos++] = (n >>> 16) & 255;
  b[w.pos++] = (n >>> 8) & 255;
  b[w.pos++] = n & 255;
}

function bytesField(w: ByteWriter, src: Uint8Array, start: number, end: number): void {
  lengthWord(w, end - start);
  if (end - start > 48) {
    w.buf.set(src.subarray(start, end), w.pos);
    w.pos += end - start;
    return;
  }
  const b = w.buf;
  let p = w.pos;
  for (let i = start; i < end; i++) b[p++] = src[i] as number;
  w.pos = p;
}

/** Builds the binary writer of one column (see `binaryCapable`). */
export function binaryEncoder(data: Data, field: Field, hints?: Record<string, string>): BinaryEncoder {
  const t = data.type as DataType;
  const pg = pgTypeFor(field, hints);
  switch (t.typeId) {
    case Type.Int:
      return intEncoder(data, pg);
    case Type.Float:
      return floatEncoder(data, pg);
    case Type.Bool: {
      const v = data.values as Uint8Array;
      return (w, i) => {
        const j = data.offset + i;
        lengthWord(w, 1);
        w.buf[w.pos++] = (v[j >> 3] as number) & (1 << (j & 7)) ? 1 : 0;
      };
    }
    case Type.Utf8:
    case Type.Binary: {
      const v = data.values as Uint8Array;
      const off = data.valueOffsets as Int32Array;
      return (w, i) => bytesField(w, v, off[i] as number, off[i + 1] as number);
    }
    case Type.FixedSizeBinary: {
      const v = data.values as Uint8Array;
      const width = isUuidField(field, hints) ? 16 : (t as unknown as { byteWidth: number }).byteWidth;
      return (w, i) => bytesField(w, v, i * width, (i + 1) * width);
    }
    case Type.Decimal:
      return numericEncoder(data);
    default:
      return temporalEncoder(data);
  }
}

function intEncoder(data: Data, pg: string): BinaryEncoder {
  const v = data.values;
  if (v instanceof BigInt64Array) {
    const read = int64Reader(v);
    return (w, i) => {
      const n = read(i);
      if (Number.isNaN(n)) bigint64(w, v[i] as bigint);
      else int64(w, n);
    };
  }
  const a = v as Int32Array;
  if (pg === 'bigint') return (w, i) => int64(w, a[i] as number);
  const bytes = pg === 'smallint' ? 2 : 4;
  return (w, i) => int(w, a[i] as number, bytes);
}

function floatEncoder(data: Data, pg: string): BinaryEncoder {
  const v = data.values as Float32Array | Float64Array;
  const wide = pg !== 'real';
  const scratch = wide ? Scratch.f64 : Scratch.f32;
  const bytes = wide ? Scratch.f64bytes : Scratch.f32bytes;
  const n = wide ? 8 : 4;
  return (w, i) => {
    scratch[0] = v[i] as number;
    lengthWord(w, n);
    const b = w.buf;
    let p = w.pos;
    if (LITTLE_ENDIAN) for (let k = n - 1; k >= 0; k--) b[p++] = bytes[k] as number;
    else for (let k = 0; k < n; k++) b[p++] = bytes[k] as number;
    w.pos = p;
  };
}

/** Microseconds per unit (TimeUnit: 0 s, 1 ms, 2 µs, 3 ns). */
const MICROS_PER_UNIT = [1_000_000, 1000, 1, 0];

function temporalEncoder(data: Data): BinaryEncoder {
  const t = data.type as DataType & { unit: number };
  const v = data.values as Int32Array | BigInt64Array;
  const perUnit = MICROS_PER_UNIT[t.unit] ?? 1;
  if (DataType.isDate(t)) {
    if (v instanceof BigInt64Array) {
      const read = int64Reader(v);
      return (w, i) => int(w, Math.floor(read(i) / 86_400_000) - PG_EPOCH_DAYS, 4);
    }
    return (w, i) => int(w, (v[i] as number) - PG_EPOCH_DAYS, 4);
  }
  const shift = DataType.isTimestamp(t) ? PG_EPOCH_MICROS : 0;
  if (v instanceof BigInt64Array) {
    const read = int64Reader(v);
    return (w, i) => {
      const n = t.unit === 3 ? Math.floor(read(i) / 1000) : read(i) * perUnit;
      if (Number.isSafeInteger(n) && Number.isSafeInteger(n - shift)) int64(w, n - shift);
      else {
        const big = v[i] as bigint;
        const micros = t.unit === 3 ? (big >= 0n ? big / 1000n : (big - 999n) / 1000n) : big * BigInt(perUnit);
        bigint64(w, micros - BigInt(shift));
      }
    };
  }
  return (w, i) => int64(w, (v[i] as number) * perUnit);
}

/**
 * numeric send format: int16 ndigits, int16 weight, int16 sign (0 / 0x4000), int16 dscale, then base-10000
 * digits, most significant first; weight = index of the first digit group relative to the decimal point.
 */
function numericEncoder(data: Data): BinaryEncoder {
  const words = data.values as Uint32Array;
  const { scale, bitWidth } = data.type as unknown as { scale: number; bitWidth: number };
  const stride = bitWidth / 32;
  const fracGroups = Math.ceil(scale / 4);
  const pad = fracGroups * 4 - scale;
  const groups: number[] = [];
  return (w, i) => {
    groups.length = 0;
    const small = decimalSmall(words, i * stride, stride);
    let neg: boolean;
    if (!Number.isNaN(small) && Math.abs(small) < 9e12) {
      neg = small < 0;
      // Align the fraction to whole groups of 4 digits, then cut into base-10000 digits.
      let abs = Math.abs(small) * 10 ** pad;
      while (abs > 0) {
        const q = Math.floor(abs / 10000);
        groups.push(abs - q * 10000);
        abs = q;
      }
    } else {
      const v = bigFromWords(words, i * stride, stride);
      neg = v < 0n;
      let abs = (neg ? -v : v) * 10n ** BigInt(pad);
      while (abs > 0n) {
        groups.push(Number(abs % 10000n));
        abs /= 10000n;
      }
    }
    while (groups.length < fracGroups) groups.push(0);
    const n = groups.length;
    lengthWord(w, 8 + 2 * n);
    const b = w.buf;
    let p = w.pos;
    const weight = n - fracGroups - 1;
    b[p++] = n >> 8;
    b[p++] = n & 255;
    b[p++] = (weight >> 8) & 255;
    b[p++] = weight & 255;
    b[p++] = neg ? 0x40 : 0;
    b[p++] = 0;
    b[p++] = scale >> 8;
    b[p++] = scale & 255;
    for (let k = n - 1; k >= 0; k--) {
      const x = groups[k] as number;
      b[p++] = x >> 8;
      b[p++] = x & 255;
    }
    w.pos = p;
  };
}

/** Encodes a batch as binary COPY rows `_chunk, _del, _seq, columns…` into `w`. */
export function* encodeBinaryBatch(
  batch: RecordBatch,
  columns: Field[],
  chunk: Uint8Array,
  deletes: boolean,
  seq0: number,
  w: ByteWriter,
  hints?: Record<string, string>,
): Generator<Uint8Array> {
  const cols = columns.map((f) => {
    const data = batch.data.children[batch.schema.fields.findIndex((g) => g.name === f.name)] as Data;
    const bitmap = data.nullCount > 0 && data.nullBitmap && data.nullBitmap.length > 0 ? data.nullBitmap : undefined;
    return { bitmap, offset: data.offset, enc: binaryEncoder(data, f, hints) };
  });
  const count = cols.length + 3;
  // Field count, `_chunk` and `_del` are the same on every row of the chunk: written once, copied per row.
  const head = new ByteWriter(64 + chunk.length);
  head.byte(count >> 8);
  head.byte(count & 255);
  bytesField(head, chunk, 0, chunk.length);
  lengthWord(head, 1);
  head.byte(deletes ? 1 : 0);
  const prefix = head.buf.slice(0, head.pos);
  for (let r = 0; r < batch.numRows; r++) {
    w.small(prefix);
    int64(w, seq0 + r);
    for (const c of cols) {
      const j = c.offset + r;
      if (c.bitmap === undefined || ((c.bitmap[j >> 3] as number) & (1 << (j & 7))) !== 0) c.enc(w, r);
      else {
        w.ensure(4);
        for (let k = 0; k < 4; k++) w.buf[w.pos++] = 255; // length -1: NULL
      }
    }
    if (w.full) yield w.take();
  }
}
