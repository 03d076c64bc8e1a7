/**
 * avsc types with a BigInt `long`: Iceberg stores snapshot ids and sequence numbers as Avro longs,
 * which exceed 2^53, so every long decodes to a bigint and encodes from a bigint or an integer number.
 */
import * as avro from 'avsc';

/** Zig-zag varint bytes → bigint (Avro long encoding). */
function varintToBigInt(buf: Buffer): bigint {
  // Fast path: up to 7 bytes hold 49 bits, exact in a double.
  if (buf.length <= 7) {
    let n = 0;
    let mul = 1;
    for (const b of buf) {
      n += (b & 0x7f) * mul;
      mul *= 128;
    }
    return BigInt(n % 2 === 0 ? n / 2 : -(n + 1) / 2);
  }
  let n = 0n;
  let shift = 0n;
  for (const b of buf) {
    n |= BigInt(b & 0x7f) << shift;
    shift += 7n;
  }
  return (n >> 1n) ^ -(n & 1n);
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
    fromBuffer: varintToBigInt,
    toBuffer: (v: bigint | number) => bigIntToVarint(BigInt(v)),
    fromJSON: (v: unknown) => BigInt(v as string),
    toJSON: (v: bigint) => (v >= -(2n ** 53n) && v <= 2n ** 53n ? Number(v) : v.toString()),
    isValid: (v: unknown) => typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v)),
    compare: (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0),
  },
  true,
);

/**
 * An avsc Type for a raw schema (JSON object with `field-id` attributes kept by the caller),
 * with longs as bigint. Records decode to plain objects; `["null", T]` unions unwrap.
 */
export function avroType(schema: unknown): avro.Type {
  return avro.Type.forSchema(schema as avro.Schema, {
    registry: { long: bigLong as unknown as avro.Type },
    // `{"type": "long", "logicalType": …}` bypasses the registry: catch every long form here.
    typeHook: (s: avro.Schema) =>
      s === 'long' || (typeof s === 'object' && s !== null && (s as { type?: unknown }).type === 'long')
        ? (bigLong as unknown as avro.Type)
        : undefined,
    wrapUnions: 'auto',
    noAnonymousTypes: false,
  });
}
