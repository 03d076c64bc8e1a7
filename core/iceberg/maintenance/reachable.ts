/**
 * Every file a table's metadata can reach: metadata files (current and logged), manifest lists,
 * manifests, data and delete files of every snapshot, statistics files. Used by orphan removal and
 * snapshot expiry.
 */
import type { Catalog } from '../catalog/catalog';
import type { TableIdentifier } from '../catalog/updates';
import type { FileIO } from '../io/file-io';
import type { Snapshot } from '../spec/snapshot';
import { currentSchema } from '../spec/snapshot-select';
import type { TableMetadata } from '../spec/table-metadata';
import { readManifest, readManifestList } from '../transaction/manifest-io';

export interface SnapshotFiles {
  manifestLists: Set<string>;
  manifests: Set<string>;
  content: Set<string>;
}

/** Files reachable from some snapshots (all when `snapshots` is omitted). */
export async function filesOfSnapshots(
  io: FileIO,
  m: TableMetadata,
  snapshots: Snapshot[] = m.snapshots,
): Promise<SnapshotFiles> {
  const out: SnapshotFiles = { manifestLists: new Set(), manifests: new Set(), content: new Set() };
  const schema = currentSchema(m);
  for (const s of snapshots) {
    const paths = s['manifest-list'] ? [s['manifest-list']] : [];
    for (const p of paths) out.manifestLists.add(p);
    const manifests = s['manifest-list'] ? await readManifestList(io, s['manifest-list']) : [];
    for (const mf of manifests) {
      if (out.manifests.has(mf.manifestPath)) continue;
      out.manifests.add(mf.manifestPath);
      const spec = m['partition-specs'].find((x) => x['spec-id'] === mf.partitionSpecId) ?? {
        'spec-id': mf.partitionSpecId,
        fields: [],
      };
      for (const e of await readManifest(io, mf, schema, spec)) out.content.add(e.dataFile.filePath);
    }
    for (const p of s.manifests ?? []) out.manifests.add(p);
  }
  return out;
}

/** All paths the table references, metadata files included. */
export async function reachableFiles(catalog: Catalog, id: TableIdentifier): Promise<Set<string>> {
  const t = await catalog.loadTable(id);
  const m = t.metadata;
  const files = await filesOfSnapshots(catalog.io, m);
  const out = new Set<string>([t.metadataLocation, ...files.manifestLists, ...files.manifests, ...files.content]);
  for (const e of m['metadata-log']) out.add(e['metadata-file']);
  for (const s of m.statistics) out.add(s['statistics-path']);
  for (const s of m['partition-statistics']) out.add(s['statistics-path']);
  return out;
}

/** Normalizes `file:///x` and `/x` to one form for comparison. */
export function normalizePath(p: string): string {
  return p.replace(/^file:\/\//, '').replace(/^file:/, '');
}
