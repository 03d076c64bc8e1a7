/**
 * Per-attempt manifest planning against the fresh base: carries existing manifests forward, rewrites
 * the ones that hold removed files (entries marked DELETED keep their sequence numbers, spec
 * "Manifests"), and merges small data manifests past `commit.manifest.min-count-to-merge`.
 * @internal
 */
import { randomUUID } from 'node:crypto';
import type { FileIO } from '../io/file-io';
import { type DataFile, type ManifestEntry, ManifestEntryStatus, type ManifestFile } from '../spec/manifest';
import type { PartitionSpec } from '../spec/partition-spec';
import { currentSchema } from '../spec/snapshot-select';
import type { TableMetadata } from '../spec/table-metadata';
import { readManifest, readManifestList, writeManifest } from './manifest-io';
import type { PreparedCommit } from './snapshot-producer';

export interface RemovalPlan {
  /** Manifests of the new snapshot besides the prepared ones. */
  manifests: ManifestFile[];
  removed: DataFile[];
  removedPaths: Set<string>;
}

/** The manifests of the current snapshot (empty for a table without one). */
export async function currentManifests(io: FileIO, m: TableMetadata): Promise<ManifestFile[]> {
  const snap = m.snapshots.find((s) => s['snapshot-id'] === m['current-snapshot-id']);
  if (!snap?.['manifest-list']) return [];
  return readManifestList(io, snap['manifest-list']);
}

function specOf(m: TableMetadata, id: number): PartitionSpec {
  return m['partition-specs'].find((s) => s['spec-id'] === id) ?? { 'spec-id': id, fields: [] };
}

function schemaOf(m: TableMetadata) {
  return currentSchema(m);
}

/** Reads the live entries of a manifest. */
export async function liveEntries(io: FileIO, m: TableMetadata, mf: ManifestFile): Promise<ManifestEntry[]> {
  const entries = await readManifest(io, mf, schemaOf(m), specOf(m, mf.partitionSpecId));
  return entries.filter((e) => e.status !== ManifestEntryStatus.Deleted);
}

export async function planRemovals(
  io: FileIO,
  m: TableMetadata,
  p: PreparedCommit,
  scratch: string[],
): Promise<RemovalPlan> {
  const existing = await currentManifests(io, m);
  const plan: RemovalPlan = { manifests: [], removed: [], removedPaths: new Set() };
  const rewrite = async (mf: ManifestFile, entries: ManifestEntry[]) => {
    if (entries.length === 0) return;
    const path = `${m.location}/metadata/${randomUUID()}-m-${p.snapshotId}.avro`;
    scratch.push(path);
    const opts = {
      spec: specOf(m, mf.partitionSpecId),
      schema: schemaOf(m),
      snapshotId: p.snapshotId,
      content: mf.content as 0 | 1,
      formatVersion: m['format-version'],
    };
    plan.manifests.push(await writeManifest(io, path, entries, opts));
  };
  if (p.removal.kind === 'manifests') return plan;
  for (const mf of existing) {
    if (p.removal.kind === 'none') {
      plan.manifests.push(mf);
      continue;
    }
    const live = await liveEntries(io, m, mf);
    const paths = p.removal.kind === 'files' ? p.removal.paths : undefined;
    if (paths && !live.some((e) => paths.has(e.dataFile.filePath))) {
      plan.manifests.push(mf);
      continue;
    }
    const next = live.map((e) => {
      const gone = !paths || paths.has(e.dataFile.filePath);
      if (gone) {
        plan.removed.push(e.dataFile);
        plan.removedPaths.add(e.dataFile.filePath);
      }
      return {
        ...e,
        status: gone ? ManifestEntryStatus.Deleted : ManifestEntryStatus.Existing,
        snapshotId: gone ? p.snapshotId : e.snapshotId,
      };
    });
    await rewrite(mf, next);
  }
  if (p.removal.kind === 'none') plan.manifests = await mergeSmall(io, m, p, plan.manifests, scratch);
  return plan;
}

/** Merges small data manifests into one per spec once there are at least `min-count-to-merge`. */
async function mergeSmall(
  io: FileIO,
  m: TableMetadata,
  p: PreparedCommit,
  manifests: ManifestFile[],
  scratch: string[],
): Promise<ManifestFile[]> {
  if (m.properties['commit.manifest-merge.enabled'] === 'false') return manifests;
  const minCount = Number(m.properties['commit.manifest.min-count-to-merge'] ?? 100);
  const target = Number(m.properties['commit.manifest.target-size-bytes'] ?? 8 * 1024 * 1024);
  const small = manifests.filter((mf) => mf.content === 0 && mf.manifestLength < target);
  if (small.length + p.manifests.length < minCount) return manifests;
  const keep = manifests.filter((mf) => !small.includes(mf));
  const bySpec = new Map<number, ManifestFile[]>();
  for (const mf of small) bySpec.set(mf.partitionSpecId, [...(bySpec.get(mf.partitionSpecId) ?? []), mf]);
  for (const [specId, group] of bySpec) {
    const entries: ManifestEntry[] = [];
    for (const mf of group)
      for (const e of await liveEntries(io, m, mf)) entries.push({ ...e, status: ManifestEntryStatus.Existing });
    if (entries.length === 0) continue;
    const path = `${m.location}/metadata/${randomUUID()}-m-${p.snapshotId}.avro`;
    scratch.push(path);
    keep.push(
      await writeManifest(io, path, entries, {
        spec: specOf(m, specId),
        schema: schemaOf(m),
        snapshotId: p.snapshotId,
        content: 0,
        formatVersion: m['format-version'],
      }),
    );
  }
  return keep;
}
