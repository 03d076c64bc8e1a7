/**
 * Merge keys as bytes in an open-addressing hash set, read straight from Arrow buffers: no JS string
 * or bigint per row. A row's key is, per key column, a validity byte (0 = null, so null keys match
 * each other as in equality deletes) then the value's bytes (fixed-width types: little-endian values;
 * strings and binary: a 4-byte length, then the bytes). Both sides of a merge are conformed to the same
 * table schema, so equal keys have equal bytes.
 *
 * Float and double keys are not encoded here (byte equality would separate 0 and -0, and the string
 * keys of merge.ts treat them as equal); `KeyCodec.of` returns undefined for them and callers keep the
 * string path.
 */
import * as arrow from 'apache-arrow';
import { arrowTypeOf } from '../../arrow/write/arrow-schema';
import type { Schema } from '../spec/schema';

/** Writes row `i` of one column into the encoder's scratch buffer. */
type ColumnWriter = (e: KeyEncoder, i: number) => void;

class KeyEncoder {
  buf = new Uint8Array(256);
  len = 0;

  ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + extra));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
}

/** Byte width of a fixed-width Arrow type whose values are one typed-array element per row (or several). */
function fixedWidth(t: arrow.DataType): number | undefined {
  if (arrow.DataType.isInt(t)) return t.bitWidth / 8;
  if (arrow.DataType.isDate(t)) return t.unit === arrow.DateUnit.DAY ? 4 : 8;
  if (arrow.DataType.isTime(t)) return t.bitWidth / 8;
  if (arrow.DataType.isTimestamp(t)) return 8;
  if (arrow.DataType.isDecimal(t)) return t.bitWidth / 8;
  if (arrow.DataType.isFixedSizeBinary(t)) return t.byteWidth;
  return undefined;
}

/** Types encoded here (Utf8 and Binary: 32-bit offsets; their Large variants are other type ids). */
function supported(t: arrow.DataType): boolean {
  return (
    fixedWidth(t) !== undefined || arrow.DataType.isBool(t) || arrow.DataType.isUtf8(t) || arrow.DataType.isBinary(t)
  );
}

function bytesOf(v: ArrayBufferView): Uint8Array {
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

/** A writer for one column chunk, or undefined when its physical type is not one this encoder knows. */
function columnWriter(d: arrow.Data): ColumnWriter | undefined {
  const t = d.type;
  const valid = (i: number) => d.nullCount === 0 || d.getValid(i);
  const width = fixedWidth(t);
  if (width !== undefined) {
    const src = bytesOf(d.values as ArrayBufferView);
    return (e, i) => {
      e.ensure(1 + width);
      const b = e.buf;
      if (!valid(i)) {
        b[e.len++] = 0;
        return;
      }
      b[e.len++] = 1;
      const at = i * width;
      for (let k = 0; k < width; k++) b[e.len + k] = src[at + k] as number;
      e.len += width;
    };
  }
  if (arrow.DataType.isBool(t)) {
    const bits = d.values as Uint8Array;
    return (e, i) => {
      e.ensure(2);
      if (!valid(i)) {
        e.buf[e.len++] = 0;
        return;
      }
      const k = d.offset + i;
      e.buf[e.len++] = 1;
      e.buf[e.len++] = ((bits[k >> 3] as number) >> (k & 7)) & 1;
    };
  }
  if (supported(t)) {
    const offs = d.valueOffsets as Int32Array;
    const src = d.values as Uint8Array;
    return (e, i) => {
      if (!valid(i)) {
        e.ensure(1);
        e.buf[e.len++] = 0;
        return;
      }
      const from = offs[i] as number;
      const n = (offs[i + 1] as number) - from;
      e.ensure(5 + n);
      const b = e.buf;
      let p = e.len;
      b[p++] = 1;
      b[p++] = n & 0xff;
      b[p++] = (n >>> 8) & 0xff;
      b[p++] = (n >>> 16) & 0xff;
      b[p++] = n >>> 24;
      if (n > 32) b.set(src.subarray(from, from + n), p);
      else for (let k = 0; k < n; k++) b[p + k] = src[from + k] as number;
      e.len = p + n;
    };
  }
  return undefined;
}

function hashBytes(b: Uint8Array, n: number): number {
  let h = 0x811c9dc5 ^ n;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ (b[i] as number), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** A set of byte keys (open addressing, linear probing); each key gets an entry number in insertion order. */
class ByteKeySet {
  private arena = new Uint8Array(1 << 16);
  private used = 0;
  private starts = new Int32Array(1024);
  private lens = new Int32Array(1024);
  private hashes = new Int32Array(1024);
  /** Slot → entry + 1 (0: empty). */
  private slots = new Int32Array(2048);
  private mask = 2047;
  size = 0;

  /** The entry of the key `b[0..n)` with hash `h`, or -1. */
  find(b: Uint8Array, n: number, h: number): number {
    const slots = this.slots;
    for (let s = h & this.mask; ; s = (s + 1) & this.mask) {
      const e = (slots[s] as number) - 1;
      if (e < 0) return -1;
      if (this.hashes[e] === h && this.equals(e, b, n)) return e;
    }
  }

  /** The key's entry, inserted when absent. */
  add(b: Uint8Array, n: number, h: number): number {
    const found = this.find(b, n, h);
    if (found >= 0) return found;
    const e = this.size++;
    if (e >= this.starts.length) this.growEntries();
    if (this.used + n > this.arena.length) {
      const next = new Uint8Array(Math.max(this.arena.length * 2, this.used + n));
      next.set(this.arena.subarray(0, this.used));
      this.arena = next;
    }
    this.arena.set(b.subarray(0, n), this.used);
    this.starts[e] = this.used;
    this.lens[e] = n;
    this.hashes[e] = h;
    this.used += n;
    if (this.size * 2 > this.slots.length) this.rehash();
    else this.place(e);
    return e;
  }

  private equals(e: number, b: Uint8Array, n: number): boolean {
    if (this.lens[e] !== n) return false;
    const a = this.arena;
    const at = this.starts[e] as number;
    for (let i = 0; i < n; i++) if (a[at + i] !== b[i]) return false;
    return true;
  }

  private place(e: number): void {
    const slots = this.slots;
    let s = (this.hashes[e] as number) & this.mask;
    while (slots[s] !== 0) s = (s + 1) & this.mask;
    slots[s] = e + 1;
  }

  private growEntries(): void {
    const grow = (a: Int32Array) => {
      const next = new Int32Array(a.length * 2);
      next.set(a);
      return next;
    };
    this.starts = grow(this.starts);
    this.lens = grow(this.lens);
    this.hashes = grow(this.hashes);
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    this.mask = this.slots.length - 1;
    for (let e = 0; e < this.size; e++) this.place(e);
  }
}

/**
 * The distinct keys of conformed tables (one schema): rows are added, then other tables' rows looked
 * up. Entries are numbered in insertion order.
 */
export interface KeyIndex {
  readonly size: number;
  /**
   * Adds every row's key; `entries[row]` receives the row's entry number when given. False when a
   * column's physical type is not one this index encodes (the caller falls back to string keys).
   */
  addRows(table: arrow.Table, entries?: Int32Array): boolean;
  /** Sets `drop[row] = 1` for the rows whose key is in the index; the count of them, or -1 as above. */
  markRows(table: arrow.Table, drop: Uint8Array): number;
  /**
   * Adds keys given as merge.ts `rowKeys` strings (`String(value)`, `\u0001null` for null); false when
   * they cannot be parsed back exactly (several key columns, or a type other than
   * int/long/date/time/timestamp/string).
   */
  addKeyStrings(keys: Iterable<string>): boolean;
}

/** An index of the key fields `ids` of `schema`, or undefined when a key type is not encoded here. */
export function keyIndex(schema: Schema, ids: number[]): KeyIndex | undefined {
  const cols: number[] = [];
  const types: arrow.DataType[] = [];
  for (const id of ids) {
    const idx = schema.fields.findIndex((f) => f.id === id);
    const f = schema.fields[idx];
    if (!f || typeof f.type !== 'string' || /^(float|double)$/.test(f.type)) return undefined;
    const t = arrowTypeOf(f.type);
    if (!supported(t)) return undefined;
    cols.push(idx);
    types.push(t);
  }
  if (cols.length === 0) return undefined;
  const t = types[0] as arrow.DataType;
  if (cols.length === 1 && integral(t) && (fixedWidth(t) === 4 || fixedWidth(t) === 8))
    return new IntKeyIndex(cols[0] as number, fixedWidth(t) as 4 | 8);
  return new ByteKeyIndex(cols, types);
}

function integral(t: arrow.DataType): boolean {
  return (
    arrow.DataType.isInt(t) || arrow.DataType.isDate(t) || arrow.DataType.isTime(t) || arrow.DataType.isTimestamp(t)
  );
}

function hash64(lo: number, hi: number): number {
  let h = Math.imul(lo, 0x9e3779b1) ^ Math.imul(hi ^ (lo >>> 15), 0x85ebca6b);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  return h ^ (h >>> 15);
}

/** One 32- or 64-bit integer column (int, long, date, time, timestamps): keys as two int32 words. */
class IntKeyIndex implements KeyIndex {
  private lo = new Int32Array(1024);
  private hi = new Int32Array(1024);
  /** Slot → entry + 1 (0: empty). */
  private slots = new Int32Array(2048);
  private mask = 2047;
  private nullEntry = -1;
  size = 0;

  constructor(
    private readonly col: number,
    private readonly width: 4 | 8,
  ) {}

  private words(d: arrow.Data): Int32Array | undefined {
    const v = d.values as ArrayBufferView | undefined;
    if (!v || fixedWidth(d.type) !== this.width || !integral(d.type)) return undefined;
    return new Int32Array(v.buffer, v.byteOffset, v.byteLength >> 2);
  }

  private find(lo: number, hi: number): number {
    const slots = this.slots;
    const mask = this.mask;
    for (let s = hash64(lo, hi) & mask; ; s = (s + 1) & mask) {
      const e = (slots[s] as number) - 1;
      if (e < 0) return -1;
      if (this.lo[e] === lo && this.hi[e] === hi) return e;
    }
  }

  private add(lo: number, hi: number): number {
    const found = this.find(lo, hi);
    if (found >= 0) return found;
    const e = this.newEntry();
    this.lo[e] = lo;
    this.hi[e] = hi;
    if (this.size * 2 > this.slots.length) {
      this.slots = new Int32Array(this.slots.length * 2);
      this.mask = this.slots.length - 1;
      for (let x = 0; x < this.size; x++) if (x !== this.nullEntry) this.place(x);
    } else this.place(e);
    return e;
  }

  private newEntry(): number {
    const e = this.size++;
    if (e >= this.lo.length) {
      const grow = (a: Int32Array) => {
        const next = new Int32Array(a.length * 2);
        next.set(a);
        return next;
      };
      this.lo = grow(this.lo);
      this.hi = grow(this.hi);
    }
    return e;
  }

  private place(e: number): void {
    const slots = this.slots;
    const mask = this.mask;
    let s = hash64(this.lo[e] as number, this.hi[e] as number) & mask;
    while (slots[s] !== 0) s = (s + 1) & mask;
    slots[s] = e + 1;
  }

  /** Null keys match each other: one entry, never placed in the slots. */
  private addNull(): number {
    if (this.nullEntry < 0) this.nullEntry = this.newEntry();
    return this.nullEntry;
  }

  addRows(table: arrow.Table, entries?: Int32Array): boolean {
    const chunks = table.batches.map((b) => b.data.children[this.col] as arrow.Data);
    const words = chunks.map((d) => this.words(d));
    if (words.some((w) => !w)) return false;
    let row = 0;
    chunks.forEach((d, ci) => {
      const w = words[ci] as Int32Array;
      const nulls = d.nullCount > 0;
      for (let i = 0; i < d.length; i++, row++) {
        let e: number;
        if (nulls && !d.getValid(i)) e = this.addNull();
        else if (this.width === 8) e = this.add(w[2 * i] as number, w[2 * i + 1] as number);
        else e = this.add(w[i] as number, 0);
        if (entries) entries[row] = e;
      }
    });
    return true;
  }

  markRows(table: arrow.Table, drop: Uint8Array): number {
    const chunks = table.batches.map((b) => b.data.children[this.col] as arrow.Data);
    const words = chunks.map((d) => this.words(d));
    if (words.some((w) => !w)) return -1;
    let row = 0;
    let count = 0;
    chunks.forEach((d, ci) => {
      const w = words[ci] as Int32Array;
      const nulls = d.nullCount > 0;
      const wide = this.width === 8;
      for (let i = 0; i < d.length; i++, row++) {
        let hit: boolean;
        if (nulls && !d.getValid(i)) hit = this.nullEntry >= 0;
        else hit = (wide ? this.find(w[2 * i] as number, w[2 * i + 1] as number) : this.find(w[i] as number, 0)) >= 0;
        if (hit) {
          drop[row] = 1;
          count++;
        }
      }
    });
    return count;
  }

  addKeyStrings(keys: Iterable<string>): boolean {
    const parsed: ([number, number] | null)[] = [];
    for (const k of keys) {
      if (k === '\u0001null') parsed.push(null);
      else if (!/^-?\d+$/.test(k)) return false;
      else if (this.width === 4) {
        const v = Number(k);
        if (v !== (v | 0)) return false;
        parsed.push([v, 0]);
      } else {
        const v = BigInt(k);
        if (v !== BigInt.asIntN(64, v)) return false;
        parsed.push([Number(BigInt.asIntN(32, v)), Number(BigInt.asIntN(32, v >> 32n))]);
      }
    }
    for (const p of parsed) {
      if (p) this.add(p[0], p[1]);
      else this.addNull();
    }
    return true;
  }
}

/** Any supported key columns, each row's key encoded as bytes (see the top of this file). */
class ByteKeyIndex implements KeyIndex {
  private readonly set = new ByteKeySet();
  private readonly enc = new KeyEncoder();

  constructor(
    private readonly cols: number[],
    private readonly types: arrow.DataType[],
  ) {}

  get size(): number {
    return this.set.size;
  }

  private writers(table: arrow.Table): ColumnWriter[][] | undefined {
    const out: ColumnWriter[][] = [];
    for (const batch of table.batches) {
      const ws: ColumnWriter[] = [];
      for (const c of this.cols) {
        const w = columnWriter(batch.data.children[c] as arrow.Data);
        if (!w) return undefined;
        ws.push(w);
      }
      out.push(ws);
    }
    return out;
  }

  private encode(ws: ColumnWriter[], i: number): number {
    const e = this.enc;
    e.len = 0;
    for (const w of ws) w(e, i);
    return hashBytes(e.buf, e.len);
  }

  addRows(table: arrow.Table, entries?: Int32Array): boolean {
    const writers = this.writers(table);
    if (!writers) return false;
    let row = 0;
    table.batches.forEach((batch, bi) => {
      const ws = writers[bi] as ColumnWriter[];
      for (let i = 0; i < batch.numRows; i++, row++) {
        const h = this.encode(ws, i);
        const e = this.set.add(this.enc.buf, this.enc.len, h);
        if (entries) entries[row] = e;
      }
    });
    return true;
  }

  markRows(table: arrow.Table, drop: Uint8Array): number {
    const writers = this.writers(table);
    if (!writers) return -1;
    let row = 0;
    let count = 0;
    table.batches.forEach((batch, bi) => {
      const ws = writers[bi] as ColumnWriter[];
      for (let i = 0; i < batch.numRows; i++, row++) {
        const h = this.encode(ws, i);
        if (this.set.find(this.enc.buf, this.enc.len, h) >= 0) {
          drop[row] = 1;
          count++;
        }
      }
    });
    return count;
  }

  addKeyStrings(keys: Iterable<string>): boolean {
    const t = this.types[0] as arrow.DataType;
    if (this.cols.length !== 1 || !arrow.DataType.isUtf8(t)) return false;
    const utf8 = new TextEncoder();
    for (const k of keys) {
      let b: Uint8Array;
      if (k === '\u0001null') b = Uint8Array.of(0);
      else {
        const s = utf8.encode(k);
        b = new Uint8Array(5 + s.length);
        new DataView(b.buffer).setUint32(1, s.length, true);
        b[0] = 1;
        b.set(s, 5);
      }
      this.set.add(b, b.length, hashBytes(b, b.length));
    }
    return true;
  }
}
