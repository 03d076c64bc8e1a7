/**
 * v3 deletion vectors (format/puffin-spec.md, blob type `deletion-vector-v1`): a Puffin blob that
 * holds, big-endian, the length of magic + bitmap, the magic `D1 D3 39 64`, a 64-bit Roaring
 * bitmap in the "portable" serialization (little-endian), and a CRC-32 of magic + bitmap.
 *
 * Roaring 64-bit portable format (RoaringFormatSpec "Extension for 64-bit"): an 8-byte bucket
 * count, then per bucket a 4-byte key (the high 32 bits) and a 32-bit Roaring bitmap.
 */
import { crc32 } from 'node:zlib';
import { InvalidInputError } from '../../errors';

const DV_MAGIC = [0xd1, 0xd3, 0x39, 0x64];
const SERIAL_COOKIE_NO_RUNCONTAINER = 12346;
const SERIAL_COOKIE = 12347;
const NO_OFFSET_THRESHOLD = 4;

class Reader {
  constructor(
    readonly view: DataView,
    public pos = 0,
  ) {}
  u16(): number {
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }
  u32(): number {
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  u64(): bigint {
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }
}

interface ContainerHeader {
  key: number;
  cardinality: number;
  isRun: boolean;
}

function readHeaders(r: Reader): ContainerHeader[] {
  const cookie = r.u32();
  let size: number;
  let runFlags: Uint8Array | undefined;
  if ((cookie & 0xffff) === SERIAL_COOKIE) {
    size = (cookie >>> 16) + 1;
    const bytes = Math.ceil(size / 8);
    runFlags = new Uint8Array(r.view.buffer, r.view.byteOffset + r.pos, bytes);
    r.pos += bytes;
  } else if (cookie === SERIAL_COOKIE_NO_RUNCONTAINER) {
    size = r.u32();
  } else {
    throw new InvalidInputError(`bad roaring bitmap cookie ${cookie}`);
  }
  const headers: ContainerHeader[] = [];
  for (let i = 0; i < size; i++) {
    const key = r.u16();
    const cardinality = r.u16() + 1;
    const isRun = runFlags ? ((runFlags[i >> 3] ?? 0) & (1 << (i & 7))) !== 0 : false;
    headers.push({ key, cardinality, isRun });
  }
  if (!runFlags || size >= NO_OFFSET_THRESHOLD) r.pos += 4 * size; // offset header, not needed sequentially
  return headers;
}

/** Reads one 32-bit portable Roaring bitmap, pushing `high << 32 | value` for each member. */
function readBitmap32(r: Reader, high: bigint, out: bigint[]): void {
  for (const h of readHeaders(r)) {
    const base = (high << 32n) | (BigInt(h.key) << 16n);
    if (h.isRun) {
      const runs = r.u16();
      for (let i = 0; i < runs; i++) {
        const start = r.u16();
        const length = r.u16();
        for (let v = start; v <= start + length; v++) out.push(base | BigInt(v));
      }
    } else if (h.cardinality <= 4096) {
      for (let i = 0; i < h.cardinality; i++) out.push(base | BigInt(r.u16()));
    } else {
      for (let w = 0; w < 1024; w++) {
        let word = r.u64();
        let bit = 0;
        while (word !== 0n) {
          if (word & 1n) out.push(base | BigInt(w * 64 + bit));
          word >>= 1n;
          bit++;
        }
      }
    }
  }
}

/** Decodes a 64-bit Roaring bitmap (portable serialization) into its sorted members. */
export function readRoaring64(bytes: Uint8Array): bigint[] {
  const r = new Reader(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const buckets = r.u64();
  const out: bigint[] = [];
  for (let b = 0n; b < buckets; b++) {
    const high = BigInt(r.u32());
    readBitmap32(r, high, out);
  }
  return out;
}

/**
 * Decodes a `deletion-vector-v1` blob into deleted row positions, checking length, magic and CRC.
 * @param source the Puffin file, named in errors
 */
export function readDeletionVector(blob: Uint8Array, source: string): bigint[] {
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  if (blob.length < 12) throw new InvalidInputError(`deletion vector in ${source} is truncated`);
  const length = view.getUint32(0, false);
  if (length + 8 > blob.length) throw new InvalidInputError(`deletion vector in ${source} is truncated`);
  if (!DV_MAGIC.every((m, i) => blob[4 + i] === m)) {
    throw new InvalidInputError(`deletion vector in ${source} has a bad magic number`);
  }
  const body = blob.subarray(4, 4 + length);
  const crc = view.getUint32(4 + length, false);
  if (crc32(body) >>> 0 !== crc) throw new InvalidInputError(`deletion vector in ${source} fails its crc check`);
  return readRoaring64(body.subarray(4));
}
