/**
 * Manifest and manifest-list I/O of the write path: FileIO plus engineer B's Avro codecs
 * (core/iceberg/avro), with the write-side convention of Iceberg Java: a new manifest's sequence
 * number is "unassigned" (-1) until the manifest list of the committing attempt assigns the snapshot's
 * sequence number. Added entries keep null sequence numbers and inherit it (spec "Sequence Number
 * Inheritance"), which is what lets one written manifest serve every commit retry.
 */
import * as avro from '../avro';
import type { FileIO } from '../io/file-io';
import type { ManifestEntry, ManifestFile } from '../spec/manifest';
import type { PartitionSpec } from '../spec/partition-spec';
import type { Schema } from '../spec/schema';

const UNASSIGNED = -1n;

export interface ManifestWriteOptions {
  spec: PartitionSpec;
  schema: Schema;
  snapshotId: bigint;
  /** 0 data, 1 deletes. */
  content: 0 | 1;
  /** The table's format version (v1 tables get v1 manifests). @default 2 */
  formatVersion?: number;
}

/** Writes one manifest to `path` and returns its manifest-list entry (sequence number unassigned). */
export async function writeManifest(
  io: FileIO,
  path: string,
  entries: ManifestEntry[],
  opts: ManifestWriteOptions,
): Promise<ManifestFile> {
  const { bytes, manifest } = avro.writeManifest(entries, {
    path,
    formatVersion: Math.min(opts.formatVersion ?? 2, 2),
    spec: opts.spec,
    schema: opts.schema,
    content: opts.content,
    snapshotId: opts.snapshotId,
    sequenceNumber: UNASSIGNED,
  });
  await io.write(path, bytes);
  return manifest;
}

export interface ManifestListWriteOptions {
  snapshotId: bigint;
  parentSnapshotId?: bigint;
  sequenceNumber: bigint;
  /** @default 2 */
  formatVersion?: number;
}

/** Writes a manifest list; unassigned (-1) sequence numbers become the snapshot's. */
export async function writeManifestList(
  io: FileIO,
  path: string,
  manifests: ManifestFile[],
  opts: ManifestListWriteOptions,
): Promise<void> {
  const seq = opts.sequenceNumber;
  const assigned = manifests.map((m) => ({
    ...m,
    sequenceNumber: m.sequenceNumber < 0n ? seq : m.sequenceNumber,
    minSequenceNumber: m.minSequenceNumber < 0n ? seq : m.minSequenceNumber,
  }));
  const bytes = avro.writeManifestList(assigned, {
    formatVersion: Math.min(opts.formatVersion ?? 2, 2),
    snapshotId: opts.snapshotId,
    parentSnapshotId: opts.parentSnapshotId ?? null,
    sequenceNumber: seq,
  });
  await io.write(path, bytes);
}

/** Reads a manifest list (any format version). */
export async function readManifestList(io: FileIO, path: string, snapshotId?: bigint): Promise<ManifestFile[]> {
  return avro.readManifestList(await io.read(path), { path, ...(snapshotId !== undefined ? { snapshotId } : {}) });
}

/** Reads the entries of a manifest, inheriting snapshot id and sequence numbers from its list entry. */
export async function readManifest(
  io: FileIO,
  m: ManifestFile,
  schema: Schema,
  spec: PartitionSpec,
): Promise<ManifestEntry[]> {
  const read = avro.readManifest(await io.read(m.manifestPath), {
    path: m.manifestPath,
    manifestFile: m,
    specs: [spec],
    schema,
  });
  return read.entries;
}
