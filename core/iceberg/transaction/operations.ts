/**
 * Table operations on top of the commit protocol: append (fast append, manifest merging past the
 * threshold), overwrite/replace-all, replace exact files (copy-on-write), and row deltas (data plus
 * equality deletes, merge-on-read). Each writes its manifests once and hands a PreparedCommit to
 * {@link commitPrepared}.
 *
 * @example
 * const files = await writeDataFiles(conformTable(arrowTable, schema), { io, location, schema, spec, properties, prefix });
 * await appendFiles(catalog, { namespace: ['db'], name: 't' }, files);
 */
import { randomUUID } from 'node:crypto';
import type { Catalog, LoadedTable } from '../catalog/catalog';
import type { TableIdentifier, TableUpdate } from '../catalog/updates';
import {
  type DataFile,
  DataFileContent,
  type ManifestEntry,
  ManifestEntryStatus,
  type ManifestFile,
} from '../spec/manifest';
import { currentSchema, specById } from '../spec/snapshot-select';
import { writeManifest } from './manifest-io';
import { type CommitOutcome, commitPrepared, newSnapshotId, type Operation, type Removal } from './snapshot-producer';

export interface CommitOptions {
  /** Extra snapshot summary entries (job state). */
  summary?: Record<string, string>;
  extraUpdates?: TableUpdate[];
  /** The snapshot id the files were prepared for (defaults to a new random id). */
  snapshotId?: bigint;
  /** The snapshot the change was planned against (conflict validation of removals). */
  startSnapshotId?: bigint | null;
  /** Checked against the table metadata of every commit attempt (after each refresh); throw to give up. */
  validate?: (metadata: LoadedTable['metadata']) => void;
}

/** Writes the manifests of `files` (one per content kind) for snapshot `snapshotId`. */
export async function writeAddedManifests(
  catalog: Catalog,
  table: LoadedTable,
  files: DataFile[],
  snapshotId: bigint,
): Promise<ManifestFile[]> {
  const m = table.metadata;
  const spec = specById(m, m['default-spec-id']);
  const schema = currentSchema(m);
  const out: ManifestFile[] = [];
  const groups: [0 | 1, DataFile[]][] = [
    [0, files.filter((f) => f.content === DataFileContent.Data)],
    [1, files.filter((f) => f.content !== DataFileContent.Data)],
  ];
  for (const [content, group] of groups) {
    if (group.length === 0) continue;
    const entries: ManifestEntry[] = group.map((dataFile) => ({
      status: ManifestEntryStatus.Added,
      snapshotId,
      sequenceNumber: null,
      fileSequenceNumber: null,
      dataFile,
    }));
    const path = `${m.location}/metadata/${randomUUID()}-m${content}.avro`;
    out.push(
      await writeManifest(catalog.io, path, entries, {
        spec,
        schema,
        snapshotId,
        content,
        formatVersion: m['format-version'],
      }),
    );
  }
  return out;
}

async function run(
  catalog: Catalog,
  id: TableIdentifier,
  operation: Operation,
  files: DataFile[],
  removal: Removal,
  opts: CommitOptions,
): Promise<CommitOutcome> {
  const table = await catalog.loadTable(id);
  const snapshotId = opts.snapshotId ?? newSnapshotId();
  const manifests = await writeAddedManifests(catalog, table, files, snapshotId);
  return commitPrepared(catalog, {
    identifier: id,
    operation,
    snapshotId,
    manifests,
    added: files,
    removal,
    ...(opts.summary ? { summary: opts.summary } : {}),
    ...(opts.extraUpdates ? { extraUpdates: opts.extraUpdates } : {}),
    ...(opts.validate ? { validate: opts.validate } : {}),
    startSnapshotId: opts.startSnapshotId ?? table.metadata['current-snapshot-id'],
  });
}

/** Appends data files (never conflicts with other appends). */
export function appendFiles(
  catalog: Catalog,
  id: TableIdentifier,
  files: DataFile[],
  opts: CommitOptions = {},
): Promise<CommitOutcome> {
  return run(catalog, id, 'append', files, { kind: 'none' }, opts);
}

/** Replaces the whole table content with `files` (operation `overwrite`). */
export function replaceAll(
  catalog: Catalog,
  id: TableIdentifier,
  files: DataFile[],
  opts: CommitOptions = {},
): Promise<CommitOutcome> {
  return run(catalog, id, 'overwrite', files, { kind: 'all' }, opts);
}

/**
 * Removes the files at `remove` and adds `files` in one snapshot (copy-on-write merge, compaction with
 * operation `replace`, delete). Fails with CommitValidationError when a removed file was changed concurrently.
 */
export function replaceFiles(
  catalog: Catalog,
  id: TableIdentifier,
  remove: Iterable<string>,
  files: DataFile[],
  opts: CommitOptions & { operation?: Operation } = {},
): Promise<CommitOutcome> {
  const operation = opts.operation ?? (files.length === 0 ? 'delete' : 'overwrite');
  return run(catalog, id, operation, files, { kind: 'files', paths: new Set(remove) }, opts);
}

/**
 * Adds data files together with equality delete files (merge-on-read upsert). Retrying after a
 * concurrent commit stays correct: the deletes get a higher sequence number than anything committed
 * before, so they apply to all older rows with the same keys (spec "Scan Planning").
 */
export function rowDelta(
  catalog: Catalog,
  id: TableIdentifier,
  files: DataFile[],
  opts: CommitOptions = {},
): Promise<CommitOutcome> {
  return run(catalog, id, 'overwrite', files, { kind: 'none' }, opts);
}
