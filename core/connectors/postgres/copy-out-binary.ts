/**
 * Decoder of `COPY … TO STDOUT (FORMAT binary)` straight into Arrow buffers: fixed-width values into typed
 * arrays, varlena values as bytes into one buffer with offsets, validity bitmaps — no JS value per cell.
 * The stream is fed in arbitrary chunks (a row may span two); every `pageSize` rows a RecordBatch is cut.
 *
 * Binary representations (PostgreSQL's `*send` functions, network byte order):
 * - smallint/integer/bigint: 2/4/8-byte two's complement; real/double: IEEE 754; boolean: 1 byte;
 * - date: int32 days since 2000-01-01; time: int64 µs since midnight; timestamp(tz): int64 µs since
 *   2000-01-01 (UTC for tz), ±infinity as int32/int64 min/max;
 * - numeric: int16 ndigits, int16 weight, uint16 sign (0x4000 negative, 0xC000 NaN, 0xD000/0xF000 ±infinity),
 *   int16 dscale, then ndigits base-10000 digits: value = Σ digit[i] · 10000^(weight − i);
 * - uuid: 16 bytes; bytea: the bytes; text-like: UTF-8 (client_encoding UTF8);
 * - arrays: int32 ndim, int32 has-nulls, int32 element oid, ndim × (int32 size, int32 lower bound), then the
 *   elements as (int32 length or −1, bytes), row-major (multi-dimensional arrays are flattened, as the text path).
 * Columns without a binary reader here are projected to text in SQL (see `binarySelectExpr`).
 */
import { type Data, type Field, type List, makeData, RecordBatch, type Schema, Struct } from 'apache-arrow';
import { InvalidInputError } from '../../errors';
import { listData, unrepresentable } from './arrow-build';
import { quoteIdent } from './ident';
import type { SourceColumn } from './pg-to-arrow';

const SIGNATURE = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00]; // PGCOPY\n\377\r\n\0

/** µs between 1970-01-01 and 2000-01-01, as two 32-bit words. */
const PG_EPOCH_MICROS = 946_684_800_000_000;
const OFF_HI = Math.floor(PG_EPOCH_MICROS / 4294967296);
const OFF_LO = PG_EPOCH_MICROS - OFF_HI * 4294967296;
/** Days between 1970-01-01 and 2000-01-01. */
const PG_EPOCH_DAYS = 10_957;

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

// Column readers (what the bytes of one value become).
const INT = 0; // int16/int32 → Int32
const INT64 = 1; // int64 → Int64 (also time)
const TS = 2; // timestamp(tz): int64 µs since 2000 → since 1970
const DATE = 3;
const F32 = 4;
const F64 = 5;
const BOOL = 6;
const DEC = 7;
const UUID = 8;
const BYTES = 9; // text (UTF-8) and bytea
const LIST = 10; // binary array of a scalar element
const LITERAL = 11; // array read as its text literal (parsed like the text path)

/** Array elements with a binary reader: the element type must be exactly one of these. */
const BINARY_ELEMENTS =
  /^(smallint|integer|bigint|real|double precision|boolean|text|character varying(\(\d+\))?)\[\]$/;

/** Element type OIDs accepted per element kind (int2/int4, int8, float4, float8, bool, text/varchar). */
const ELEMENT_OIDS: Record<string, number[]> = {
  int32: [21, 23],
  int64: [20],
  float32: [700],
  float64: [701],
  bool: [16],
  text: [25, 1043],
};

function readerOf(c: SourceColumn): number {
  switch (c.kind) {
    case 'int32':
      return INT;
    case 'int64':
    case 'time':
      return INT64;
    case 'timestamp':
    case 'timestamptz':
      return TS;
    case 'date':
      return DATE;
    case 'float32':
      return F32;
    case 'float64':
      return F64;
    case 'bool':
      return BOOL;
    case 'decimal':
      return DEC;
    case 'uuid':
      return UUID;
    case 'array':
      return BINARY_ELEMENTS.test(c.pgType) ? LIST : LITERAL;
    default:
      return BYTES;
  }
}

/** The projection of a column for the binary COPY: the column itself, or its text form where binary is not read. */
export function binarySelectExpr(c: SourceColumn): string {
  const q = quoteIdent(c.name);
  const r = readerOf(c);
  return r === BYTES && c.kind !== 'bytea' ? `${q}::text` : r === LITERAL ? `${q}::text` : q;
}

/** Bytes per value of fixed-width readers (0: variable). */
function widthOf(reader: number): number {
  switch (reader) {
    case INT:
    case DATE:
    case F32:
      return 4;
    case INT64:
    case TS:
    case F64:
      return 8;
    case DEC:
    case UUID:
      return 16;
    default:
      return 0;
  }
}

/** One column being filled: values of up to `cap` rows (grows for list elements). */
class Column {
  readonly reader: number;
  readonly width: number;
  cap: number;
  length = 0;
  nulls = 0;
  valid!: Uint8Array;
  /** Fixed-width values (also the bit-packed values of BOOL). */
  bytes!: Uint8Array;
  i32!: Int32Array;
  u32!: Uint32Array;
  f32!: Float32Array;
  f64!: Float64Array;
  /** Variable width: offsets into `bytes` (used up to `used`), or into the element column of a LIST. */
  offsets!: Int32Array;
  used = 0;
  element?: Column;
  elementOids?: number[];

  constructor(
    readonly source: SourceColumn,
    reader: number,
    cap: number,
  ) {
    this.reader = reader;
    this.width = widthOf(reader);
    this.cap = cap;
    if (reader === LIST) {
      const kind = source.element ?? 'text';
      this.element = new Column(
        { ...source, kind, pgType: kind },
        kind === 'text' ? BYTES : readerOf({ ...source, kind }),
        1024,
      );
      this.elementOids = ELEMENT_OIDS[kind];
    }
    this.alloc();
  }

  private alloc(): void {
    const cap = this.cap;
    this.length = 0;
    this.nulls = 0;
    this.used = 0;
    this.valid = new Uint8Array((cap + 7) >> 3);
    if (this.width > 0) {
      this.bytes = new Uint8Array(cap * this.width);
      this.views();
    } else if (this.reader === BOOL) {
      this.bytes = new Uint8Array((cap + 7) >> 3);
    } else {
      this.offsets = new Int32Array(cap + 1);
      if (this.reader !== LIST) this.bytes = new Uint8Array(Math.max(1024, cap * 16));
    }
  }

  private views(): void {
    const b = this.bytes.buffer;
    const n = this.bytes.byteLength;
    if (this.reader === F32) this.f32 = new Float32Array(b, 0, n >> 2);
    else if (this.reader === F64) this.f64 = new Float64Array(b, 0, n >> 3);
    else if (this.reader === INT || this.reader === DATE) this.i32 = new Int32Array(b, 0, n >> 2);
    else this.u32 = new Uint32Array(b, 0, n >> 2);
  }

  /** Room for one more value (element columns of lists grow; top-level columns are cut at `cap`). */
  room(): void {
    if (this.length < this.cap) return;
    const cap = this.cap * 2;
    const valid = new Uint8Array((cap + 7) >> 3);
    valid.set(this.valid);
    this.valid = valid;
    if (this.width > 0) {
      const bytes = new Uint8Array(cap * this.width);
      bytes.set(this.bytes);
      this.bytes = bytes;
      this.views();
    } else if (this.reader === BOOL) {
      const bytes = new Uint8Array((cap + 7) >> 3);
      bytes.set(this.bytes);
      this.bytes = bytes;
    } else {
      const offsets = new Int32Array(cap + 1);
      offsets.set(this.offsets);
      this.offsets = offsets;
    }
    this.cap = cap;
  }

  /** Room for `n` more bytes of variable-width data. */
  bytesRoom(n: number): void {
    const need = this.used + n;
    if (need <= this.bytes.length) return;
    const bytes = new Uint8Array(Math.max(need, this.bytes.length * 2));
    bytes.set(this.bytes.subarray(0, this.used));
    this.bytes = bytes;
  }

  /** The Arrow data of the values so far; the column starts over with fresh buffers. */
  finish(field: Field, where: string): Data {
    const n = this.length;
    const props = { type: field.type, length: n, nullCount: this.nulls, nullBitmap: this.nulls ? this.valid : null };
    let out: Data;
    switch (this.reader) {
      case INT:
      case DATE:
        out = makeData({ ...props, data: this.i32.subarray(0, n) } as never);
        break;
      case INT64:
      case TS:
        out = makeData({ ...props, data: new BigInt64Array(this.bytes.buffer, 0, n) } as never);
        break;
      case F32:
        out = makeData({ ...props, data: this.f32.subarray(0, n) } as never);
        break;
      case F64:
        out = makeData({ ...props, data: this.f64.subarray(0, n) } as never);
        break;
      case DEC:
        out = makeData({ ...props, data: this.u32.subarray(0, n * 4) } as never);
        break;
      case UUID:
        out = makeData({ ...props, data: this.bytes.subarray(0, n * 16) } as never);
        break;
      case BOOL:
        out = makeData({ ...props, data: this.bytes } as never);
        break;
      case LIST: {
        const el = this.element as Column;
        const child = el.finish((field.type as List).children[0] as Field, where);
        out = makeData({ ...props, valueOffsets: this.offsets.subarray(0, n + 1), child } as never);
        break;
      }
      case LITERAL: {
        const dec = new TextDecoder();
        const texts: (string | null)[] = new Array(n);
        for (let i = 0; i < n; i++) {
          const valid = ((this.valid[i >> 3] as number) >> (i & 7)) & 1;
          const a = this.offsets[i] as number;
          texts[i] = valid ? dec.decode(this.bytes.subarray(a, this.offsets[i + 1])) : null;
        }
        out = listData(this.source, field, texts);
        break;
      }
      default:
        out = makeData({
          ...props,
          valueOffsets: this.offsets.subarray(0, n + 1),
          data: this.bytes.subarray(0, this.used),
        } as never);
    }
    this.alloc();
    return out;
  }
}

/** Streaming decoder of one binary COPY: `push` chunks, collect the batches it cuts, `end` for the rest. */
export class BinaryCopyDecoder {
  private readonly cols: Column[];
  private readonly n: number;
  /** Bytes of an incomplete header or row, the count of them, and the bytes needed to try it again. */
  private pending: Uint8Array[] | undefined;
  private pendingBytes = 0;
  private need = 0;
  private header = false;
  private done = false;
  private rows = 0;
  /** Batches cut so far and not yet taken. */
  readonly batches: RecordBatch[] = [];

  /**
   * @param where names the source in errors, e.g. `"s"."t"` or `query`
   */
  constructor(
    private readonly schema: Schema,
    columns: SourceColumn[],
    private readonly pageSize: number,
    private readonly where: string,
  ) {
    this.cols = columns.map((c) => new Column(c, readerOf(c), pageSize));
    this.n = columns.length;
  }

  /**
   * Feeds the next bytes of the COPY stream. A unit (the header or a row) split across chunks is kept as pieces
   * until enough bytes are there to make progress (`need`), then joined once with only the prefix of the next
   * chunk it needs: linear in the bytes even for a row of many megabytes arriving in small chunks.
   */
  push(chunk: Uint8Array): void {
    let off = 0;
    while (this.pending) {
      const held = this.pendingBytes;
      const avail = held + (chunk.length - off);
      if (avail < this.need) {
        this.pending.push(chunk.slice(off));
        this.pendingBytes = avail;
        return;
      }
      const take = Math.min(chunk.length - off, Math.max(this.need - held, 512));
      const joined = new Uint8Array(held + take);
      let at = 0;
      for (const piece of this.pending) {
        joined.set(piece, at);
        at += piece.length;
      }
      joined.set(chunk.subarray(off, off + take), at);
      this.pending = undefined;
      const q = this.consume(joined, 0);
      if (q >= held) {
        off += q - held; // the held unit is complete: go on in the chunk from where `joined` stopped
        break;
      }
      this.hold(joined.subarray(q));
      off += take;
    }
    const q = this.consume(chunk, off);
    if (q < chunk.length) this.hold(chunk.slice(q));
  }

  /** Keeps the bytes of an incomplete unit and how many bytes are needed before trying it again. */
  private hold(tail: Uint8Array): void {
    if (this.done) throw this.error('data after the end of the COPY stream');
    this.pending = [tail];
    this.pendingBytes = tail.length;
    this.need = tail.length + 1;
    const dv = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
    if (!this.header) {
      if (tail.length >= 19) this.need = Math.max(this.need, 19 + dv.getInt32(15));
      else this.need = 19;
      return;
    }
    // A row: its field count, then (length, bytes) per field; need up to the first part that is missing.
    if (tail.length < 2) return;
    let q = 2;
    for (let j = 0; j < this.n; j++) {
      if (q + 4 > tail.length) {
        this.need = q + 4;
        return;
      }
      const len = dv.getInt32(q);
      q += len > 0 ? 4 + len : 4;
      if (q > tail.length) {
        this.need = q;
        return;
      }
    }
  }

  /** Decodes the header (first) and every complete row from `start`; returns where the unread bytes begin. */
  private consume(b: Uint8Array, start: number): number {
    if (this.done) return start;
    let p = start;
    if (!this.header) {
      p = this.readHeader(b);
      if (p < 0) return start;
      this.header = true;
    }
    return this.readRows(b, p);
  }

  /** Ends the stream: the last (partial) batch is cut; the stream must have ended with its trailer. */
  end(): void {
    if (!this.done) throw this.error('COPY stream ended before its trailer');
    if (this.rows > 0) this.cut();
  }

  private error(what: string): InvalidInputError {
    return new InvalidInputError(`postgres source ${this.where}: binary COPY: ${what}`);
  }

  /** Bytes of the header, or −1 when the buffer does not hold all of it yet. */
  private readHeader(b: Uint8Array): number {
    if (b.length < 19) return -1;
    for (let i = 0; i < SIGNATURE.length; i++) if (b[i] !== SIGNATURE[i]) throw this.error('bad signature');
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    if (dv.getInt32(11) & 0x10000) throw this.error('rows carry OIDs');
    const ext = dv.getInt32(15);
    return b.length < 19 + ext ? -1 : 19 + ext;
  }

  /** Decodes every complete row from `p`; returns where the first incomplete row starts. */
  private readRows(b: Uint8Array, start: number): number {
    const end = b.length;
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const n = this.n;
    const cols = this.cols;
    let p = start;
    while (p + 2 <= end) {
      const fields = dv.getInt16(p);
      if (fields === -1) {
        this.done = true;
        return p + 2;
      }
      if (fields !== n) throw this.error(`a row has ${fields} fields, expected ${n}`);
      // Complete row?
      let q = p + 2;
      for (let j = 0; j < n; j++) {
        if (q + 4 > end) return p;
        const len = dv.getInt32(q);
        q += len > 0 ? 4 + len : 4;
      }
      if (q > end) return p;
      q = p + 2;
      for (let j = 0; j < n; j++) {
        const len = dv.getInt32(q);
        q += 4;
        const c = cols[j] as Column;
        if (len < 0) {
          c.nulls++;
          c.length++;
          if (c.reader >= BYTES) c.offsets[c.length] = c.reader === LIST ? (c.element as Column).length : c.used;
        } else {
          this.value(c, b, dv, q, len);
          q += len;
        }
      }
      p = q;
      if (++this.rows === this.pageSize) this.cut();
    }
    return p;
  }

  /** Appends one non-null value of `len` bytes at `q` to column `c`. */
  private value(c: Column, b: Uint8Array, dv: DataView, q: number, len: number): void {
    const i = c.length;
    switch (c.reader) {
      case INT:
        if (len === 4) c.i32[i] = dv.getInt32(q);
        else if (len === 2) c.i32[i] = dv.getInt16(q);
        else throw this.badLength(c, len);
        break;
      case INT64:
        if (len !== 8) throw this.badLength(c, len);
        c.u32[2 * i] = dv.getUint32(q + 4);
        c.u32[2 * i + 1] = dv.getUint32(q);
        break;
      case TS: {
        if (len !== 8) throw this.badLength(c, len);
        const hi = dv.getInt32(q);
        const lo = dv.getUint32(q + 4);
        if ((hi === 0x7fffffff && lo === 0xffffffff) || (hi === -0x80000000 && lo === 0))
          throw unrepresentable(this.where, c.source, hi < 0 ? '-infinity' : 'infinity');
        const sum = lo + OFF_LO;
        const high = hi + OFF_HI + (sum >= 4294967296 ? 1 : 0);
        // After 294247-01-10 µs since 1970 leave the 64-bit range (PostgreSQL's own limit is 294276).
        if (high > 0x7fffffff) throw unrepresentable(this.where, c.source, 'a value after 294247-01-10');
        c.u32[2 * i] = sum;
        c.u32[2 * i + 1] = high;
        break;
      }
      case DATE: {
        if (len !== 4) throw this.badLength(c, len);
        const d = dv.getInt32(q);
        if (d === 0x7fffffff || d === -0x80000000)
          throw unrepresentable(this.where, c.source, d < 0 ? '-infinity' : 'infinity');
        c.i32[i] = d + PG_EPOCH_DAYS;
        break;
      }
      case F32:
        if (len !== 4) throw this.badLength(c, len);
        c.f32[i] = dv.getFloat32(q);
        break;
      case F64:
        if (len !== 8) throw this.badLength(c, len);
        c.f64[i] = dv.getFloat64(q);
        break;
      case BOOL:
        if (len !== 1) throw this.badLength(c, len);
        if (b[q] !== 0) c.bytes[i >> 3] = (c.bytes[i >> 3] as number) | (1 << (i & 7));
        break;
      case DEC:
        this.decimal(c, dv, q, len, i);
        break;
      case UUID:
        if (len !== 16) throw this.badLength(c, len);
        c.bytes.set(b.subarray(q, q + 16), i * 16);
        break;
      case LIST:
        this.array(c, b, dv, q, len);
        break;
      default: {
        // BYTES and LITERAL: the bytes as they are.
        c.bytesRoom(len);
        const out = c.bytes;
        let o = c.used;
        if (len < 48) for (let k = 0; k < len; k++) out[o++] = b[q + k] as number;
        else {
          out.set(b.subarray(q, q + len), o);
          o += len;
        }
        c.used = o;
        c.offsets[i + 1] = o;
      }
    }
    c.valid[i >> 3] = (c.valid[i >> 3] as number) | (1 << (i & 7));
    c.length = i + 1;
  }

  /** numeric → unscaled Decimal128 at the column's scale (little-endian 32-bit words, two's complement). */
  private decimal(c: Column, dv: DataView, q: number, len: number, i: number): void {
    if (len < 8) throw this.badLength(c, len);
    const ndigits = dv.getInt16(q);
    const weight = dv.getInt16(q + 2);
    const sign = dv.getUint16(q + 4);
    if (len !== 8 + 2 * ndigits) throw this.badLength(c, len);
    if (sign !== 0 && sign !== 0x4000) {
      const what =
        sign === 0xc000 ? 'NaN' : sign === 0xd000 ? 'Infinity' : sign === 0xf000 ? '-Infinity' : 'a bad sign';
      throw unrepresentable(this.where, c.source, `numeric ${what}`);
    }
    const scale = c.source.scale ?? 0;
    // Unscaled value = (digits as one base-10000 integer) · 10^e.
    const e = 4 * (weight - ndigits + 1) + scale;
    const w = c.u32;
    let acc = 0;
    if (ndigits <= 4) for (let k = 0; k < ndigits; k++) acc = acc * 10000 + dv.getInt16(q + 8 + 2 * k);
    // Up to 3 digits the integer is exact; a 4th is exact while the result is ≤ 2^53 (else it stays above).
    if (ndigits <= 4 && acc <= Number.MAX_SAFE_INTEGER) {
      let x = -1;
      if (acc === 0) x = 0;
      else if (e >= 0) {
        if (e < POW10.length) {
          const y = acc * (POW10[e] as number);
          if (y <= Number.MAX_SAFE_INTEGER) x = y;
        }
      } else if (-e < POW10.length) {
        const d = POW10[-e] as number;
        if (acc % d !== 0) throw this.tooManyDigits(c);
        x = acc / d;
      }
      if (x >= 0) {
        const v = sign === 0x4000 ? -x : x;
        const hi = Math.floor(v / 4294967296);
        w[4 * i] = v - hi * 4294967296;
        w[4 * i + 1] = hi;
        const fill = v < 0 ? 0xffffffff : 0;
        w[4 * i + 2] = fill;
        w[4 * i + 3] = fill;
        return;
      }
    }
    let big = 0n;
    for (let k = 0; k < ndigits; k++) big = big * 10000n + BigInt(dv.getInt16(q + 8 + 2 * k));
    if (e >= 0) big *= 10n ** BigInt(e);
    else {
      const d = 10n ** BigInt(-e);
      if (big % d !== 0n) throw this.tooManyDigits(c);
      big /= d;
    }
    if (sign === 0x4000) big = -big;
    let u = BigInt.asUintN(128, big);
    for (let k = 0; k < 4; k++) {
      w[4 * i + k] = Number(u & 0xffffffffn);
      u >>= 32n;
    }
  }

  /** A binary array → list entry: its elements appended to the element column, flattened. */
  private array(c: Column, b: Uint8Array, dv: DataView, q: number, len: number): void {
    const el = c.element as Column;
    const end = q + len;
    const ndim = dv.getInt32(q);
    const oid = dv.getUint32(q + 8);
    if (ndim > 0 && !(c.elementOids as number[]).includes(oid))
      throw this.error(`column ${quoteIdent(c.source.name)}: unexpected array element type oid ${oid}`);
    let count = ndim > 0 ? 1 : 0;
    for (let d = 0; d < ndim; d++) count *= dv.getInt32(q + 12 + 8 * d);
    let p = q + 12 + 8 * ndim;
    for (let k = 0; k < count; k++) {
      if (p + 4 > end) throw this.badLength(c, len);
      const l = dv.getInt32(p);
      p += 4;
      el.room();
      if (l < 0) {
        el.nulls++;
        el.length++;
        if (el.reader >= BYTES) el.offsets[el.length] = el.used;
      } else {
        this.value(el, b, dv, p, l);
        p += l;
      }
    }
    if (p !== end) throw this.badLength(c, len);
    c.offsets[c.length + 1] = el.length;
  }

  private cut(): void {
    const fields = this.schema.fields;
    const children = this.cols.map((c, j) => c.finish(fields[j] as Field, this.where));
    const data = makeData({ type: new Struct(fields), length: this.rows, children });
    this.batches.push(new RecordBatch(this.schema, data));
    this.rows = 0;
  }

  private badLength(c: Column, len: number): InvalidInputError {
    return this.error(`column ${quoteIdent(c.source.name)} (${c.source.pgType}): unexpected value of ${len} bytes`);
  }

  private tooManyDigits(c: Column): InvalidInputError {
    return this.error(
      `column ${quoteIdent(c.source.name)}: numeric value has more digits than scale ${c.source.scale}`,
    );
  }
}

/** Decodes a whole binary COPY stream into batches of at most `pageSize` rows, as they complete. */
export async function* decodeBinaryCopy(
  stream: AsyncIterable<Uint8Array>,
  schema: Schema,
  columns: SourceColumn[],
  pageSize: number,
  where: string,
  signal?: AbortSignal,
): AsyncGenerator<RecordBatch> {
  const decoder = new BinaryCopyDecoder(schema, columns, pageSize, where);
  for await (const chunk of stream) {
    if (signal?.aborted) throw new InvalidInputError('postgres source: read aborted');
    decoder.push(chunk);
    while (decoder.batches.length > 0) yield decoder.batches.shift() as RecordBatch;
  }
  decoder.end();
  while (decoder.batches.length > 0) yield decoder.batches.shift() as RecordBatch;
}
