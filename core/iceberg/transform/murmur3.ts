/**
 * Murmur3 x86 32-bit with seed 0, the hash of Iceberg bucket partitioning
 * (format/spec.md Appendix B). All arithmetic is 32-bit via Math.imul and `| 0`.
 */
const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function mixK1(k: number): number {
  let k1 = Math.imul(k, C1);
  k1 = (k1 << 15) | (k1 >>> 17);
  return Math.imul(k1, C2);
}

function mixH1(h: number, k1: number): number {
  let h1 = h ^ k1;
  h1 = (h1 << 13) | (h1 >>> 19);
  return (Math.imul(h1, 5) + 0xe6546b64) | 0;
}

function fmix(h: number, length: number): number {
  let h1 = h ^ length;
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  h1 = Math.imul(h1, 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  return h1 | 0;
}

/**
 * The signed 32-bit Murmur3 hash of bytes.
 * @example murmur3Bytes(new TextEncoder().encode('iceberg')) // 1210000089
 */
export function murmur3Bytes(data: Uint8Array): number {
  let h1 = 0;
  const blocks = data.length >>> 2;
  for (let i = 0; i < blocks; i++) {
    const j = i * 4;
    const k = (data[j] ?? 0) | ((data[j + 1] ?? 0) << 8) | ((data[j + 2] ?? 0) << 16) | ((data[j + 3] ?? 0) << 24);
    h1 = mixH1(h1, mixK1(k));
  }
  const tail = blocks * 4;
  const rest = data.length & 3;
  if (rest > 0) {
    let k1 = 0;
    if (rest === 3) k1 ^= (data[tail + 2] ?? 0) << 16;
    if (rest >= 2) k1 ^= (data[tail + 1] ?? 0) << 8;
    k1 ^= data[tail] ?? 0;
    h1 ^= mixK1(k1);
  }
  return fmix(h1, data.length);
}

/** hashLong: the hash of the 8-byte little-endian two's complement value (spec: int and long hash alike). */
export function murmur3Long(value: bigint | number): number {
  const v = BigInt.asUintN(64, BigInt(value));
  const lo = Number(v & 0xffffffffn) | 0;
  const hi = Number(v >> 32n) | 0;
  let h1 = mixH1(0, mixK1(lo));
  h1 = mixH1(h1, mixK1(hi));
  return fmix(h1, 8);
}

/** hashInt: ints are hashed as longs (spec Appendix B). */
export function murmur3Int(value: number): number {
  return murmur3Long(value);
}

/** Float and double hash as `doubleToLongBits` of the double value; -0.0 and 0.0 hash alike per Appendix B note. */
export function murmur3Double(value: number): number {
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, value === 0 ? 0 : Number.isNaN(value) ? Number.NaN : value, true);
  return murmur3Long(b.getBigInt64(0, true));
}
