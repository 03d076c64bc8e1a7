/**
 * Snapshots, refs and logs (format/spec.md "Snapshots", "Snapshot References", "Table Metadata Fields").
 * 64-bit ids, sequence numbers and timestamps are bigint: snapshot ids routinely exceed 2^53.
 */
export interface SnapshotSummary {
  /** `append`, `replace`, `overwrite` or `delete`. */
  operation: string;
  [key: string]: string;
}

export interface Snapshot {
  'snapshot-id': bigint;
  'parent-snapshot-id'?: bigint;
  /** v2+; v1 snapshots have sequence number 0. */
  'sequence-number'?: bigint;
  'timestamp-ms': bigint;
  /** The manifest list; v1 snapshots may instead list manifests directly in `manifests`. */
  'manifest-list'?: string;
  /** Deprecated v1 form: manifest paths without a manifest list. */
  manifests?: string[];
  summary: SnapshotSummary;
  'schema-id'?: number;
  /** v3 row lineage. */
  'first-row-id'?: bigint;
  'added-rows'?: bigint;
  'key-id'?: string;
}

export interface SnapshotRef {
  'snapshot-id': bigint;
  type: 'branch' | 'tag';
  'min-snapshots-to-keep'?: number;
  'max-snapshot-age-ms'?: bigint;
  'max-ref-age-ms'?: bigint;
}

export interface SnapshotLogEntry {
  'snapshot-id': bigint;
  'timestamp-ms': bigint;
}

export interface MetadataLogEntry {
  'metadata-file': string;
  'timestamp-ms': bigint;
}

/** The main branch name. */
export const MAIN_BRANCH = 'main';
