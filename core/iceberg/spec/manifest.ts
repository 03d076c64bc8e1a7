/**
 * The in-memory model of manifest lists and manifests (format/spec.md "Manifests", "Manifest Lists").
 * Counts and sizes are numbers (they stay far below 2^53); ids and sequence numbers are bigint.
 * Partition tuples are arrays in the order of the spec's fields, values as {@link PrimitiveValue}.
 */
import type { PrimitiveValue } from './types';

/** `content` of a data file entry: 0 data, 1 position deletes, 2 equality deletes. */
export enum DataFileContent {
  Data = 0,
  PositionDeletes = 1,
  EqualityDeletes = 2,
}

/** `content` of a manifest: 0 data, 1 deletes. */
export enum ManifestContent {
  Data = 0,
  Deletes = 1,
}

/** `status` of a manifest entry. */
export enum ManifestEntryStatus {
  Existing = 0,
  Added = 1,
  Deleted = 2,
}

/** A partition tuple, one value (or null) per field of the spec, in spec order. */
export type PartitionValues = (PrimitiveValue | null)[];

export interface DataFile {
  content: DataFileContent;
  filePath: string;
  /** Upper-case as Java writes it: `PARQUET`, `AVRO`, `ORC`, `PUFFIN`. */
  fileFormat: string;
  partition: PartitionValues;
  recordCount: number;
  fileSizeInBytes: number;
  columnSizes?: Map<number, number>;
  valueCounts?: Map<number, number>;
  nullValueCounts?: Map<number, number>;
  nanValueCounts?: Map<number, number>;
  /** Single-value serialized bounds (Appendix D), by field id. */
  lowerBounds?: Map<number, Uint8Array>;
  upperBounds?: Map<number, Uint8Array>;
  keyMetadata?: Uint8Array;
  splitOffsets?: number[];
  equalityIds?: number[];
  sortOrderId?: number;
  /** v3 row lineage. */
  firstRowId?: bigint;
  /** v2+ position deletes / v3 deletion vectors: the one data file all deletes reference. */
  referencedDataFile?: string;
  /** v3 deletion vectors: where the blob lives in the Puffin file. */
  contentOffset?: number;
  contentSizeInBytes?: number;
}

export interface ManifestEntry {
  status: ManifestEntryStatus;
  /** After reading, inherited from the manifest-list entry when null (spec: "Sequence Number Inheritance"). */
  snapshotId: bigint | null;
  sequenceNumber: bigint | null;
  fileSequenceNumber: bigint | null;
  dataFile: DataFile;
}

export interface FieldSummary {
  containsNull: boolean;
  containsNaN?: boolean;
  lowerBound?: Uint8Array;
  upperBound?: Uint8Array;
}

/** One entry of a manifest list. */
export interface ManifestFile {
  manifestPath: string;
  manifestLength: number;
  partitionSpecId: number;
  content: ManifestContent;
  /** 0 for v1 manifests. */
  sequenceNumber: bigint;
  minSequenceNumber: bigint;
  addedSnapshotId: bigint;
  addedFilesCount?: number;
  existingFilesCount?: number;
  deletedFilesCount?: number;
  addedRowsCount?: number;
  existingRowsCount?: number;
  deletedRowsCount?: number;
  partitions?: FieldSummary[];
  keyMetadata?: Uint8Array;
  /** v3 row lineage. */
  firstRowId?: bigint;
}

/** What a manifest file's header says about its content (Avro file metadata keys). */
export interface ManifestHeader {
  formatVersion: number;
  content: ManifestContent;
  partitionSpecId: number;
  /** The table schema as JSON text (`schema` key), when present. */
  schemaJson?: string;
  /** The partition spec fields as JSON text (`partition-spec` key), when present. */
  partitionSpecJson?: string;
}
