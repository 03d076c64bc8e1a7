/**
 * A minimal file planner: snapshot → manifest list (or v1 `manifests`) → live entries, with delete
 * files attached by the spec's rules (format/spec.md "Scan Planning"): a position delete applies
 * to data files of the same partition with data sequence number ≤ its own (or only to its
 * `referenced_data_file`); an equality delete to data files with a strictly smaller data sequence
 * number, in the same partition unless its spec is unpartitioned. No pruning: the reader's
 * residual filter drops rows. Used where the scan planner of core/iceberg/scan is not available.
 */
import { readManifest, readManifestList } from '../avro';
import type { FileIO } from '../io/file-io';
import {
  type DataFile,
  DataFileContent,
  ManifestContent,
  type ManifestEntry,
  ManifestEntryStatus,
  type ManifestFile,
} from '../spec/manifest';
import type { Schema } from '../spec/schema';
import type { Snapshot } from '../spec/snapshot';
import type { TableMetadata } from '../spec/table-metadata';

/** A data file with the delete files that apply to it. */
export interface PlannedFile {
  entry: ManifestEntry;
  specId: number;
  deletes: DataFile[];
}

interface Planned {
  entry: ManifestEntry;
  specId: number;
}

function partitionKey(specId: number, values: readonly unknown[]): string {
  return `${specId}|${values.map((v) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : String(v))).join('|')}`;
}

async function manifestsOf(io: FileIO, snapshot: Snapshot): Promise<ManifestFile[]> {
  const list = snapshot['manifest-list'];
  if (list) return readManifestList(await io.read(list), { path: list, snapshotId: snapshot['snapshot-id'] });
  return (snapshot.manifests ?? []).map((manifestPath) => ({
    manifestPath,
    manifestLength: 0,
    partitionSpecId: -1,
    content: ManifestContent.Data,
    sequenceNumber: 0n,
    minSequenceNumber: 0n,
    addedSnapshotId: snapshot['snapshot-id'],
  }));
}

/** Live entries of every manifest of a snapshot, split into data and delete files. */
async function liveEntries(io: FileIO, meta: TableMetadata, snapshot: Snapshot, schema: Schema) {
  const data: Planned[] = [];
  const deletes: Planned[] = [];
  for (const mf of await manifestsOf(io, snapshot)) {
    const bytes = await io.read(mf.manifestPath);
    const opts = { path: mf.manifestPath, specs: meta['partition-specs'], schema };
    const manifest = readManifest(bytes, mf.partitionSpecId >= 0 ? { ...opts, manifestFile: mf } : opts);
    for (const entry of manifest.entries) {
      if (entry.status === ManifestEntryStatus.Deleted) continue;
      const planned = { entry, specId: manifest.spec['spec-id'] };
      if (entry.dataFile.content === DataFileContent.Data) data.push(planned);
      else deletes.push(planned);
    }
  }
  return { data, deletes };
}

function seqOf(e: ManifestEntry): bigint {
  return e.sequenceNumber ?? 0n;
}

/** Plans every live data file of a snapshot with its applicable delete files. */
export async function planBasic(
  io: FileIO,
  meta: TableMetadata,
  snapshot: Snapshot,
  schema: Schema,
  resolve: (path: string) => string = (p) => p,
): Promise<PlannedFile[]> {
  const { data, deletes } = await liveEntries(io, meta, snapshot, schema);
  const unpartitioned = new Set(meta['partition-specs'].filter((s) => s.fields.length === 0).map((s) => s['spec-id']));
  return data.map(({ entry, specId }) => {
    const dataSeq = seqOf(entry);
    const key = partitionKey(specId, entry.dataFile.partition);
    const applicable = deletes.filter((d) => {
      const df = d.entry.dataFile;
      const deleteSeq = seqOf(d.entry);
      const samePartition = partitionKey(d.specId, df.partition) === key;
      if (df.content === DataFileContent.PositionDeletes) {
        if (df.referencedDataFile !== undefined) {
          return resolve(df.referencedDataFile) === resolve(entry.dataFile.filePath) && dataSeq <= deleteSeq;
        }
        return dataSeq <= deleteSeq && (samePartition || unpartitioned.has(d.specId));
      }
      return dataSeq < deleteSeq && (samePartition || unpartitioned.has(d.specId));
    });
    return { entry, specId, deletes: applicable.map((d) => d.entry.dataFile) };
  });
}
