/**
 * Conversions between avsc-decoded values and the spec model. @internal
 */
import type { PrimitiveType, PrimitiveValue } from '../spec/types';
import { primitiveKind } from '../spec/types';
import { decimalFromBytes, decimalToBytes, uuidFromBytes, uuidToBytes } from '../spec/values';
import { LazyAvroMap } from './lazy-map';
import { decimalBytes } from './schemas';

export type AvroRecord = Record<string, unknown>;

/** Avro bytes as a plain Uint8Array view (no copy) of the decoded block. */
export function bytesOf(v: unknown): Uint8Array | undefined {
  if (v === null || v === undefined) return undefined;
  const b = v as Uint8Array;
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

export function numOf(v: unknown): number | undefined {
  if (v === null || v === undefined) return undefined;
  return Number(v);
}

// Manifests repeat a few snapshot ids and sequence numbers on every entry: one bigint each, shared.
const bigints = new Map<number, bigint>();

export function bigOf(v: unknown): bigint | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'bigint') return v;
  let b = bigints.get(v as number);
  if (b === undefined) {
    b = BigInt(v as number);
    if (bigints.size >= 4096) bigints.clear();
    bigints.set(v as number, b);
  }
  return b;
}

/** An Iceberg map stored as an array of {key, value} records → Map of numbers. */
export function countMap(v: unknown): Map<number, number> | undefined {
  if (LazyAvroMap.is(v)) return v as LazyAvroMap<number>;
  if (!Array.isArray(v)) return undefined;
  const m = new Map<number, number>();
  for (const kv of v as { key: number; value: bigint | number }[]) m.set(Number(kv.key), Number(kv.value));
  return m;
}

export function bytesMap(v: unknown): Map<number, Uint8Array> | undefined {
  if (LazyAvroMap.is(v)) return v as LazyAvroMap<Uint8Array>;
  if (!Array.isArray(v)) return undefined;
  const m = new Map<number, Uint8Array>();
  for (const kv of v as { key: number; value: Uint8Array }[])
    m.set(Number(kv.key), new Uint8Array(kv.value.buffer, kv.value.byteOffset, kv.value.byteLength));
  return m;
}

export function mapToAvro<V>(m: Map<number, V> | undefined, f: (v: V) => unknown): unknown {
  if (!m) return null;
  return Array.from(m, ([key, value]) => ({ key, value: f(value) }));
}

/** A decoded partition value in the model form of its result type. */
export function partitionValueFromAvro(type: PrimitiveType | undefined, v: unknown): PrimitiveValue | null {
  if (v === null || v === undefined) return null;
  const k = type ? primitiveKind(type) : undefined;
  switch (k?.kind) {
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
    case 'timestamp_ns':
    case 'timestamptz_ns':
      return typeof v === 'bigint' ? v : BigInt(v as number);
    case 'int':
    case 'date':
    case 'float':
    case 'double':
      return Number(v);
    case 'decimal':
      return v instanceof Uint8Array ? decimalFromBytes(v) : BigInt(v as number);
    case 'uuid':
      return v instanceof Uint8Array ? uuidFromBytes(v) : String(v).toLowerCase();
    case 'fixed':
    case 'binary':
      return v instanceof Uint8Array ? new Uint8Array(v) : (v as PrimitiveValue);
    default:
      return v instanceof Uint8Array ? new Uint8Array(v) : (v as PrimitiveValue);
  }
}

/** A model partition value in the form the Avro writer schema expects. */
export function partitionValueToAvro(type: PrimitiveType, v: PrimitiveValue | null): unknown {
  if (v === null || v === undefined) return null;
  const k = primitiveKind(type);
  switch (k?.kind) {
    case 'decimal': {
      const raw = decimalToBytes(BigInt(v as bigint));
      const size = decimalBytes(k.precision);
      const out = Buffer.alloc(size, (raw[0] ?? 0) & 0x80 ? 0xff : 0);
      out.set(raw.subarray(Math.max(0, raw.length - size)), Math.max(0, size - raw.length));
      return out;
    }
    case 'uuid':
      return Buffer.from(typeof v === 'string' ? uuidToBytes(v) : (v as Uint8Array));
    case 'fixed':
    case 'binary':
      return Buffer.from(v as Uint8Array);
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
    case 'timestamp_ns':
    case 'timestamptz_ns':
      return BigInt(v as bigint);
    default:
      return v;
  }
}
