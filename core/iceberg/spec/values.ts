/**
 * Single-value binary serialization (format/spec.md Appendix D), used for partition summaries,
 * column bounds and partition values, plus value ordering for pruning.
 * Values follow {@link PrimitiveValue}: decimals are unscaled bigint, uuids lower-case strings.
 */
import { InvalidIcebergError } from '../errors';
import type { PrimitiveKind, PrimitiveType, PrimitiveValue } from './types';
import { primitiveKind } from './types';

const utf8 = new TextEncoder();
const utf8d = new TextDecoder('utf-8');

/** The kind of a primitive type string; InvalidIcebergError for an unknown one. */
export function kindOf(t: PrimitiveType): PrimitiveKind {
  const k = primitiveKind(t);
  if (!k) throw new InvalidIcebergError(`unknown primitive type '${t}'`);
  return k;
}

/**
 * Encodes a value as Appendix D bytes.
 * @example toBytes('int', 34) // Uint8Array [34, 0, 0, 0]
 */
export function toBytes(type: PrimitiveType | PrimitiveKind, value: PrimitiveValue): Uint8Array {
  const k = typeof type === 'string' ? kindOf(type) : type;
  switch (k.kind) {
    case 'boolean':
      return Uint8Array.of(value ? 1 : 0);
    case 'int':
    case 'date': {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setInt32(0, Number(value), true);
      return b;
    }
    case 'float': {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setFloat32(0, Number(value), true);
      return b;
    }
    case 'double': {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setFloat64(0, Number(value), true);
      return b;
    }
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
    case 'timestamp_ns':
    case 'timestamptz_ns': {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigInt64(0, BigInt(value as bigint | number), true);
      return b;
    }
    case 'string':
      return utf8.encode(String(value));
    case 'uuid':
      return uuidToBytes(String(value));
    case 'decimal':
      return decimalToBytes(BigInt(value as bigint | number));
    default:
      if (value instanceof Uint8Array) return value;
      throw new InvalidIcebergError(`cannot serialize a value of type ${k.kind}`);
  }
}

/**
 * Decodes Appendix D bytes. Tolerates promoted columns: old files keep 4-byte stats, read as
 * long or double (int→long, float→double) or as days for timestamps (v3 date→timestamp).
 */
export function fromBytes(type: PrimitiveType | PrimitiveKind, bytes: Uint8Array): PrimitiveValue {
  const k = typeof type === 'string' ? kindOf(type) : type;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (k.kind) {
    case 'boolean':
      return bytes.length > 0 && bytes[0] !== 0;
    case 'int':
    case 'date':
      need(k.kind, bytes, 4);
      return dv.getInt32(0, true);
    case 'float':
      need(k.kind, bytes, 4);
      return dv.getFloat32(0, true);
    case 'double':
      if (bytes.length === 4) return dv.getFloat32(0, true);
      need(k.kind, bytes, 8);
      return dv.getFloat64(0, true);
    case 'long':
    case 'time':
      if (bytes.length === 4) return BigInt(dv.getInt32(0, true));
      need(k.kind, bytes, 8);
      return dv.getBigInt64(0, true);
    case 'timestamp':
    case 'timestamptz':
    case 'timestamp_ns':
    case 'timestamptz_ns':
      // v3 allows date → timestamp promotion: a 4-byte bound is a day count.
      if (bytes.length === 4)
        return BigInt(dv.getInt32(0, true)) * (k.kind.endsWith('_ns') ? 86_400_000_000_000n : 86_400_000_000n);
      need(k.kind, bytes, 8);
      return dv.getBigInt64(0, true);
    case 'string':
      return utf8d.decode(bytes);
    case 'uuid':
      need(k.kind, bytes, 16);
      return uuidFromBytes(bytes);
    case 'decimal':
      return decimalFromBytes(bytes);
    default:
      return bytes.slice();
  }
}

function need(kind: string, bytes: Uint8Array, n: number): void {
  if (bytes.length < n) throw new InvalidIcebergError(`bad ${kind} value: ${bytes.length} bytes, expected ${n}`);
}

/** Two's-complement big-endian bytes of an unscaled decimal, minimum length (Appendix D). */
export function decimalToBytes(unscaled: bigint): Uint8Array {
  const out: number[] = [];
  let v = unscaled;
  for (;;) {
    const byte = Number(BigInt.asUintN(8, v));
    out.unshift(byte);
    v >>= 8n;
    // Stop once the remaining value is pure sign extension of the byte just written.
    if ((v === 0n && (byte & 0x80) === 0) || (v === -1n && (byte & 0x80) !== 0)) break;
  }
  return Uint8Array.from(out);
}

/** The unscaled value of two's-complement big-endian bytes. */
export function decimalFromBytes(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return BigInt.asIntN(bytes.length * 8, v);
}

/** 16 big-endian bytes of a uuid string. */
export function uuidToBytes(uuid: string): Uint8Array {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new InvalidIcebergError(`bad uuid '${uuid}'`);
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** The canonical lower-case uuid string of 16 bytes. */
export function uuidFromBytes(b: Uint8Array): string {
  const h = Array.from(b.subarray(0, 16), (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Compares UTF-16 strings in code point order (= UTF-8 byte order, how Iceberg orders strings). */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (D800–DFFF) encode code points above FFFF: move them after E000–FFFF.
    if (x >= 0xd800) x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
    if (y >= 0xd800) y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    return x - y;
  }
  return a.length - b.length;
}

/** Unsigned lexicographic byte order. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/**
 * Orders two values of the same type; numbers and bigint may mix (promoted columns).
 * NaN sorts after everything, as in Iceberg's comparators.
 */
export function compareValues(a: PrimitiveValue, b: PrimitiveValue): number {
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  if (a instanceof Uint8Array && b instanceof Uint8Array) return compareBytes(a, b);
  if (typeof a === 'boolean' || typeof b === 'boolean') return Number(a) - Number(b);
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : -1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number')) {
    // Mixed: compare exactly without losing bigint precision.
    if (typeof a === 'number' && !Number.isInteger(a)) return a < Number(b) ? -1 : a > Number(b) ? 1 : 0;
    if (typeof b === 'number' && !Number.isInteger(b)) return Number(a) < b ? -1 : Number(a) > b ? 1 : 0;
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  throw new InvalidIcebergError(`cannot compare ${typeof a} with ${typeof b}`);
}

/** Value equality under {@link compareValues}. */
export function valuesEqual(a: PrimitiveValue, b: PrimitiveValue): boolean {
  return compareValues(a, b) === 0;
}
