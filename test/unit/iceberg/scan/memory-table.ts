/**
 * Test helper: builds Iceberg tables in memory with the Avro writer (manifests, manifest lists,
 * metadata), so planning can be tested against known contents.
 */
import { writeManifest, writeManifestList } from '../../../../core/iceberg/avro';
import {
  type DataFile,
  DataFileContent,
  ManifestContent,
  type ManifestEntry,
  ManifestEntryStatus,
  type ManifestFile,
  type PartitionSpec,
  type Schema,
  type Snapshot,
  type TableMetadata,
} from '../../../../core/iceberg/spec';

export class MemoryTable {
  readonly files = new Map<string, Uint8Array>();
  readonly snapshots: Snapshot[] = [];
  private n = 0;

  constructor(
    readonly schema: Schema,
    readonly specs: PartitionSpec[],
    readonly formatVersion = 2,
  ) {}

  readFile = async (path: string): Promise<Uint8Array> => {
    const b = this.files.get(path);
    if (!b) throw new Error(`no file ${path}`);
    return b;
  };

  /** Writes one manifest of these files (all in `specId`) and returns its list entry. */
  manifest(
    specId: number,
    files: { file: DataFile; seq: bigint; status?: ManifestEntryStatus }[],
    content = ManifestContent.Data,
  ): ManifestFile {
    const spec = this.specs.find((s) => s['spec-id'] === specId) as PartitionSpec;
    const path = `mem://t/metadata/m${this.n++}.avro`;
    const entries: ManifestEntry[] = files.map(({ file, seq, status }) => ({
      status: status ?? ManifestEntryStatus.Added,
      snapshotId: 1n,
      sequenceNumber: seq,
      fileSequenceNumber: seq,
      dataFile: file,
    }));
    let seq = 0n;
    for (const f of files) if (f.seq > seq) seq = f.seq;
    const { bytes, manifest } = writeManifest(entries, {
      path,
      formatVersion: this.formatVersion,
      spec,
      schema: this.schema,
      snapshotId: 1n,
      sequenceNumber: seq,
      content,
    });
    this.files.set(path, bytes);
    return manifest;
  }

  /** Commits a snapshot holding these manifests; returns its id. */
  commit(manifests: ManifestFile[], timestampMs: number): bigint {
    const id = BigInt(1000 + this.snapshots.length);
    const path = `mem://t/metadata/snap-${id}.avro`;
    const seq = BigInt(this.snapshots.length + 1);
    this.files.set(
      path,
      writeManifestList(manifests, { formatVersion: this.formatVersion, snapshotId: id, sequenceNumber: seq }),
    );
    const parent = this.snapshots.at(-1)?.['snapshot-id'];
    this.snapshots.push({
      'snapshot-id': id,
      ...(parent === undefined ? {} : { 'parent-snapshot-id': parent }),
      'sequence-number': seq,
      'timestamp-ms': BigInt(timestampMs),
      'manifest-list': path,
      summary: { operation: 'append' },
      'schema-id': this.schema['schema-id'],
    });
    return id;
  }

  metadata(): TableMetadata {
    const current = this.snapshots.at(-1)?.['snapshot-id'] ?? null;
    return {
      'format-version': this.formatVersion as 2,
      'table-uuid': '00000000-0000-0000-0000-000000000000',
      location: 'mem://t',
      'last-sequence-number': BigInt(this.snapshots.length),
      'last-updated-ms': 0n,
      'last-column-id': 10,
      schemas: [this.schema],
      'current-schema-id': this.schema['schema-id'],
      'partition-specs': this.specs,
      'default-spec-id': this.specs.at(-1)?.['spec-id'] ?? 0,
      'last-partition-id': 1010,
      properties: {},
      'current-snapshot-id': current,
      snapshots: this.snapshots,
      'snapshot-log': this.snapshots.map((s) => ({
        'snapshot-id': s['snapshot-id'],
        'timestamp-ms': s['timestamp-ms'],
      })),
      'metadata-log': [],
      'sort-orders': [{ 'order-id': 0, fields: [] }],
      'default-sort-order-id': 0,
      refs: current === null ? {} : { main: { 'snapshot-id': current, type: 'branch' } },
      statistics: [],
      'partition-statistics': [],
    };
  }
}

/** A data or delete file with minimal fields. */
export function file(path: string, partition: DataFile['partition'], extra: Partial<DataFile> = {}): DataFile {
  return {
    content: DataFileContent.Data,
    filePath: path,
    fileFormat: 'PARQUET',
    partition,
    recordCount: 10,
    fileSizeInBytes: 100,
    ...extra,
  };
}
