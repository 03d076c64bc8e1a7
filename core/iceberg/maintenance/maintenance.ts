/**
 * Table maintenance (the actions of Iceberg's Spark procedures): remove orphan files, expire snapshots,
 * rewrite small data files (compaction, operation `replace`), rewrite manifests. `icefloe table
 * maintain` and the optional post-job steps call these.
 */
import * as arrow from 'apache-arrow';
import { arrowSchemaOf } from '../../arrow/write/arrow-schema';
import { conformTable } from '../../arrow/write/conform';
import { DEFAULT_TARGET_FILE_SIZE, writeDataFiles } from '../../arrow/write/data-file-writer';
import type { Catalog } from '../catalog/catalog';
import type { TableIdentifier } from '../catalog/updates';
import { DataFileContent, type ManifestEntry, ManifestEntryStatus } from '../spec/manifest';
import { MAIN_BRANCH, type Snapshot } from '../spec/snapshot';
import { currentSchema, specById } from '../spec/snapshot-select';
import { writeManifest } from '../transaction/manifest-io';
import { replaceFiles } from '../transaction/operations';
import { currentManifests, liveEntries } from '../transaction/removals';
import { commitPrepared, newSnapshotId } from '../transaction/snapshot-producer';
import { filesOfSnapshots, normalizePath, reachableFiles } from './reachable';

const pw = require('parquet-wasm') as typeof import('parquet-wasm');

export interface OrphanOptions {
  /** Only files older than this are removed (a concurrent writer's uncommitted files are young). @default 3 days */
  olderThanMs?: number;
  dryRun?: boolean;
}

/** Deletes files under the table location that no metadata reaches; returns their paths. */
export async function removeOrphanFiles(
  catalog: Catalog,
  id: TableIdentifier,
  o: OrphanOptions = {},
): Promise<string[]> {
  const t = await catalog.loadTable(id);
  const reachable = new Set([...(await reachableFiles(catalog, id))].map(normalizePath));
  const cutoff = Date.now() - (o.olderThanMs ?? 3 * 24 * 3600 * 1000);
  const orphans: string[] = [];
  for await (const f of catalog.io.list(`${t.metadata.location}/`)) {
    const p = normalizePath(f.path);
    if (reachable.has(p) || /\/metadata\/(version-hint\.text|v\d+\.metadata\.json)$/.test(p)) continue;
    if (f.lastModified && f.lastModified.getTime() > cutoff) continue;
    orphans.push(f.path);
  }
  if (!o.dryRun) await Promise.all(orphans.map((p) => catalog.io.delete(p)));
  return orphans.sort();
}

export interface ExpireOptions {
  /** Expire snapshots older than this timestamp (ms). @default now - `history.expire.max-snapshot-age-ms` (5 days) */
  olderThanMs?: number;
  /** Keep at least this many recent ancestors of main. @default `history.expire.min-snapshots-to-keep` (1) */
  retainLast?: number;
}

/** Removes old snapshots from the metadata and deletes the files only they referenced. */
export async function expireSnapshots(
  catalog: Catalog,
  id: TableIdentifier,
  o: ExpireOptions = {},
): Promise<{ expired: bigint[]; deletedFiles: number }> {
  const t = await catalog.loadTable(id);
  const m = t.metadata;
  const maxAge = Number(m.properties['history.expire.max-snapshot-age-ms'] ?? 5 * 24 * 3600 * 1000);
  const cutoff = BigInt(o.olderThanMs ?? Date.now() - maxAge);
  const keep = new Set<bigint>();
  const retain = o.retainLast ?? Number(m.properties['history.expire.min-snapshots-to-keep'] ?? 1);
  let cur = m.snapshots.find((s) => s['snapshot-id'] === m['current-snapshot-id']);
  for (let i = 0; cur && i < retain; i++) {
    keep.add(cur['snapshot-id']);
    const parent: bigint | undefined = cur['parent-snapshot-id'];
    cur = m.snapshots.find((s) => s['snapshot-id'] === parent);
  }
  for (const r of Object.values(m.refs)) keep.add(r['snapshot-id']);
  const expired = m.snapshots.filter((s) => !keep.has(s['snapshot-id']) && s['timestamp-ms'] < cutoff);
  if (expired.length === 0) return { expired: [], deletedFiles: 0 };
  const kept = m.snapshots.filter((s) => !expired.includes(s));
  await catalog.commitTable({
    identifier: id,
    requirements: [{ type: 'assert-ref-snapshot-id', ref: MAIN_BRANCH, 'snapshot-id': m['current-snapshot-id'] }],
    updates: [{ action: 'remove-snapshots', 'snapshot-ids': expired.map((s) => s['snapshot-id']) }],
  });
  const deletedFiles = await deleteUnreferenced(catalog, m, expired, kept);
  return { expired: expired.map((s) => s['snapshot-id']), deletedFiles };
}

async function deleteUnreferenced(
  catalog: Catalog,
  m: Parameters<typeof filesOfSnapshots>[1],
  gone: Snapshot[],
  kept: Snapshot[],
): Promise<number> {
  const before = await filesOfSnapshots(catalog.io, m, gone);
  const after = await filesOfSnapshots(catalog.io, m, kept);
  const doomed = [
    ...[...before.content].filter((p) => !after.content.has(p)),
    ...[...before.manifests].filter((p) => !after.manifests.has(p)),
    ...[...before.manifestLists].filter((p) => !after.manifestLists.has(p)),
  ];
  await Promise.all(doomed.map((p) => catalog.io.delete(p).catch(() => undefined)));
  return doomed.length;
}

/**
 * Compaction: data files smaller than `minSizeBytes` (default 3/4 of the target size) are rewritten into
 * files of the target size, per partition, in one `replace` snapshot. Tables with delete files are skipped
 * (the rewrite would have to apply them).
 */
export async function rewriteDataFiles(
  catalog: Catalog,
  id: TableIdentifier,
  o: { minSizeBytes?: number } = {},
): Promise<{ rewritten: number; added: number }> {
  const { metadata: m } = await catalog.loadTable(id);
  const target = Number(m.properties['write.target-file-size-bytes'] ?? DEFAULT_TARGET_FILE_SIZE);
  const min = o.minSizeBytes ?? Math.floor(target * 0.75);
  const live = (
    await Promise.all((await currentManifests(catalog.io, m)).map((mf) => liveEntries(catalog.io, m, mf)))
  ).flat();
  if (live.some((e) => e.dataFile.content !== DataFileContent.Data)) return { rewritten: 0, added: 0 };
  const small = live.filter((e) => e.dataFile.fileSizeInBytes < min);
  const byPartition = new Map<string, ManifestEntry[]>();
  for (const e of small) {
    const k = JSON.stringify(e.dataFile.partition, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
    byPartition.set(k, [...(byPartition.get(k) ?? []), e]);
  }
  const schema = currentSchema(m);
  const spec = specById(m, m['default-spec-id']);
  const remove: string[] = [];
  const added = [];
  const prefix = `compact-${Date.now()}`;
  for (const [, group] of byPartition) {
    if (group.length < 2) continue;
    const tables = [];
    for (const e of group)
      tables.push(
        conformTable(
          arrow.tableFromIPC(pw.readParquet(await catalog.io.read(e.dataFile.filePath)).intoIPCStream()),
          schema,
        ),
      );
    const all = new arrow.Table(
      arrowSchemaOf(schema),
      tables.flatMap((t) => t.batches),
    );
    added.push(
      ...(await writeDataFiles(all, {
        io: catalog.io,
        location: m.location,
        schema,
        spec,
        properties: m.properties,
        prefix: `${prefix}-${remove.length}`,
      })),
    );
    remove.push(...group.map((e) => e.dataFile.filePath));
  }
  if (remove.length === 0) return { rewritten: 0, added: 0 };
  await replaceFiles(catalog, id, remove, added, { operation: 'replace' });
  return { rewritten: remove.length, added: added.length };
}

/** Rewrites all manifests of the current snapshot into one per spec and content (operation `replace`). */
export async function rewriteManifests(
  catalog: Catalog,
  id: TableIdentifier,
): Promise<{ before: number; after: number }> {
  const loaded = await catalog.loadTable(id);
  const m = loaded.metadata;
  const manifests = await currentManifests(catalog.io, m);
  const snapshotId = newSnapshotId();
  const schema = currentSchema(m);
  const groups = new Map<string, ManifestEntry[]>();
  for (const mf of manifests) {
    const k = `${mf.partitionSpecId}:${mf.content}`;
    const entries = (await liveEntries(catalog.io, m, mf)).map((e) => ({ ...e, status: ManifestEntryStatus.Existing }));
    groups.set(k, [...(groups.get(k) ?? []), ...entries]);
  }
  const written = [];
  for (const [k, entries] of groups) {
    const [specId, content] = k.split(':').map(Number) as [number, 0 | 1];
    const spec = m['partition-specs'].find((s) => s['spec-id'] === specId) ?? { 'spec-id': specId, fields: [] };
    written.push(
      await writeManifest(
        catalog.io,
        `${m.location}/metadata/${snapshotId}-rewrite-${specId}-${content}.avro`,
        entries,
        { spec, schema, snapshotId, content, formatVersion: m['format-version'] },
      ),
    );
  }
  await commitPrepared(catalog, {
    identifier: id,
    operation: 'replace',
    snapshotId,
    manifests: written,
    added: [],
    removal: { kind: 'manifests' },
    startSnapshotId: m['current-snapshot-id'],
  });
  return { before: manifests.length, after: written.length };
}
