/**
 * Avro object container files (Avro 1.11 spec, "Object Container Files"), read from and written to
 * memory: header (magic, metadata map, sync marker) and blocks compressed with `null` or `deflate`
 * (read and written), `snappy` (read), `zstandard` (read where node:zlib has zstd).
 */
import { randomBytes } from 'node:crypto';
import * as zlib from 'node:zlib';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type * as avro from 'avsc';
import { InvalidIcebergError } from '../errors';
import { type AvroTypeOptions, avroType } from './avro-type';
import { avroSnappyBlock } from './snappy';

const MAGIC = Buffer.from([0x4f, 0x62, 0x6a, 0x01]);

/** Reads Avro's zig-zag varints from a buffer. @internal */
class Cursor {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  long(): number {
    let n = 0;
    let mul = 1;
    for (;;) {
      const b = this.buf[this.pos++];
      if (b === undefined) throw new Error('unexpected end of file');
      n += (b & 0x7f) * mul;
      if (b < 0x80) break;
      mul *= 128;
    }
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }
  bytes(n: number): Buffer {
    if (n < 0 || this.pos + n > this.buf.length) throw new Error('unexpected end of file');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

export interface AvroFile {
  /** File metadata (`avro.schema`, `avro.codec`, and Iceberg's keys), as UTF-8 text. */
  metadata: Record<string, string>;
  /** The writer schema, parsed from `avro.schema` (with every attribute such as `field-id`). */
  schema: Record<string, unknown>;
  records: unknown[];
}

/** Decodes a whole container file; errors name `source`. */
export function readAvroFile(bytes: Uint8Array, source: string, opts: AvroTypeOptions = {}): AvroFile {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    return decode(buf, opts);
  } catch (e) {
    if (e instanceof InvalidIcebergError) throw e;
    throw new InvalidIcebergError(`invalid avro file ${source}: ${(e as Error).message.toLowerCase()}`, { cause: e });
  }
}

function decode(buf: Buffer, opts: AvroTypeOptions): AvroFile {
  if (buf.length < 4 || !buf.subarray(0, 4).equals(MAGIC)) throw new Error('not an avro container file (bad magic)');
  const c = new Cursor(buf);
  c.pos = 4;
  const metadata: Record<string, string> = {};
  for (let n = c.long(); n !== 0; n = c.long()) {
    if (n < 0) c.long(); // negative count: a block size follows
    for (let i = 0; i < Math.abs(n); i++) {
      const key = c.bytes(c.long()).toString('utf8');
      metadata[key] = c.bytes(c.long()).toString('utf8');
    }
  }
  const sync = c.bytes(16);
  const schemaText = metadata['avro.schema'];
  if (schemaText === undefined) throw new Error('missing avro.schema in the header');
  const schema = JSON.parse(schemaText) as Record<string, unknown>;
  const type = cachedType(schemaText, schema, opts);
  const codec = metadata['avro.codec'] ?? 'null';
  const records: unknown[] = [];
  while (c.pos < buf.length) {
    const count = c.long();
    const size = c.long();
    const block = inflate(codec, c.bytes(size));
    let pos = 0;
    for (let i = 0; i < count; i++) {
      const r = type.decode(block, pos);
      if (r.offset < 0) throw new Error('truncated block');
      records.push(r.value);
      pos = r.offset;
    }
    if (!c.bytes(16).equals(sync)) throw new Error('bad sync marker');
  }
  return { metadata, schema, records };
}

// Compiling an avsc type costs more than decoding a small manifest; the manifests of one table
// share a handful of writer schemas, so compiled types are kept by schema text.
const typeCache = new Map<string, avro.Type>();

function cachedType(text: string, schema: Record<string, unknown>, opts: AvroTypeOptions = {}): avro.Type {
  const key = opts.lazyKeyValueArrays ? `lazy:${text}` : text;
  let t = typeCache.get(key);
  if (!t) {
    if (typeCache.size >= 256) typeCache.clear();
    t = avroType(schema, opts);
    typeCache.set(key, t);
  }
  return t;
}

function inflate(codec: string, data: Buffer): Buffer {
  if (codec === 'null') return data;
  if (codec === 'deflate') return inflateRawSync(data);
  if (codec === 'snappy') return avroSnappyBlock(data);
  // zstd is in node:zlib from Node 22.15 (the Lambda runtime); Node 20 cannot read it.
  const zstd = (zlib as unknown as { zstdDecompressSync?: (b: Buffer) => Buffer }).zstdDecompressSync;
  if (codec === 'zstandard' && zstd) return zstd(data);
  throw new Error(`unsupported avro codec '${codec}'`);
}

export interface WriteAvroOptions {
  /** The raw writer schema (kept verbatim in the header, attributes included). */
  schema: Record<string, unknown>;
  /** Extra file metadata, e.g. Iceberg's `format-version`. */
  metadata?: Record<string, string>;
  codec?: 'null' | 'deflate';
  /** Records per block. @default 1000 */
  blockSize?: number;
}

/** Encodes records as a container file. */
export function writeAvroFile(records: unknown[], opts: WriteAvroOptions, type?: avro.Type): Uint8Array {
  const t = type ?? cachedType(JSON.stringify(opts.schema), opts.schema);
  const codec = opts.codec ?? 'deflate';
  const meta: Record<string, string> = {
    ...opts.metadata,
    'avro.schema': JSON.stringify(opts.schema),
    'avro.codec': codec,
  };
  const parts: Buffer[] = [MAGIC, encodeMap(meta)];
  const sync = randomBytes(16);
  parts.push(sync);
  const blockSize = opts.blockSize ?? 1000;
  for (let i = 0; i < records.length; i += blockSize) {
    const chunk = records.slice(i, i + blockSize);
    let data = encodeBlock(t, chunk);
    if (codec === 'deflate') data = deflateRawSync(data);
    parts.push(varint(chunk.length), varint(data.length), data, sync);
  }
  const out = Buffer.concat(parts);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

let scratch = Buffer.alloc(1 << 16);

/** Encodes records back to back into one reused buffer, growing it when a record does not fit. */
function encodeBlock(t: avro.Type, records: unknown[]): Buffer {
  let pos = 0;
  for (const r of records) {
    let next = t.encode(r, scratch, pos);
    while (next < 0) {
      // avsc returns minus the bytes missing; grow and retry this record.
      const grown = Buffer.alloc(Math.max(scratch.length * 2, pos - next));
      scratch.copy(grown, 0, 0, pos);
      scratch = grown;
      next = t.encode(r, scratch, pos);
    }
    pos = next;
  }
  return Buffer.from(scratch.subarray(0, pos));
}

function varint(n: number): Buffer {
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  const out: number[] = [];
  while (z >= 0x80) {
    out.push((z % 128) | 0x80);
    z = Math.floor(z / 128);
  }
  out.push(z);
  return Buffer.from(out);
}

function encodeMap(m: Record<string, string>): Buffer {
  const entries = Object.entries(m);
  const parts: Buffer[] = [varint(entries.length)];
  for (const [k, v] of entries) {
    const kb = Buffer.from(k, 'utf8');
    const vb = Buffer.from(v, 'utf8');
    parts.push(varint(kb.length), kb, varint(vb.length), vb);
  }
  parts.push(varint(0));
  return Buffer.concat(parts);
}
