/**
 * Snappy decompression (the raw block format of google/snappy `format_description.txt`), for Avro
 * files written with the `snappy` codec: each block is the compressed bytes followed by a 4-byte
 * big-endian CRC-32 of the uncompressed bytes (Avro spec, "Required Codecs … snappy").
 */

function readVarint(src: Uint8Array, pos: { i: number }): number {
  let n = 0;
  let mul = 1;
  for (;;) {
    const b = src[pos.i++];
    if (b === undefined) throw new Error('snappy: truncated length');
    n += (b & 0x7f) * mul;
    if (b < 0x80) return n;
    mul *= 128;
  }
}

function le(src: Uint8Array, at: number, bytes: number): number {
  let v = 0;
  for (let k = bytes - 1; k >= 0; k--) v = v * 256 + (src[at + k] ?? 0);
  return v;
}

/** Decompresses one raw snappy buffer. */
export function snappyUncompress(src: Uint8Array): Uint8Array {
  const pos = { i: 0 };
  const out = new Uint8Array(readVarint(src, pos));
  let o = 0;
  while (pos.i < src.length) {
    const tag = src[pos.i++] as number;
    const type = tag & 3;
    if (type === 0) {
      let len = tag >> 2;
      if (len >= 60) {
        const extra = len - 59;
        len = le(src, pos.i, extra);
        pos.i += extra;
      }
      len += 1;
      if (pos.i + len > src.length || o + len > out.length) throw new Error('snappy: literal out of range');
      out.set(src.subarray(pos.i, pos.i + len), o);
      pos.i += len;
      o += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (type === 1) {
      len = ((tag >> 2) & 7) + 4;
      offset = ((tag >> 5) << 8) | (src[pos.i++] ?? 0);
    } else {
      len = (tag >> 2) + 1;
      const bytes = type === 2 ? 2 : 4;
      offset = le(src, pos.i, bytes);
      pos.i += bytes;
    }
    if (offset === 0 || offset > o || o + len > out.length) throw new Error('snappy: copy out of range');
    // Byte by byte: a copy may overlap its own output (run-length style).
    for (let k = 0; k < len; k++, o++) out[o] = out[o - offset] as number;
  }
  if (o !== out.length) throw new Error('snappy: length mismatch');
  return out;
}

/** An Avro snappy block: snappy data + CRC-32 (checked) of the result. */
export function avroSnappyBlock(data: Uint8Array): Buffer {
  if (data.length < 4) throw new Error('snappy: block too short');
  const body = snappyUncompress(data.subarray(0, data.length - 4));
  const want =
    ((data[data.length - 4] ?? 0) * 2 ** 24 +
      ((data[data.length - 3] ?? 0) << 16) +
      ((data[data.length - 2] ?? 0) << 8) +
      (data[data.length - 1] ?? 0)) >>>
    0;
  if (crc32(body) !== want) throw new Error('snappy: crc mismatch');
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

let table: Uint32Array | undefined;

function crc32(b: Uint8Array): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (const x of b) c = (table[(c ^ x) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
