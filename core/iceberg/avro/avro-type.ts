/**
 * avsc types with a lossless `long`: Iceberg stores snapshot ids and sequence numbers as Avro longs,
 * which exceed 2^53. A long decodes to a number when it is a safe integer (counts, sizes: the
 * common case, and 3× cheaper) and to a bigint otherwise; it encodes from either. The manifest
 * readers turn ids and sequence numbers into bigint whatever the width.
 */
import * as avro from 'avsc';
import { LazyAvroMap, skipKeyValueArray } from './lazy-map';

/** Zig-zag varint bytes → bigint (Avro long encoding). */
function varintToLong(buf: Buffer): number | bigint {
  // Up to 7 bytes hold 49 bits: exact in a double.
  if (buf.length <= 7) {
    let n = 0;
    let mul = 1;
    for (const b of buf) {
      n += (b & 0x7f) * mul;
      mul *= 128;
    }
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }
  let n = 0n;
  let shift = 0n;
  for (const b of buf) {
    n |= BigInt(b & 0x7f) << shift;
    shift += 7n;
  }
  const v = (n >> 1n) ^ -(n & 1n);
  return v >= -(2n ** 53n) + 1n && v <= 2n ** 53n - 1n ? Number(v) : v;
}

function numberToVarint(v: number): Buffer {
  let z = v >= 0 ? v * 2 : -v * 2 - 1;
  const out: number[] = [];
  while (z >= 0x80) {
    out.push((z % 128) | 0x80);
    z = Math.floor(z / 128);
  }
  out.push(z);
  return Buffer.from(out);
}

function bigIntToVarint(v: bigint): Buffer {
  let n = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
  const out: number[] = [];
  while (n >= 0x80n) {
    out.push(Number(n & 0x7fn) | 0x80);
    n >>= 7n;
  }
  out.push(Number(n));
  return Buffer.from(out);
}

const bigLong = avro.types.LongType.__with(
  {
    fromBuffer: varintToLong,
    toBuffer: (v: bigint | number) =>
      typeof v === 'number' && Number.isSafeInteger(v) ? numberToVarint(v) : bigIntToVarint(BigInt(v)),
    fromJSON: (v: unknown) => (typeof v === 'number' ? v : BigInt(v as string)),
    toJSON: (v: bigint | number) => (typeof v === 'number' ? v : v.toString()),
    isValid: (v: unknown) => typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v)),
    compare: (a: bigint | number, b: bigint | number) => (a < b ? -1 : a > b ? 1 : 0),
  },
  true,
);

interface Tap {
  buf: Buffer;
  pos: number;
}

/**
 * The same type with direct varint reads and writes: avsc's generic path allocates a Buffer per
 * long, which dominates manifest coding (every count and size is a long). Longer than 7 bytes (beyond
 * 2^48) falls back to the exact bigint path. A read past the end leaves `pos` beyond the buffer,
 * which avsc reports as a truncated value.
 */
const SAFE = 2n ** 53n - 1n;

const fastLong = Object.create(bigLong, {
  _write: {
    value(tap: Tap & { writeLong(n: number): void; writeFixed(b: Buffer): void }, v: number | bigint): void {
      if (typeof v === 'number' && Number.isSafeInteger(v)) tap.writeLong(v);
      else if (typeof v === 'bigint' && v >= -SAFE && v <= SAFE) tap.writeLong(Number(v));
      else if (typeof v === 'bigint') tap.writeFixed(bigIntToVarint(v));
      else throw new Error(`invalid long: ${String(v)}`);
    },
  },
  _read: {
    value(tap: Tap): number | bigint {
      const buf = tap.buf;
      const start = tap.pos;
      let pos = start;
      let n = 0;
      let mul = 1;
      for (let i = 0; i < 7; i++) {
        const b = buf[pos++];
        if (b === undefined) {
          tap.pos = buf.length + 1;
          return 0;
        }
        n += (b & 0x7f) * mul;
        if (b < 0x80) {
          tap.pos = pos;
          return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
        }
        mul *= 128;
      }
      while ((buf[pos] ?? 0) & 0x80) pos++;
      tap.pos = pos + 1;
      return varintToLong(buf.subarray(start, pos + 1));
    },
  },
}) as typeof bigLong;

export interface AvroTypeOptions {
  /**
   * Arrays of `{key: int, value: long | bytes}` records (Iceberg's int-keyed maps: column sizes,
   * counts, bounds) decode to a `LazyAvroMap` over the block instead of an array of records (see
   * lazy-map.ts). For reading manifests; encoding is unchanged.
   */
  lazyKeyValueArrays?: boolean;
}

const longHook = (s: avro.Schema) =>
  s === 'long' || (typeof s === 'object' && s !== null && (s as { type?: unknown }).type === 'long')
    ? (fastLong as unknown as avro.Type)
    : undefined;

/** `long` or `bytes`, as a primitive name or `{type: …}` (logical types included). */
function primitiveName(s: unknown): string | undefined {
  if (typeof s === 'string') return s;
  if (typeof s === 'object' && s !== null && typeof (s as { type?: unknown }).type === 'string')
    return (s as { type: string }).type;
  return undefined;
}

/** `bytes` / `long` for an inline array of `{key: int, value: long | bytes}` records, else undefined. */
function keyValueArray(s: avro.Schema): 'long' | 'bytes' | undefined {
  if (typeof s !== 'object' || s === null || (s as { type?: unknown }).type !== 'array') return undefined;
  const items = (s as { items?: unknown }).items as { type?: unknown; fields?: { name?: unknown; type?: unknown }[] };
  if (typeof items !== 'object' || items === null || items.type !== 'record' || items.fields?.length !== 2)
    return undefined;
  const [k, v] = items.fields;
  if (k?.name !== 'key' || v?.name !== 'value' || primitiveName(k.type) !== 'int') return undefined;
  const vt = primitiveName(v.type);
  return vt === 'long' || vt === 'bytes' ? vt : undefined;
}

/** The array type of `s` whose reads return a LazyAvroMap (writes, skips and checks are the array's). */
function lazyArrayType(s: avro.Schema, values: 'long' | 'bytes'): avro.Type {
  const base = avro.Type.forSchema(s, {
    registry: { long: fastLong as unknown as avro.Type },
    typeHook: longHook,
    noAnonymousTypes: false,
  });
  const bytes = values === 'bytes';
  return Object.create(base, {
    _read: {
      value(tap: Tap) {
        const start = tap.pos;
        try {
          tap.pos = skipKeyValueArray(tap.buf, start, bytes);
        } catch {
          tap.pos = tap.buf.length + 1; // avsc reports a truncated value
          return new LazyAvroMap();
        }
        return LazyAvroMap.over(tap.buf, start, tap.pos, bytes);
      },
    },
  }) as avro.Type;
}

/**
 * An avsc Type for a raw schema (JSON object with `field-id` attributes kept by the caller),
 * with lossless longs (number when safe, else bigint). Records decode to plain objects; `["null", T]` unions unwrap.
 */
export function avroType(schema: unknown, o: AvroTypeOptions = {}): avro.Type {
  return avro.Type.forSchema(schema as avro.Schema, {
    registry: { long: fastLong as unknown as avro.Type },
    // `{"type": "long", "logicalType": …}` bypasses the registry: catch every long form here.
    typeHook: (s: avro.Schema) => {
      if (o.lazyKeyValueArrays) {
        const kv = keyValueArray(s);
        if (kv) return lazyArrayType(s, kv);
      }
      return longHook(s);
    },
    wrapUnions: 'auto',
    noAnonymousTypes: false,
  });
}
