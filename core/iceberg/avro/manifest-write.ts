/**
 * Writing manifests (format/spec.md "Manifests") with the spec's schema and header keys
 * (`schema`, `schema-id`, `partition-spec`, `partition-spec-id`, `format-version`, `content`),
 * returning the manifest-list entry that describes the file (counts and partition summaries).
 */

import { stringifyJson } from '../spec/json';
import type { DataFile, FieldSummary, ManifestEntry, ManifestFile } from '../spec/manifest';
import { ManifestContent, ManifestEntryStatus } from '../spec/manifest';
import type { PartitionSpec } from '../spec/partition-spec';
import type { Schema } from '../spec/schema';
import { schemaToJson } from '../spec/type-json';
import type { PrimitiveType, PrimitiveValue } from '../spec/types';
import { primitiveKind } from '../spec/types';
import { compareValues, toBytes } from '../spec/values';
import { writeAvroFile } from './container';
import { type AvroRecord, mapToAvro, partitionValueToAvro } from './convert';
import { manifestEntrySchema, partitionRecord, partitionTypes } from './schemas';

export interface WriteManifestOptions {
  /** Where the file will live; becomes `manifestPath` of the returned entry. */
  path: string;
  formatVersion: number;
  spec: PartitionSpec;
  schema: Schema;
  content?: ManifestContent;
  /** The snapshot writing the manifest (`added_snapshot_id`). */
  snapshotId: bigint;
  /** Sequence number of the manifest-list entry; for a new commit, the commit's sequence number. */
  sequenceNumber?: bigint;
  codec?: 'null' | 'deflate';
}

/** Encodes a manifest; returns its bytes and its manifest-list entry. */
export function writeManifest(
  entries: ManifestEntry[],
  opts: WriteManifestOptions,
): { bytes: Uint8Array; manifest: ManifestFile } {
  const v = opts.formatVersion;
  const types = partitionTypes(opts.spec, opts.schema);
  const schema = manifestEntrySchema(v, partitionRecord(opts.spec, types));
  const content = opts.content ?? ManifestContent.Data;
  const metadata: Record<string, string> = {
    schema: stringifyJson(schemaToJson(opts.schema)),
    'schema-id': String(opts.schema['schema-id']),
    'partition-spec': stringifyJson(opts.spec.fields),
    'partition-spec-id': String(opts.spec['spec-id']),
    'format-version': String(v),
  };
  if (v >= 2) metadata.content = content === ManifestContent.Deletes ? 'deletes' : 'data';
  const names = (schema.fields as AvroRecord[]).length > 0 ? partitionNames(opts.spec) : [];
  const records = entries.map((e) => entryToAvro(e, v, names, types));
  const bytes = writeAvroFile(records, { schema, metadata, codec: opts.codec ?? 'deflate' });
  return { bytes, manifest: summarize(entries, opts, types, bytes.length, content) };
}

function partitionNames(spec: PartitionSpec): string[] {
  const rec = partitionRecord(
    spec,
    spec.fields.map(() => 'int'),
  );
  return (rec.fields as AvroRecord[]).map((f) => f.name as string);
}

function entryToAvro(e: ManifestEntry, v: number, names: string[], types: PrimitiveType[]): AvroRecord {
  const r: AvroRecord = {
    status: e.status,
    snapshot_id: e.snapshotId,
    data_file: dataFileToAvro(e.dataFile, v, names, types),
  };
  if (v >= 2) {
    r.sequence_number = e.sequenceNumber;
    r.file_sequence_number = e.fileSequenceNumber;
  }
  return r;
}

function dataFileToAvro(f: DataFile, v: number, names: string[], types: PrimitiveType[]): AvroRecord {
  const partition: AvroRecord = {};
  names.forEach((n, i) => {
    partition[n] = partitionValueToAvro(types[i] ?? 'string', f.partition[i] ?? null);
  });
  const same = (x: number) => x;
  const bytes = (x: Uint8Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
  const r: AvroRecord = {
    content: f.content,
    file_path: f.filePath,
    file_format: f.fileFormat,
    partition,
    record_count: f.recordCount,
    file_size_in_bytes: f.fileSizeInBytes,
    column_sizes: mapToAvro(f.columnSizes, same),
    value_counts: mapToAvro(f.valueCounts, same),
    null_value_counts: mapToAvro(f.nullValueCounts, same),
    nan_value_counts: mapToAvro(f.nanValueCounts, same),
    lower_bounds: mapToAvro(f.lowerBounds, bytes),
    upper_bounds: mapToAvro(f.upperBounds, bytes),
    key_metadata: f.keyMetadata ? Buffer.from(f.keyMetadata) : null,
    split_offsets: f.splitOffsets ?? null,
    equality_ids: f.equalityIds ?? null,
    sort_order_id: f.sortOrderId ?? null,
    first_row_id: f.firstRowId ?? null,
    referenced_data_file: f.referencedDataFile ?? null,
    content_offset: f.contentOffset ?? null,
    content_size_in_bytes: f.contentSizeInBytes ?? null,
  };
  // v1 requires the deprecated block size; Java writes 64 MB.
  if (v === 1) r.block_size_in_bytes = 67108864;
  return r;
}

function summarize(
  entries: ManifestEntry[],
  opts: WriteManifestOptions,
  types: PrimitiveType[],
  length: number,
  content: ManifestContent,
): ManifestFile {
  const count = { added: [0, 0], existing: [0, 0], deleted: [0, 0] };
  let minSeq: bigint | undefined;
  for (const e of entries) {
    const c =
      e.status === ManifestEntryStatus.Added
        ? count.added
        : e.status === ManifestEntryStatus.Existing
          ? count.existing
          : count.deleted;
    c[0] = (c[0] ?? 0) + 1;
    c[1] = (c[1] ?? 0) + e.dataFile.recordCount;
    const s = e.sequenceNumber ?? opts.sequenceNumber;
    if (e.status !== ManifestEntryStatus.Deleted && s !== undefined && (minSeq === undefined || s < minSeq)) minSeq = s;
  }
  const seq = opts.sequenceNumber ?? 0n;
  return {
    manifestPath: opts.path,
    manifestLength: length,
    partitionSpecId: opts.spec['spec-id'],
    content,
    sequenceNumber: seq,
    minSequenceNumber: minSeq ?? seq,
    addedSnapshotId: opts.snapshotId,
    addedFilesCount: count.added[0] ?? 0,
    existingFilesCount: count.existing[0] ?? 0,
    deletedFilesCount: count.deleted[0] ?? 0,
    addedRowsCount: count.added[1] ?? 0,
    existingRowsCount: count.existing[1] ?? 0,
    deletedRowsCount: count.deleted[1] ?? 0,
    partitions: partitionSummaries(entries, types),
  };
}

/** Per partition field: contains null / NaN, and lower/upper bounds in Appendix D bytes. */
export function partitionSummaries(entries: ManifestEntry[], types: PrimitiveType[]): FieldSummary[] {
  return types.map((type, i) => {
    const kind = primitiveKind(type)?.kind;
    const floating = kind === 'float' || kind === 'double';
    const s: FieldSummary = { containsNull: false };
    if (floating) s.containsNaN = false;
    let lo: PrimitiveValue | undefined;
    let hi: PrimitiveValue | undefined;
    for (const e of entries) {
      const v = e.dataFile.partition[i];
      if (v === null || v === undefined) s.containsNull = true;
      else if (floating && Number.isNaN(v)) s.containsNaN = true;
      else {
        if (lo === undefined || compareValues(v, lo) < 0) lo = v;
        if (hi === undefined || compareValues(v, hi) > 0) hi = v;
      }
    }
    if (lo !== undefined) s.lowerBound = toBytes(type, lo);
    if (hi !== undefined) s.upperBound = toBytes(type, hi);
    return s;
  });
}
