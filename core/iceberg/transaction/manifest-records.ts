/**
 * Mapping between the in-memory manifest model (spec/manifest.ts) and Avro records (snake_case names of
 * the spec). Reading tolerates v1 records (no content, no sequence numbers).
 * @internal
 */
import { type DataFile, ManifestContent, type ManifestEntry, type ManifestFile } from '../spec/manifest';
import type { PartitionSpec } from '../spec/partition-spec';
import type { Schema } from '../spec/schema';
import { findFieldById } from '../spec/schema';
import type { PrimitiveValue } from '../spec/types';
import { decimalFromBytes, decimalToBytes, kindOf, uuidFromBytes, uuidToBytes } from '../spec/values';
import { partitionResultType } from './avro-schemas';

type Rec = Record<string, unknown>;

const toMapArray = <V>(m: Map<number, V> | undefined, f: (v: V) => unknown) =>
  m && m.size > 0 ? [...m].sort((a, b) => a[0] - b[0]).map(([key, value]) => ({ key, value: f(value) })) : null;
const fromMapArray = <V>(a: unknown, f: (v: unknown) => V): Map<number, V> | undefined =>
  Array.isArray(a) ? new Map(a.map((kv: Rec) => [Number(kv.key), f(kv.value)])) : undefined;

/** Iceberg result types of a spec's partition fields. */
export function partitionTypes(spec: PartitionSpec, schema: Schema): string[] {
  return spec.fields.map((f) => {
    const src = findFieldById(schema, f['source-id'])?.type;
    return partitionResultType(f.transform, typeof src === 'string' ? src : 'string');
  });
}

function partitionName(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_');
}

function encodePartitionValue(t: string, v: PrimitiveValue | null | undefined): unknown {
  if (v === null || v === undefined) return null;
  const k = kindOf(t).kind;
  if (k === 'long' || k === 'time' || k === 'timestamp' || k === 'timestamptz') return BigInt(v as bigint);
  if (k === 'decimal') return Buffer.from(decimalToBytes(BigInt(v as bigint)));
  if (k === 'uuid') return Buffer.from(uuidToBytes(v as string));
  if (v instanceof Uint8Array) return Buffer.from(v);
  return v;
}

function decodePartitionValue(t: string, v: unknown): PrimitiveValue | null {
  if (v === null || v === undefined) return null;
  const k = kindOf(t).kind;
  if (k === 'long' || k === 'time' || k === 'timestamp' || k === 'timestamptz') return BigInt(v as bigint);
  if (k === 'decimal') return decimalFromBytes(new Uint8Array(v as Buffer));
  if (k === 'uuid') return uuidFromBytes(new Uint8Array(v as Buffer));
  if (Buffer.isBuffer(v)) return new Uint8Array(v);
  if (typeof v === 'bigint') return Number(v);
  return v as PrimitiveValue;
}

/** Model → Avro record of a manifest entry. */
export function encodeEntry(e: ManifestEntry, spec: PartitionSpec, schema: Schema): Rec {
  const types = partitionTypes(spec, schema);
  const d = e.dataFile;
  const partition = Object.fromEntries(
    spec.fields.map((f, i) => [partitionName(f.name), encodePartitionValue(types[i] as string, d.partition[i])]),
  );
  const big = (n: number) => BigInt(n);
  const buf = (b: Uint8Array) => Buffer.from(b);
  return {
    status: e.status,
    snapshot_id: e.snapshotId,
    sequence_number: e.sequenceNumber,
    file_sequence_number: e.fileSequenceNumber,
    data_file: {
      content: d.content,
      file_path: d.filePath,
      file_format: d.fileFormat,
      partition,
      record_count: big(d.recordCount),
      file_size_in_bytes: big(d.fileSizeInBytes),
      column_sizes: toMapArray(d.columnSizes, big),
      value_counts: toMapArray(d.valueCounts, big),
      null_value_counts: toMapArray(d.nullValueCounts, big),
      nan_value_counts: toMapArray(d.nanValueCounts, big),
      lower_bounds: toMapArray(d.lowerBounds, buf),
      upper_bounds: toMapArray(d.upperBounds, buf),
      key_metadata: d.keyMetadata ? buf(d.keyMetadata) : null,
      split_offsets: d.splitOffsets ? d.splitOffsets.map(big) : null,
      equality_ids: d.equalityIds ?? null,
      sort_order_id: d.sortOrderId ?? null,
      referenced_data_file: d.referencedDataFile ?? null,
    },
  };
}

/** Avro record → model of a manifest entry (v1 or v2). */
export function decodeEntry(r: Rec, spec: PartitionSpec, schema: Schema): ManifestEntry {
  const d = r.data_file as Rec;
  const types = partitionTypes(spec, schema);
  const p = (d.partition ?? {}) as Rec;
  const pvals = Object.values(p);
  const num = (v: unknown) => Number(v);
  const bytes = (v: unknown) => new Uint8Array(v as Buffer);
  const dataFile: DataFile = {
    content: Number(d.content ?? 0),
    filePath: String(d.file_path),
    fileFormat: String(d.file_format).toUpperCase(),
    partition: spec.fields.map((f, i) =>
      decodePartitionValue(types[i] as string, p[partitionName(f.name)] ?? p[f.name] ?? pvals[i]),
    ),
    recordCount: Number(d.record_count),
    fileSizeInBytes: Number(d.file_size_in_bytes),
    columnSizes: fromMapArray(d.column_sizes, num),
    valueCounts: fromMapArray(d.value_counts, num),
    nullValueCounts: fromMapArray(d.null_value_counts, num),
    nanValueCounts: fromMapArray(d.nan_value_counts, num),
    lowerBounds: fromMapArray(d.lower_bounds, bytes),
    upperBounds: fromMapArray(d.upper_bounds, bytes),
    ...(d.key_metadata ? { keyMetadata: bytes(d.key_metadata) } : {}),
    ...(Array.isArray(d.split_offsets) ? { splitOffsets: d.split_offsets.map(num) } : {}),
    ...(Array.isArray(d.equality_ids) ? { equalityIds: d.equality_ids.map(num) } : {}),
    ...(d.sort_order_id !== null && d.sort_order_id !== undefined ? { sortOrderId: num(d.sort_order_id) } : {}),
    ...(typeof d.referenced_data_file === 'string' ? { referencedDataFile: d.referenced_data_file } : {}),
  };
  const big = (v: unknown) => (v === null || v === undefined ? null : BigInt(v as bigint));
  return {
    status: Number(r.status),
    snapshotId: big(r.snapshot_id),
    sequenceNumber: big(r.sequence_number),
    fileSequenceNumber: big(r.file_sequence_number),
    dataFile,
  };
}

/** Model → Avro record of a manifest-list entry; `-1` sequence numbers become `seq`. */
export function toAvroManifestFile(m: ManifestFile, seq: bigint): Rec {
  const s = m.sequenceNumber < 0n ? seq : m.sequenceNumber;
  const min = m.minSequenceNumber < 0n ? seq : m.minSequenceNumber;
  return {
    manifest_path: m.manifestPath,
    manifest_length: BigInt(m.manifestLength),
    partition_spec_id: m.partitionSpecId,
    content: m.content,
    sequence_number: s,
    min_sequence_number: min,
    added_snapshot_id: m.addedSnapshotId,
    added_files_count: m.addedFilesCount ?? 0,
    existing_files_count: m.existingFilesCount ?? 0,
    deleted_files_count: m.deletedFilesCount ?? 0,
    added_rows_count: BigInt(m.addedRowsCount ?? 0),
    existing_rows_count: BigInt(m.existingRowsCount ?? 0),
    deleted_rows_count: BigInt(m.deletedRowsCount ?? 0),
    partitions: m.partitions
      ? m.partitions.map((p) => ({
          contains_null: p.containsNull,
          contains_nan: p.containsNaN ?? null,
          lower_bound: p.lowerBound ? Buffer.from(p.lowerBound) : null,
          upper_bound: p.upperBound ? Buffer.from(p.upperBound) : null,
        }))
      : null,
    key_metadata: m.keyMetadata ? Buffer.from(m.keyMetadata) : null,
  };
}

/** Avro record → model of a manifest-list entry (v1 lists have no content or sequence numbers). */
export function fromAvroManifestFile(r: Rec): ManifestFile {
  const n = (v: unknown) => (v === null || v === undefined ? undefined : Number(v));
  const parts = r.partitions as Rec[] | null | undefined;
  return {
    manifestPath: String(r.manifest_path),
    manifestLength: Number(r.manifest_length),
    partitionSpecId: Number(r.partition_spec_id ?? 0),
    content: Number(r.content ?? ManifestContent.Data),
    sequenceNumber: BigInt((r.sequence_number as bigint) ?? 0n),
    minSequenceNumber: BigInt((r.min_sequence_number as bigint) ?? 0n),
    addedSnapshotId: BigInt((r.added_snapshot_id as bigint) ?? 0n),
    addedFilesCount: n(r.added_files_count ?? r.added_data_files_count),
    existingFilesCount: n(r.existing_files_count ?? r.existing_data_files_count),
    deletedFilesCount: n(r.deleted_files_count ?? r.deleted_data_files_count),
    addedRowsCount: n(r.added_rows_count),
    existingRowsCount: n(r.existing_rows_count),
    deletedRowsCount: n(r.deleted_rows_count),
    ...(parts
      ? {
          partitions: parts.map((p) => ({
            containsNull: Boolean(p.contains_null),
            ...(p.contains_nan !== null && p.contains_nan !== undefined
              ? { containsNaN: Boolean(p.contains_nan) }
              : {}),
            ...(p.lower_bound ? { lowerBound: new Uint8Array(p.lower_bound as Buffer) } : {}),
            ...(p.upper_bound ? { upperBound: new Uint8Array(p.upper_bound as Buffer) } : {}),
          })),
        }
      : {}),
  };
}
