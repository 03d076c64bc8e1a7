/**
 * Thrift compact protocol, generic: a struct decodes into its fields in wire order (id, compact type, value), and
 * encodes back to the same bytes, unknown fields included. Enough to edit a Parquet footer (`FileMetaData`) field
 * by field without a schema of every struct: parquet-splice.ts shifts byte offsets and drops page-index fields.
 *
 * Types: i8 as a number, i16/i32 as numbers, i64 as bigint, double as number, binary as bytes, bool as boolean.
 * Reference: https://github.com/apache/thrift/blob/master/doc/specs/thrift-compact-protocol.md
 */

/** Compact protocol type codes. */
export const T = {
  TRUE: 1,
  FALSE: 2,
  I8: 3,
  I16: 4,
  I32: 5,
  I64: 6,
  DOUBLE: 7,
  BINARY: 8,
  LIST: 9,
  SET: 10,
  MAP: 11,
  STRUCT: 12,
} as const;

export type TValue = number | bigint | boolean | Uint8Array | TStruct | TList | TMap;

export interface TField {
  id: number;
  /** Compact type; booleans keep TRUE or FALSE as read, the encoder writes the one matching `value`. */
  type: number;
  value: TValue;
}

export interface TStruct {
  kind: 'struct';
  fields: TField[];
}

export interface TList {
  kind: 'list';
  /** LIST or SET. */
  type: number;
  elemType: number;
  items: TValue[];
}

export interface TMap {
  kind: 'map';
  keyType: number;
  valueType: number;
  entries: [TValue, TValue][];
}

export class ThriftError extends Error {}

/** Decodes one struct starting at `offset`; `end` is the offset after it. */
export function decodeStruct(bytes: Uint8Array, offset = 0): { struct: TStruct; end: number } {
  const r = new Reader(bytes, offset);
  const struct = r.struct(0);
  return { struct, end: r.at };
}

/** Encodes a struct. */
export function encodeStruct(s: TStruct): Uint8Array {
  const w = new Writer();
  w.struct(s);
  return w.done();
}

/** The field with `id`, if present. */
export function field(s: TStruct, id: number): TField | undefined {
  return s.fields.find((f) => f.id === id);
}

/** The struct's field `id` as a struct (throws when absent or not a struct). */
export function structField(s: TStruct, id: number): TStruct {
  const v = field(s, id)?.value;
  if (!v || typeof v !== 'object' || !('kind' in v) || v.kind !== 'struct')
    throw new ThriftError(`thrift: field ${id} is not a struct`);
  return v;
}

/** The struct's field `id` as a list (throws when absent or not a list). */
export function listField(s: TStruct, id: number): TList {
  const v = field(s, id)?.value;
  if (!v || typeof v !== 'object' || !('kind' in v) || v.kind !== 'list')
    throw new ThriftError(`thrift: field ${id} is not a list`);
  return v;
}

/** The struct's integer field `id` as a bigint, if present. */
export function intField(s: TStruct, id: number): bigint | undefined {
  const v = field(s, id)?.value;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(v);
  return undefined;
}

const MAX_DEPTH = 64;

class Reader {
  at: number;

  constructor(
    private readonly b: Uint8Array,
    offset: number,
  ) {
    this.at = offset;
  }

  private byte(): number {
    if (this.at >= this.b.length) throw new ThriftError('thrift: truncated input');
    return this.b[this.at++] as number;
  }

  private varint(): bigint {
    let out = 0n;
    let shift = 0n;
    for (;;) {
      const x = this.byte();
      out |= BigInt(x & 0x7f) << shift;
      if (!(x & 0x80)) return out;
      shift += 7n;
      if (shift > 63n) throw new ThriftError('thrift: varint too long');
    }
  }

  private small(): number {
    // varints of i16/i32 and lengths: numbers, no BigInt
    let out = 0;
    let mul = 1;
    for (let i = 0; i < 5; i++) {
      const x = this.byte();
      out += (x & 0x7f) * mul;
      if (!(x & 0x80)) return out;
      mul *= 128;
    }
    throw new ThriftError('thrift: varint too long');
  }

  private zigzag32(): number {
    const n = this.small();
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }

  private zigzag64(): bigint {
    const n = this.varint();
    return (n >> 1n) ^ -(n & 1n);
  }

  private length(): number {
    const n = this.small();
    if (n > this.b.length - this.at) throw new ThriftError('thrift: length past the end of the input');
    return n;
  }

  value(type: number, depth: number): TValue {
    switch (type) {
      case T.TRUE:
        return true;
      case T.FALSE:
        return false;
      case T.I8: {
        const x = this.byte();
        return x > 127 ? x - 256 : x;
      }
      case T.I16:
      case T.I32:
        return this.zigzag32();
      case T.I64:
        return this.zigzag64();
      case T.DOUBLE: {
        if (this.at + 8 > this.b.length) throw new ThriftError('thrift: truncated input');
        const v = new DataView(this.b.buffer, this.b.byteOffset + this.at, 8).getFloat64(0, true);
        this.at += 8;
        return v;
      }
      case T.BINARY: {
        const n = this.length();
        const v = this.b.subarray(this.at, this.at + n);
        this.at += n;
        return v;
      }
      case T.LIST:
      case T.SET:
        return this.list(type, depth + 1);
      case T.MAP:
        return this.map(depth + 1);
      case T.STRUCT:
        return this.struct(depth + 1);
      default:
        throw new ThriftError(`thrift: unknown type ${type}`);
    }
  }

  private element(type: number, depth: number): TValue {
    // booleans inside containers are one byte: 1 true, 2 (or 0) false
    if (type === T.TRUE || type === T.FALSE) return this.byte() === T.TRUE;
    return this.value(type, depth);
  }

  private list(type: number, depth: number): TList {
    if (depth > MAX_DEPTH) throw new ThriftError('thrift: nested too deep');
    const h = this.byte();
    const elemType = h & 0x0f;
    const size = h >> 4 === 15 ? this.small() : h >> 4;
    if (size > this.b.length - this.at) throw new ThriftError('thrift: list longer than the input');
    const items: TValue[] = [];
    for (let i = 0; i < size; i++) items.push(this.element(elemType, depth));
    return { kind: 'list', type, elemType, items };
  }

  private map(depth: number): TMap {
    if (depth > MAX_DEPTH) throw new ThriftError('thrift: nested too deep');
    const size = this.small();
    if (size === 0) return { kind: 'map', keyType: 0, valueType: 0, entries: [] };
    if (size > this.b.length - this.at) throw new ThriftError('thrift: map longer than the input');
    const h = this.byte();
    const keyType = h >> 4;
    const valueType = h & 0x0f;
    const entries: [TValue, TValue][] = [];
    for (let i = 0; i < size; i++) entries.push([this.element(keyType, depth), this.element(valueType, depth)]);
    return { kind: 'map', keyType, valueType, entries };
  }

  struct(depth: number): TStruct {
    if (depth > MAX_DEPTH) throw new ThriftError('thrift: nested too deep');
    const fields: TField[] = [];
    let last = 0;
    for (;;) {
      const h = this.byte();
      if (h === 0) return { kind: 'struct', fields };
      const type = h & 0x0f;
      const delta = h >> 4;
      const id = delta === 0 ? this.zigzag32() : last + delta;
      last = id;
      fields.push({ id, type, value: this.value(type, depth) });
    }
  }
}

class Writer {
  private buf = new Uint8Array(1024);
  private at = 0;

  done(): Uint8Array {
    return this.buf.slice(0, this.at);
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.at + n));
    next.set(this.buf.subarray(0, this.at));
    this.buf = next;
  }

  private byte(x: number): void {
    this.room(1);
    this.buf[this.at++] = x & 0xff;
  }

  private varint(n: bigint): void {
    let v = BigInt.asUintN(64, n);
    do {
      let x = Number(v & 0x7fn);
      v >>= 7n;
      if (v) x |= 0x80;
      this.byte(x);
    } while (v);
  }

  private small(n: number): void {
    let v = n >>> 0;
    do {
      let x = v & 0x7f;
      v >>>= 7;
      if (v) x |= 0x80;
      this.byte(x);
    } while (v);
  }

  private zigzag32(n: number): void {
    this.small(((n << 1) ^ (n >> 31)) >>> 0);
  }

  private zigzag64(n: bigint): void {
    this.varint((n << 1n) ^ (n >> 63n));
  }

  private bytes(b: Uint8Array): void {
    this.small(b.length);
    this.room(b.length);
    this.buf.set(b, this.at);
    this.at += b.length;
  }

  private value(type: number, v: TValue): void {
    switch (type) {
      case T.TRUE:
      case T.FALSE:
        return; // in the field header
      case T.I8:
        this.byte(Number(v));
        return;
      case T.I16:
      case T.I32:
        this.zigzag32(Number(v));
        return;
      case T.I64:
        this.zigzag64(BigInt(v as number | bigint));
        return;
      case T.DOUBLE: {
        this.room(8);
        new DataView(this.buf.buffer, this.at, 8).setFloat64(0, v as number, true);
        this.at += 8;
        return;
      }
      case T.BINARY:
        this.bytes(v as Uint8Array);
        return;
      case T.LIST:
      case T.SET:
        this.list(v as TList);
        return;
      case T.MAP:
        this.map(v as TMap);
        return;
      case T.STRUCT:
        this.struct(v as TStruct);
        return;
      default:
        throw new ThriftError(`thrift: unknown type ${type}`);
    }
  }

  private element(type: number, v: TValue): void {
    if (type === T.TRUE || type === T.FALSE) this.byte(v ? T.TRUE : T.FALSE);
    else this.value(type, v);
  }

  private list(l: TList): void {
    const n = l.items.length;
    if (n < 15) this.byte((n << 4) | l.elemType);
    else {
      this.byte(0xf0 | l.elemType);
      this.small(n);
    }
    for (const x of l.items) this.element(l.elemType, x);
  }

  private map(m: TMap): void {
    this.small(m.entries.length);
    if (m.entries.length === 0) return;
    this.byte((m.keyType << 4) | m.valueType);
    for (const [k, v] of m.entries) {
      this.element(m.keyType, k);
      this.element(m.valueType, v);
    }
  }

  struct(s: TStruct): void {
    let last = 0;
    for (const f of s.fields) {
      const type = f.type === T.TRUE || f.type === T.FALSE ? (f.value ? T.TRUE : T.FALSE) : f.type;
      const delta = f.id - last;
      if (delta > 0 && delta <= 15) this.byte((delta << 4) | type);
      else {
        this.byte(type);
        this.zigzag32(f.id);
      }
      last = f.id;
      this.value(type, f.value);
    }
    this.byte(0);
  }
}
