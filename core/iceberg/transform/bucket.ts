/** bucket[N] (format/spec.md "Bucket Transform Details", Appendix B hash per type). */
import type { PrimitiveKind, PrimitiveValue } from '../spec/types';
import { decimalToBytes, toBytes, uuidToBytes } from '../spec/values';
import { murmur3Bytes, murmur3Double, murmur3Long } from './murmur3';

const utf8 = new TextEncoder();

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

/**
 * The Appendix B hash of a value: ints, longs, dates, times and timestamps as hashLong;
 * nanosecond timestamps converted to micros first; decimals by their minimal big-endian bytes;
 * strings as UTF-8; uuids as 16 big-endian bytes; fixed and binary as their bytes.
 */
export function hashValue(k: PrimitiveKind, v: PrimitiveValue): number {
  switch (k.kind) {
    case 'int':
    case 'long':
    case 'date':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      return murmur3Long(v as number | bigint);
    case 'timestamp_ns':
    case 'timestamptz_ns':
      return murmur3Long(floorDiv(BigInt(v as bigint), 1000n));
    case 'boolean':
      return murmur3Long(v ? 1 : 0);
    case 'float':
    case 'double':
      return murmur3Double(Number(v));
    case 'decimal':
      return murmur3Bytes(decimalToBytes(BigInt(v as bigint)));
    case 'string':
      return murmur3Bytes(utf8.encode(String(v)));
    case 'uuid':
      return murmur3Bytes(typeof v === 'string' ? uuidToBytes(v) : (v as Uint8Array));
    default:
      return murmur3Bytes(v instanceof Uint8Array ? v : toBytes(k, v));
  }
}

/** `(hash & Integer.MAX_VALUE) % N`. */
export function bucketValue(k: PrimitiveKind, v: PrimitiveValue, n: number): number {
  return (hashValue(k, v) & 0x7fffffff) % n;
}
