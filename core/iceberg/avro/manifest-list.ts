/**
 * Manifest lists (format/spec.md "Manifest Lists"): read v1/v2/v3 into {@link ManifestFile}s with
 * the spec's defaults for older versions, and write them with field ids in the schema.
 */

import { InvalidIcebergError } from '../errors';
import type { FieldSummary, ManifestFile } from '../spec/manifest';
import { ManifestContent } from '../spec/manifest';
import { readAvroFile, writeAvroFile } from './container';
import { type AvroRecord, bigOf, bytesOf, numOf } from './convert';
import { manifestListSchema } from './schemas';

export interface ReadManifestListOptions {
  /** The file's location, named in errors. */
  path: string;
  /** The snapshot that owns the list: v1 entries without `added_snapshot_id` inherit it. */
  snapshotId?: bigint;
}

/**
 * Decodes a manifest list. v1 entries get content 0 and sequence numbers 0 (spec Appendix E);
 * v2 field names and v1 names (`added_data_files_count`) are both accepted.
 */
export function readManifestList(bytes: Uint8Array, opts: ReadManifestListOptions): ManifestFile[] {
  const file = readAvroFile(bytes, opts.path);
  return file.records.map((r, i) => {
    try {
      return toManifestFile(r as AvroRecord, opts.snapshotId);
    } catch (e) {
      throw new InvalidIcebergError(`invalid manifest list ${opts.path}: entry ${i}: ${(e as Error).message}`);
    }
  });
}

function toManifestFile(r: AvroRecord, snapshotId: bigint | undefined): ManifestFile {
  if (typeof r.manifest_path !== 'string') throw new Error("missing 'manifest_path'");
  const seq = bigOf(r.sequence_number) ?? 0n;
  const m: ManifestFile = {
    manifestPath: r.manifest_path,
    manifestLength: numOf(r.manifest_length) ?? 0,
    partitionSpecId: numOf(r.partition_spec_id) ?? 0,
    content: (numOf(r.content) ?? ManifestContent.Data) as ManifestContent,
    sequenceNumber: seq,
    minSequenceNumber: bigOf(r.min_sequence_number) ?? seq,
    addedSnapshotId: bigOf(r.added_snapshot_id) ?? snapshotId ?? -1n,
  };
  const counts: [keyof ManifestFile, unknown][] = [
    ['addedFilesCount', r.added_files_count ?? r.added_data_files_count],
    ['existingFilesCount', r.existing_files_count ?? r.existing_data_files_count],
    ['deletedFilesCount', r.deleted_files_count ?? r.deleted_data_files_count],
    ['addedRowsCount', r.added_rows_count],
    ['existingRowsCount', r.existing_rows_count],
    ['deletedRowsCount', r.deleted_rows_count],
  ];
  for (const [k, v] of counts)
    if (v !== null && v !== undefined) (m as unknown as Record<string, number>)[k] = Number(v);
  if (Array.isArray(r.partitions)) m.partitions = (r.partitions as AvroRecord[]).map(toSummary);
  const key = bytesOf(r.key_metadata);
  if (key) m.keyMetadata = key;
  const firstRowId = bigOf(r.first_row_id);
  if (firstRowId !== undefined) m.firstRowId = firstRowId;
  return m;
}

function toSummary(s: AvroRecord): FieldSummary {
  const out: FieldSummary = { containsNull: Boolean(s.contains_null) };
  if (s.contains_nan !== null && s.contains_nan !== undefined) out.containsNaN = Boolean(s.contains_nan);
  const lo = bytesOf(s.lower_bound);
  const hi = bytesOf(s.upper_bound);
  if (lo) out.lowerBound = lo;
  if (hi) out.upperBound = hi;
  return out;
}

export interface WriteManifestListOptions {
  formatVersion: number;
  snapshotId: bigint;
  parentSnapshotId?: bigint | null;
  /** The snapshot's sequence number (v2+), written to the header. */
  sequenceNumber?: bigint;
  /** v3: the snapshot's first row id, written to the header. */
  firstRowId?: bigint;
  codec?: 'null' | 'deflate';
}

/** Encodes a manifest list with the spec's schema and header keys (`snapshot-id`, `format-version`, …). */
export function writeManifestList(manifests: ManifestFile[], opts: WriteManifestListOptions): Uint8Array {
  const v = opts.formatVersion;
  const metadata: Record<string, string> = {
    'snapshot-id': String(opts.snapshotId),
    'parent-snapshot-id':
      opts.parentSnapshotId === undefined || opts.parentSnapshotId === null ? 'null' : String(opts.parentSnapshotId),
    'format-version': String(v),
  };
  if (v >= 2) metadata['sequence-number'] = String(opts.sequenceNumber ?? 0n);
  if (v >= 3 && opts.firstRowId !== undefined) metadata['first-row-id'] = String(opts.firstRowId);
  const records = manifests.map((m) => fromManifestFile(m, v));
  return writeAvroFile(records, { schema: manifestListSchema(v), metadata, codec: opts.codec ?? 'deflate' });
}

function fromManifestFile(m: ManifestFile, v: number): AvroRecord {
  const partitions = m.partitions?.map((s) => ({
    contains_null: s.containsNull,
    contains_nan: s.containsNaN ?? null,
    lower_bound: s.lowerBound ? Buffer.from(s.lowerBound) : null,
    upper_bound: s.upperBound ? Buffer.from(s.upperBound) : null,
  }));
  const base: AvroRecord = {
    manifest_path: m.manifestPath,
    manifest_length: m.manifestLength,
    partition_spec_id: m.partitionSpecId,
    added_snapshot_id: m.addedSnapshotId,
    partitions: partitions ?? null,
    added_rows_count: m.addedRowsCount ?? 0,
    existing_rows_count: m.existingRowsCount ?? 0,
    deleted_rows_count: m.deletedRowsCount ?? 0,
  };
  if (v === 1) {
    return {
      ...base,
      added_data_files_count: m.addedFilesCount ?? 0,
      existing_data_files_count: m.existingFilesCount ?? 0,
      deleted_data_files_count: m.deletedFilesCount ?? 0,
    };
  }
  return {
    ...base,
    content: m.content,
    sequence_number: m.sequenceNumber,
    min_sequence_number: m.minSequenceNumber,
    added_files_count: m.addedFilesCount ?? 0,
    existing_files_count: m.existingFilesCount ?? 0,
    deleted_files_count: m.deletedFilesCount ?? 0,
    key_metadata: m.keyMetadata ? Buffer.from(m.keyMetadata) : null,
    first_row_id: m.firstRowId ?? null,
  };
}
