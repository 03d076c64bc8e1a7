/**
 * Write-side manifest and manifest-list I/O (v2, Avro with field ids in the header schema), plus a
 * generic reader used to carry existing manifests forward. Adapter: engineer B's `core/iceberg/avro`
 * owns the full reader/writer; this module keeps the write path self-contained until callers switch.
 * 64-bit longs are bigint (snapshot ids exceed 2^53).
 */
import { PassThrough } from 'node:stream';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import * as avro from 'avsc';
import type { FileIO } from '../io/file-io';
import { stringifyJson } from '../spec/json';
import { type DataFile, type ManifestEntry, ManifestEntryStatus, type ManifestFile } from '../spec/manifest';
import type { PartitionSpec } from '../spec/partition-spec';
import type { Schema } from '../spec/schema';
import { schemaToJson } from '../spec/type-json';
import { MANIFEST_FILE_SCHEMA, manifestEntrySchema } from './avro-schemas';
import { decodeEntry, encodeEntry, fromAvroManifestFile, partitionTypes, toAvroManifestFile } from './manifest-records';
import type { PrimitiveValue } from '../spec/types';
import { compareValues, toBytes } from '../spec/values';

const BigLong = avro.types.LongType.__with({
  fromBuffer: (b: Buffer) => b.readBigInt64LE(),
  toBuffer: (n: bigint) => {
    const b = Buffer.alloc(8);
    b.writeBigInt64LE(BigInt(n));
    return b;
  },
  fromJSON: (v: unknown) => BigInt(v as number),
  toJSON: (n: bigint) => Number(n),
  isValid: (n: unknown) => typeof n === 'bigint',
  compare: (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0),
});

const codecs = {
  deflate: (buf: Buffer, cb: (e: Error | null, b?: Buffer) => void) => cb(null, deflateRawSync(buf)),
};
const readCodecs = {
  deflate: (buf: Buffer, cb: (e: Error | null, b?: Buffer) => void) => cb(null, inflateRawSync(buf)),
  null: (buf: Buffer, cb: (e: Error | null, b?: Buffer) => void) => cb(null, buf),
};

function typeOf(schema: unknown): avro.Type {
  return avro.Type.forSchema(schema as avro.Schema, { registry: { long: BigLong } as never, wrapUnions: false });
}

/** Encodes records into an Avro object container file whose header keeps the raw schema (field ids). */
async function encodeFile(schema: unknown, records: unknown[], meta: Record<string, string>): Promise<Uint8Array> {
  const metadata = Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, Buffer.from(v)]));
  const enc = new avro.streams.BlockEncoder(typeOf(schema), { codec: 'deflate', codecs, metadata } as never);
  (enc as unknown as { _schema: unknown })._schema = schema;
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    out.on('end', resolve);
    enc.on('error', reject);
  });
  enc.pipe(out);
  for (const r of records) enc.write(r);
  enc.end();
  await done;
  return new Uint8Array(Buffer.concat(chunks));
}

/** Decodes every record of an Avro container file with its own writer schema (longs as bigint). */
export async function decodeFile(
  bytes: Uint8Array,
): Promise<{ records: Record<string, unknown>[]; meta: Record<string, string> }> {
  const dec = new avro.streams.BlockDecoder({
    codecs: readCodecs,
    parseHook: (s: unknown) => typeOf(s),
  } as never);
  const records: Record<string, unknown>[] = [];
  let meta: Record<string, string> = {};
  dec.on('metadata', (_t: unknown, _c: unknown, header: { meta: Record<string, Buffer> }) => {
    meta = Object.fromEntries(Object.entries(header.meta).map(([k, v]) => [k, v.toString()]));
  });
  const done = new Promise<void>((resolve, reject) => {
    dec.on('data', (r: Record<string, unknown>) => records.push(r));
    dec.on('end', resolve);
    dec.on('error', reject);
  });
  dec.end(Buffer.from(bytes));
  await done;
  return { records, meta };
}

export interface ManifestWriteOptions {
  spec: PartitionSpec;
  schema: Schema;
  snapshotId: bigint;
  /** 0 data, 1 deletes. */
  content: 0 | 1;
}

/**
 * Writes one v2 manifest and returns its manifest-list entry. Added entries leave sequence numbers
 * null so they inherit the snapshot's (spec: "Sequence Number Inheritance"), which lets the same
 * manifest be reused across commit retries.
 */
export async function writeManifest(
  io: FileIO,
  path: string,
  entries: ManifestEntry[],
  opts: ManifestWriteOptions,
): Promise<ManifestFile> {
  const schema = manifestEntrySchema(opts.spec, opts.schema);
  const bytes = await encodeFile(
    schema,
    entries.map((e) => encodeEntry(e, opts.spec, opts.schema)),
    {
      schema: stringifyJson(schemaToJson(opts.schema)),
      'schema-id': String(opts.schema['schema-id']),
      'partition-spec': JSON.stringify(opts.spec.fields),
      'partition-spec-id': String(opts.spec['spec-id']),
      'format-version': '2',
      content: opts.content === 1 ? 'deletes' : 'data',
    },
  );
  await io.write(path, bytes);
  return summarize(path, bytes.length, entries, opts);
}

function summarize(path: string, length: number, entries: ManifestEntry[], opts: ManifestWriteOptions): ManifestFile {
  const count = (s: ManifestEntryStatus) => entries.filter((e) => e.status === s);
  const rows = (es: ManifestEntry[]) => es.reduce((n, e) => n + e.dataFile.recordCount, 0);
  const seqs = entries.map((e) => e.sequenceNumber).filter((s): s is bigint => s !== null);
  // biome-ignore lint/complexity/useMathMinMax: bigint has no Math.min
  const min = seqs.length ? seqs.reduce((a, b) => (a < b ? a : b)) : -1n;
  return {
    manifestPath: path,
    manifestLength: length,
    partitionSpecId: opts.spec['spec-id'],
    content: opts.content,
    sequenceNumber: -1n,
    minSequenceNumber: min,
    addedSnapshotId: opts.snapshotId,
    addedFilesCount: count(ManifestEntryStatus.Added).length,
    existingFilesCount: count(ManifestEntryStatus.Existing).length,
    deletedFilesCount: count(ManifestEntryStatus.Deleted).length,
    addedRowsCount: rows(count(ManifestEntryStatus.Added)),
    existingRowsCount: rows(count(ManifestEntryStatus.Existing)),
    deletedRowsCount: rows(count(ManifestEntryStatus.Deleted)),
    partitions: partitionSummaries(entries, opts.spec, opts.schema),
  };
}

/** Per partition field: null/NaN flags and lower/upper bounds (spec "Manifest Lists": field_summary). */
function partitionSummaries(entries: ManifestEntry[], spec: PartitionSpec, schema: Schema): ManifestFile['partitions'] {
  const types = partitionTypes(spec, schema);
  return spec.fields.map((_, i) => {
    const values = entries.map((e) => e.dataFile.partition[i]).filter((v) => v !== null && v !== undefined) as PrimitiveValue[];
    const real = values.filter((v) => !(typeof v === 'number' && Number.isNaN(v)));
    const out: NonNullable<ManifestFile['partitions']>[number] = {
      containsNull: values.length < entries.length,
      containsNaN: real.length < values.length,
    };
    if (real.length > 0) {
      const sorted = [...real].sort(compareValues);
      out.lowerBound = toBytes(types[i] as string, sorted[0] as PrimitiveValue);
      out.upperBound = toBytes(types[i] as string, sorted[sorted.length - 1] as PrimitiveValue);
    }
    return out;
  });
}

export interface ManifestListWriteOptions {
  snapshotId: bigint;
  parentSnapshotId?: bigint;
  sequenceNumber: bigint;
}

/** Writes a v2 manifest list; `-1` sequence numbers (new manifests) become the snapshot's. */
export async function writeManifestList(
  io: FileIO,
  path: string,
  manifests: ManifestFile[],
  opts: ManifestListWriteOptions,
): Promise<void> {
  const records = manifests.map((m) => toAvroManifestFile(m, opts.sequenceNumber));
  const meta: Record<string, string> = {
    'snapshot-id': String(opts.snapshotId),
    'sequence-number': String(opts.sequenceNumber),
    'format-version': '2',
  };
  if (opts.parentSnapshotId !== undefined) meta['parent-snapshot-id'] = String(opts.parentSnapshotId);
  await io.write(path, await encodeFile(MANIFEST_FILE_SCHEMA, records, meta));
}

/** Reads a manifest list (v1 or v2) into manifest-list entries. */
export async function readManifestList(io: FileIO, path: string): Promise<ManifestFile[]> {
  const { records } = await decodeFile(await io.read(path));
  return records.map(fromAvroManifestFile);
}

/** Reads the entries of a manifest, inheriting snapshot id and sequence numbers from its list entry. */
export async function readManifest(
  io: FileIO,
  m: ManifestFile,
  schema: Schema,
  spec: PartitionSpec,
): Promise<ManifestEntry[]> {
  const { records } = await decodeFile(await io.read(m.manifestPath));
  return records.map((r) => {
    const e = decodeEntry(r, spec, schema);
    if (e.snapshotId === null) e.snapshotId = m.addedSnapshotId;
    if (e.sequenceNumber === null && (e.status === ManifestEntryStatus.Added || m.sequenceNumber === 0n))
      e.sequenceNumber = m.sequenceNumber;
    if (e.fileSequenceNumber === null && (e.status === ManifestEntryStatus.Added || m.sequenceNumber === 0n))
      e.fileSequenceNumber = m.sequenceNumber;
    return e;
  });
}

export type { DataFile };
