/**
 * Arrow record batches → PostgreSQL COPY text format (PG manual, COPY "Text Format"): one line per row,
 * columns separated by tabs, `\N` for NULL. Each column gets an encoder reading its Arrow buffers directly
 * (UTF-8 bytes copied with escaping, integers and timestamps written as digits), so no per-value strings are made
 * on the hot types. The output comes in ~1 MiB pieces.
 */
import { type Data, DataType, type Field, type RecordBatch, Type } from 'apache-arrow';
import { isUuidField } from './arrow-to-pg';
import { ByteWriter } from './byte-writer';
import { jsonEncoder } from './copy-json';
import { MICROS_PER_DAY, writeDate, writeTime, writeTimestamp } from './datetime-text';

/** Writes value `i` (known non-null) of a column. */
export type ValueEncoder = (w: ByteWriter, i: number) => void;

/** `escape`: COPY-escape text (top level); `raw`: plain text (inside an array literal, escaped later). */
export type EncodeMode = 'copy' | 'raw';

export function isValid(data: Data, i: number): boolean {
  if (data.nullCount === 0 || !data.nullBitmap || data.nullBitmap.length === 0) return true;
  const j = data.offset + i;
  return ((data.nullBitmap[j >> 3] as number) & (1 << (j & 7))) !== 0;
}

/** Reads 64-bit integers as numbers without allocating a BigInt when they are safe; NaN when not. */
export function int64Reader(values: BigInt64Array | BigUint64Array): (i: number) => number {
  const lo = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  const hi = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
  const unsigned = values instanceof BigUint64Array;
  return (i) => {
    const h = hi[2 * i + 1] as number;
    if (unsigned && h < 0) return Number.NaN;
    if (h >= 2097152 || h < -2097152) return Number.NaN;
    return h * 4294967296 + (lo[2 * i] as number);
  };
}

/** Builds the encoder of one column. */
export function columnEncoder(
  data: Data,
  field: Field,
  mode: EncodeMode,
  hints?: Record<string, string>,
): ValueEncoder {
  const t = data.type as DataType;
  switch (t.typeId) {
    case Type.Int:
      return intEncoder(data);
    case Type.Float: {
      // Half floats are stored as raw 16-bit patterns: let arrow-js decode them.
      if ((t as unknown as { precision: number }).precision === 0) return jsonEncoder(data, mode, true);
      const v = data.values as Float32Array | Float64Array;
      return (w, i) => w.ascii(String(v[i]));
    }
    case Type.Bool: {
      const v = data.values as Uint8Array;
      return (w, i) => {
        const j = data.offset + i;
        w.byte((v[j >> 3] as number) & (1 << (j & 7)) ? 116 : 102);
      };
    }
    case Type.Decimal:
      return decimalEncoder(data);
    case Type.Utf8:
    case Type.LargeUtf8:
      return textEncoder(data, mode);
    case Type.Binary:
    case Type.LargeBinary:
    case Type.FixedSizeBinary:
      return isUuidField(field, hints) ? uuidEncoder(data) : byteaEncoder(data, mode);
    case Type.Date:
      return dateEncoder(data);
    case Type.Time:
      return timeEncoder(data);
    case Type.Timestamp:
      return timestampEncoder(data);
    case Type.List:
    case Type.FixedSizeList:
      return isArrayField(field) ? listEncoder(data, field, mode) : jsonEncoder(data, mode);
    default:
      return jsonOrText(data, mode);
  }
}

function isArrayField(field: Field): boolean {
  const child = (field.type as DataType & { children: Field[] }).children[0];
  if (!child) return false;
  const c = child.type;
  return !(DataType.isList(c) || DataType.isFixedSizeList(c) || DataType.isStruct(c) || DataType.isMap(c));
}

function jsonOrText(data: Data, mode: EncodeMode): ValueEncoder {
  return jsonEncoder(data, mode, DataType.isDictionary(data.type) || DataType.isNull(data.type));
}

function intEncoder(data: Data): ValueEncoder {
  const v = data.values;
  if (v instanceof BigInt64Array || v instanceof BigUint64Array) {
    const read = int64Reader(v);
    return (w, i) => {
      const n = read(i);
      if (Number.isNaN(n)) w.ascii(String(v[i]));
      else w.int(n);
    };
  }
  const a = v as Int32Array;
  return (w, i) => w.int(a[i] as number);
}

function textEncoder(data: Data, mode: EncodeMode): ValueEncoder {
  const v = data.values as Uint8Array;
  const off = data.valueOffsets as Int32Array | BigInt64Array;
  if (off instanceof BigInt64Array) {
    if (mode === 'raw') return (w, i) => w.bytes(v.subarray(Number(off[i]), Number(off[i + 1])));
    return (w, i) => w.copyEscaped(v, Number(off[i]), Number(off[i + 1]));
  }
  if (mode === 'raw') return (w, i) => w.bytes(v.subarray(off[i], off[i + 1]));
  return (w, i) => w.copyEscaped(v, off[i] as number, off[i + 1] as number);
}

function byteaEncoder(data: Data, mode: EncodeMode): ValueEncoder {
  const v = data.values as Uint8Array;
  const prefix = mode === 'copy' ? '\\\\x' : '\\x';
  if (DataType.isFixedSizeBinary(data.type)) {
    const width = data.type.byteWidth;
    return (w, i) => {
      w.ascii(prefix);
      w.hex(v, i * width, (i + 1) * width);
    };
  }
  const off = data.valueOffsets as Int32Array | BigInt64Array;
  return (w, i) => {
    w.ascii(prefix);
    w.hex(v, Number(off[i]), Number(off[i + 1]));
  };
}

function uuidEncoder(data: Data): ValueEncoder {
  const v = data.values as Uint8Array;
  return (w, i) => {
    const s = i * 16;
    w.hex(v, s, s + 4);
    w.byte(45);
    w.hex(v, s + 4, s + 6);
    w.byte(45);
    w.hex(v, s + 6, s + 8);
    w.byte(45);
    w.hex(v, s + 8, s + 10);
    w.byte(45);
    w.hex(v, s + 10, s + 16);
  };
}

function decimalEncoder(data: Data): ValueEncoder {
  const words = data.values as Uint32Array;
  const { scale, bitWidth } = data.type as unknown as { scale: number; bitWidth: number };
  const stride = bitWidth / 32;
  const pow = 10 ** scale;
  return (w, i) => {
    let small = decimalSmall(words, i * stride, stride);
    if (Number.isNaN(small) || scale > 15) {
      w.ascii(scaledText(bigFromWords(words, i * stride, stride).toString(), scale));
      return;
    }
    if (small < 0) {
      w.byte(45);
      small = -small;
    }
    const frac = small % pow;
    w.digits((small - frac) / pow);
    if (scale > 0) {
      w.byte(46);
      w.digits(frac, scale);
    }
  };
}

/** The unscaled value of decimal `b` (word index) as a number when it is a safe integer, else NaN. */
export function decimalSmall(words: Uint32Array, b: number, stride: number): number {
  const w0 = words[b] as number;
  const w1 = words[b + 1] as number;
  if (isSignExtension(words, b, stride, 0) && w1 < 2097152) return w1 * 4294967296 + w0;
  if (isSignExtension(words, b, stride, 0xffffffff) && w1 >= 4292870144) return (w1 - 4294967296) * 4294967296 + w0;
  return Number.NaN;
}

function isSignExtension(words: Uint32Array, b: number, stride: number, fill: number): boolean {
  for (let k = 2; k < stride; k++) if (words[b + k] !== fill) return false;
  return true;
}

export function bigFromWords(words: Uint32Array, b: number, stride: number): bigint {
  let v = 0n;
  for (let k = stride - 1; k >= 0; k--) v = (v << 32n) | BigInt(words[b + k] as number);
  const top = (words[b + stride - 1] as number) >>> 31;
  return top ? v - (1n << BigInt(32 * stride)) : v;
}

/** Inserts the decimal point of an unscaled integer's text. */
export function scaledText(digits: string, scale: number): string {
  if (scale <= 0) return scale === 0 ? digits : digits + '0'.repeat(-scale);
  const neg = digits.startsWith('-');
  const body = (neg ? digits.slice(1) : digits).padStart(scale + 1, '0');
  return `${neg ? '-' : ''}${body.slice(0, -scale)}.${body.slice(-scale)}`;
}

function dateEncoder(data: Data): ValueEncoder {
  const v = data.values as Int32Array | BigInt64Array;
  const bc = (w: ByteWriter, days: number) => {
    if (writeDate(w, days)) w.ascii(' BC');
  };
  if (v instanceof BigInt64Array) {
    const read = int64Reader(v);
    return (w, i) => bc(w, Math.floor(read(i) / 86_400_000));
  }
  return (w, i) => bc(w, v[i] as number);
}

/** Microseconds per unit (TimeUnit: 0 s, 1 ms, 2 µs, 3 ns). */
const MICROS_PER_UNIT = [1_000_000, 1000, 1, 0.001];

function timeEncoder(data: Data): ValueEncoder {
  const unit = MICROS_PER_UNIT[(data.type as unknown as { unit: number }).unit] ?? 1;
  const v = data.values as Int32Array | BigInt64Array;
  if (v instanceof BigInt64Array) {
    const read = int64Reader(v);
    if (unit < 1) return (w, i) => writeTime(w, Math.floor(read(i) / 1000)); // ns: divide, no float product
    return (w, i) => writeTime(w, read(i) * unit);
  }
  return (w, i) => writeTime(w, Math.floor((v[i] as number) * unit));
}

function timestampEncoder(data: Data): ValueEncoder {
  const { unit, timezone } = data.type as unknown as { unit: number; timezone?: string | null };
  const utc = Boolean(timezone);
  const v = data.values as BigInt64Array;
  const read = int64Reader(v);
  const perUnit = MICROS_PER_UNIT[unit] ?? 1;
  const bigDiv = unit === 3 ? 1000n : 1n;
  const bigMul = unit === 0 ? 1_000_000n : unit === 1 ? 1000n : 1n;
  return (w, i) => {
    const n = unit === 3 ? Number.NaN : read(i) * perUnit;
    if (Number.isSafeInteger(n)) return writeTimestamp(w, n, utc);
    // Out of the safe range (before 1685 or after 2255 in µs, every ns value): split days exactly with BigInt.
    const big = v[i] as bigint;
    const micros = big >= 0n || bigDiv === 1n ? (big * bigMul) / bigDiv : (big - bigDiv + 1n) / bigDiv;
    let days = micros / BigInt(MICROS_PER_DAY);
    if (days * BigInt(MICROS_PER_DAY) > micros) days -= 1n;
    const bc = writeDate(w, Number(days));
    w.byte(32);
    writeTime(w, Number(micros - days * BigInt(MICROS_PER_DAY)));
    if (utc) w.ascii('+00');
    if (bc) w.ascii(' BC');
  };
}

function listEncoder(data: Data, field: Field, mode: EncodeMode): ValueEncoder {
  const child = data.children[0] as Data;
  const childField = (field.type as DataType & { children: Field[] }).children[0] as Field;
  const elem = columnEncoder(child, childField, 'raw');
  const off = data.valueOffsets as Int32Array | undefined;
  const size = (data.type as unknown as { listSize?: number }).listSize ?? 0;
  const scratch = new ByteWriter(4096);
  const item = new ByteWriter(4096);
  return (w, i) => {
    const start = off ? (off[i] as number) : (data.offset + i) * size;
    const end = off ? (off[i + 1] as number) : start + size;
    scratch.pos = 0;
    scratch.byte(123);
    for (let j = start; j < end; j++) {
      if (j > start) scratch.byte(44);
      if (!isValid(child, j)) scratch.ascii('NULL');
      else {
        item.pos = 0;
        elem(item, j);
        scratch.arrayQuoted(item.buf, 0, item.pos);
      }
    }
    scratch.byte(125);
    if (mode === 'copy') w.copyEscaped(scratch.buf, 0, scratch.pos);
    else w.bytes(scratch.buf.subarray(0, scratch.pos));
  };
}

/**
 * Encodes batches as COPY text rows `chunk \t seq \t col… \n` (the staging layout), numbering rows from `seq0`.
 * `columns` are the batch fields to write, in the order of the COPY column list.
 */
export function* encodeBatch(
  batch: RecordBatch,
  columns: Field[],
  prefix: Uint8Array,
  seq0: number,
  w: ByteWriter,
  hints?: Record<string, string>,
): Generator<Uint8Array> {
  const cols = columns.map((f) => {
    const idx = batch.schema.fields.findIndex((g) => g.name === f.name);
    const data = batch.data.children[idx] as Data;
    // Validity read once per batch (Data.nullCount is a getter): null bitmap only when there are nulls.
    const bitmap = data.nullCount > 0 && data.nullBitmap && data.nullBitmap.length > 0 ? data.nullBitmap : undefined;
    // The Null type has no bitmap at all: every value is NULL.
    const empty = DataType.isNull(data.type) ? new Uint8Array(Math.ceil((data.offset + data.length) / 8)) : undefined;
    return { bitmap: empty ?? bitmap, offset: data.offset, enc: columnEncoder(data, f, 'copy', hints) };
  });
  const n = cols.length;
  for (let r = 0; r < batch.numRows; r++) {
    w.small(prefix);
    w.int(seq0 + r);
    for (let k = 0; k < n; k++) {
      const c = cols[k] as (typeof cols)[number];
      w.byte(9);
      const j = c.offset + r;
      if (c.bitmap === undefined || ((c.bitmap[j >> 3] as number) & (1 << (j & 7))) !== 0) c.enc(w, r);
      else {
        w.byte(92);
        w.byte(78);
      }
    }
    w.byte(10);
    if (w.full) yield w.take();
  }
}
