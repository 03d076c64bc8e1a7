/**
 * Table maintenance entry points for `icefloe table maintain` and post-job steps.
 *
 * @example
 * const { catalog, id } = tableFolderCatalog('/warehouse/db/events', new LocalFileIO());
 * const report = await maintainTable(catalog, id, { compact: true, rewriteManifests: true, expire: { retainLast: 5 } });
 */
import type { Catalog } from '../catalog/catalog';
import { FileCatalog } from '../catalog/file-catalog';
import type { TableIdentifier } from '../catalog/updates';
import type { FileIO } from '../io/file-io';
import {
  type ExpireOptions,
  expireSnapshots,
  type OrphanOptions,
  removeOrphanFiles,
  rewriteDataFiles,
  rewriteManifests,
} from './maintenance';

export type { ExpireOptions, OrphanOptions } from './maintenance';
export { expireSnapshots, removeOrphanFiles, rewriteDataFiles, rewriteManifests } from './maintenance';

export interface MaintainOptions {
  /** Rewrite small data files (compaction). */
  compact?: boolean;
  rewriteManifests?: boolean;
  /** Expire snapshots (after compaction, so the replaced files can go). */
  expire?: ExpireOptions | false;
  /** Remove files no metadata references (last). */
  removeOrphans?: OrphanOptions | false;
}

export interface MaintainReport {
  compacted?: { rewritten: number; added: number };
  manifests?: { before: number; after: number };
  expired?: { snapshots: string[]; deletedFiles: number };
  orphans?: string[];
}

/** Runs the chosen maintenance steps in a safe order: compact, rewrite manifests, expire, remove orphans. */
export async function maintainTable(
  catalog: Catalog,
  id: TableIdentifier,
  o: MaintainOptions,
): Promise<MaintainReport> {
  const report: MaintainReport = {};
  if (o.compact) report.compacted = await rewriteDataFiles(catalog, id);
  if (o.rewriteManifests) report.manifests = await rewriteManifests(catalog, id);
  if (o.expire) {
    const r = await expireSnapshots(catalog, id, o.expire);
    report.expired = { snapshots: r.expired.map(String), deletedFiles: r.deletedFiles };
  }
  if (o.removeOrphans) report.orphans = await removeOrphanFiles(catalog, id, o.removeOrphans);
  return report;
}

/**
 * A catalog over one table folder that uses `metadata/vN.metadata.json` (Hadoop layout, as icefloe's file
 * catalog writes): the folder's parent is the warehouse, its name the table, with an empty namespace.
 */
export function tableFolderCatalog(location: string, io: FileIO): { catalog: Catalog; id: TableIdentifier } {
  const clean = location.replace(/\/+$/, '').replace(/\/metadata(\/[^/]*)?$/, '');
  const at = clean.lastIndexOf('/');
  return { catalog: new FileCatalog(clean.slice(0, at), io), id: { namespace: [], name: clean.slice(at + 1) } };
}
