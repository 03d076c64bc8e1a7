/**
 * Table metadata (format/spec.md "Table Metadata"), normalized: v1's deprecated `schema` and
 * `partition-spec` are folded into `schemas`/`partition-specs`, and fields with spec defaults are
 * always present. Keys follow the spec's JSON so serialization is a direct mapping.
 */
import type { PartitionSpec } from './partition-spec';
import type { Schema } from './schema';
import type { MetadataLogEntry, Snapshot, SnapshotLogEntry, SnapshotRef } from './snapshot';
import type { SortOrder } from './sort-order';

export type FormatVersion = 1 | 2 | 3;

export interface BlobMetadata {
  type: string;
  'snapshot-id': bigint;
  'sequence-number': bigint;
  fields: number[];
  properties?: Record<string, string>;
}

export interface StatisticsFile {
  'snapshot-id': bigint;
  'statistics-path': string;
  'file-size-in-bytes': bigint;
  'file-footer-size-in-bytes': bigint;
  'key-metadata'?: string;
  'blob-metadata': BlobMetadata[];
}

export interface PartitionStatisticsFile {
  'snapshot-id': bigint;
  'statistics-path': string;
  'file-size-in-bytes': bigint;
}

export interface EncryptedKey {
  'key-id': string;
  'encrypted-key-metadata': string;
  'encrypted-by-id'?: string;
  properties?: Record<string, string>;
}

export interface TableMetadata {
  'format-version': FormatVersion;
  /** Required in v2+; optional in v1 (then absent). */
  'table-uuid'?: string;
  location: string;
  /** 0 for v1 tables. */
  'last-sequence-number': bigint;
  'last-updated-ms': bigint;
  'last-column-id': number;
  schemas: Schema[];
  'current-schema-id': number;
  'partition-specs': PartitionSpec[];
  'default-spec-id': number;
  'last-partition-id': number;
  properties: Record<string, string>;
  /** null when the table has no current snapshot (spec: -1 in old writers, normalized to null). */
  'current-snapshot-id': bigint | null;
  snapshots: Snapshot[];
  'snapshot-log': SnapshotLogEntry[];
  'metadata-log': MetadataLogEntry[];
  'sort-orders': SortOrder[];
  'default-sort-order-id': number;
  refs: Record<string, SnapshotRef>;
  statistics: StatisticsFile[];
  'partition-statistics': PartitionStatisticsFile[];
  /** v3 row lineage. */
  'next-row-id'?: bigint;
  'encryption-keys'?: EncryptedKey[];
}
