/**
 * The commit protocol (STYLE.md §5): data files and their manifests are prepared ONCE; each attempt
 * reloads the table, re-validates against what was committed since, writes only a new manifest list
 * (plus rewritten manifests for removals), and commits with REST requirements. Conflicts retry with
 * backoff per `commit.retry.*`; giving up deletes every file this commit wrote.
 */
import { randomUUID } from 'node:crypto';
import { InvalidInputError } from '../../errors';
import type { Catalog, LoadedTable } from '../catalog/catalog';
import { CommitConflictError, CommitRetriesExhaustedError, CommitStateUnknownError } from '../catalog/errors';
import type { TableIdentifier, TableRequirement, TableUpdate } from '../catalog/updates';
import type { DataFile, ManifestFile } from '../spec/manifest';
import { MAIN_BRANCH, type Snapshot } from '../spec/snapshot';
import { CommitValidationError } from './errors';
import { writeManifestList } from './manifest-io';
import { planRemovals, type RemovalPlan } from './removals';
import { backoffMs, retryPolicyOf, sleep } from './retry';
import { buildSummary } from './summary';

export type Operation = 'append' | 'overwrite' | 'delete' | 'replace';

/** What a removal selects, decided against the fresh base on every attempt. */
export type Removal =
  | { kind: 'none' }
  /** Every live data and delete file (full replace). */
  | { kind: 'all' }
  /** These exact files; a file no longer live means a concurrent change to the same data. */
  | { kind: 'files'; paths: Set<string> }
  /** Every existing manifest is superseded by the prepared ones (rewrite manifests); needs an unchanged base. */
  | { kind: 'manifests' };

export interface PreparedCommit {
  identifier: TableIdentifier;
  operation: Operation;
  snapshotId: bigint;
  /** Manifests of added files, written once (sequence numbers inherited). */
  manifests: ManifestFile[];
  added: DataFile[];
  removal: Removal;
  /** Extra snapshot summary entries (e.g. `icefloe.job.<id>.cursor`). */
  summary?: Record<string, string>;
  /** Extra updates committed atomically with the snapshot (e.g. set-properties). */
  extraUpdates?: TableUpdate[];
  /** The snapshot the data was prepared against (for conflict validation). */
  startSnapshotId: bigint | null;
  /** Checked against the metadata of every attempt, after each refresh (e.g. the job state is unmoved). */
  validate?: (metadata: LoadedTable['metadata']) => void;
}

export interface CommitOutcome {
  table: LoadedTable;
  snapshot: Snapshot;
  attempts: number;
}

/** Runs the commit loop; on final failure deletes the prepared files (not when the outcome is unknown). */
export async function commitPrepared(catalog: Catalog, p: PreparedCommit): Promise<CommitOutcome> {
  let base = await catalog.loadTable(p.identifier);
  const policy = retryPolicyOf(base.metadata.properties);
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    const scratch: string[] = [];
    let staged: Snapshot | undefined;
    try {
      const { updates, requirements, snapshot } = await stageAttempt(catalog, base, p, attempt, scratch);
      staged = snapshot;
      const table = await catalog.commitTable({ identifier: p.identifier, requirements, updates });
      return { table, snapshot, attempts: attempt + 1 };
    } catch (err) {
      if (err instanceof CommitStateUnknownError) throw err;
      // The catalog call failed, yet its write may have landed (a lost reply, a failed read-back after a
      // 412): look before deleting anything the new metadata could reference (known failure 7).
      const landed = staged && (await landedAnyway(catalog, p, err));
      if (landed && staged) return { table: landed, snapshot: staged, attempts: attempt + 1 };
      await deleteAll(catalog, scratch);
      const retry =
        err instanceof CommitConflictError &&
        attempt < policy.numRetries &&
        Date.now() - started < policy.totalTimeoutMs;
      if (!retry) {
        await deleteAll(catalog, [...p.manifests.map((m) => m.manifestPath), ...p.added.map((f) => f.filePath)]);
        if (err instanceof CommitConflictError)
          throw new CommitRetriesExhaustedError(
            `commit to ${p.identifier.name} failed after ${attempt + 1} attempts: ${err.message}`,
            { cause: err },
          );
        throw err;
      }
      await sleep(backoffMs(attempt, policy));
      base = await catalog.loadTable(p.identifier);
    }
  }
}

/**
 * After a failed commit call: the table when our snapshot is in it after all, undefined when it is not.
 * CommitStateUnknownError (no cleanup) when the table cannot be read to tell.
 */
async function landedAnyway(catalog: Catalog, p: PreparedCommit, cause: unknown): Promise<LoadedTable | undefined> {
  let t: LoadedTable;
  try {
    t = await catalog.loadTable(p.identifier);
  } catch (err) {
    throw new CommitStateUnknownError(
      `commit to ${p.identifier.name} may or may not have been applied (${(cause as Error).message}); ` +
        `reloading the table to tell failed: ${(err as Error).message}`,
      { cause },
    );
  }
  return t.metadata.snapshots.some((s) => s['snapshot-id'] === p.snapshotId) ? t : undefined;
}

async function deleteAll(catalog: Catalog, paths: string[]): Promise<void> {
  await Promise.all(paths.map((path) => catalog.io.delete(path).catch(() => undefined)));
}

async function stageAttempt(
  catalog: Catalog,
  base: LoadedTable,
  p: PreparedCommit,
  attempt: number,
  scratch: string[],
): Promise<{ updates: TableUpdate[]; requirements: TableRequirement[]; snapshot: Snapshot }> {
  const m = base.metadata;
  // v3 needs row lineage (first-row-id, v3 manifest lists) that this writer does not produce yet.
  if (m['format-version'] >= 3)
    throw new InvalidInputError(`table ${p.identifier.name}: writing to format-version 3 tables is not supported yet`);
  const parentId = m['current-snapshot-id'];
  p.validate?.(m);
  const plan: RemovalPlan = await planRemovals(catalog.io, m, p, scratch);
  validateNoConflicts(m, p, plan);
  const v2 = m['format-version'] >= 2;
  const seq = v2 ? m['last-sequence-number'] + 1n : 0n;
  const listPath = `${m.location}/metadata/snap-${p.snapshotId}-${attempt}-${randomUUID()}.avro`;
  const manifests = [...p.manifests, ...plan.manifests];
  scratch.push(listPath);
  await writeManifestList(catalog.io, listPath, manifests, {
    snapshotId: p.snapshotId,
    ...(parentId !== null ? { parentSnapshotId: parentId } : {}),
    sequenceNumber: seq,
    formatVersion: m['format-version'],
  });
  const parent = m.snapshots.find((s) => s['snapshot-id'] === parentId);
  const snapshot: Snapshot = {
    'snapshot-id': p.snapshotId,
    ...(parentId !== null ? { 'parent-snapshot-id': parentId } : {}),
    ...(v2 ? { 'sequence-number': seq } : {}),
    'timestamp-ms': BigInt(Math.max(Date.now(), Number(m['last-updated-ms']) + 1)),
    'manifest-list': listPath,
    summary: buildSummary(p.operation, p.added, plan.removed, parent?.summary, p.summary),
    'schema-id': m['current-schema-id'],
  };
  const updates: TableUpdate[] = [
    ...(p.extraUpdates ?? []),
    { action: 'add-snapshot', snapshot },
    { action: 'set-snapshot-ref', 'ref-name': MAIN_BRANCH, type: 'branch', 'snapshot-id': p.snapshotId },
  ];
  const requirements: TableRequirement[] = [
    ...(m['table-uuid'] ? [{ type: 'assert-table-uuid' as const, uuid: m['table-uuid'] }] : []),
    { type: 'assert-ref-snapshot-id', ref: MAIN_BRANCH, 'snapshot-id': parentId },
  ];
  return { updates, requirements, snapshot };
}

/**
 * An append never conflicts. A removal of exact files conflicts when one of them is no longer live
 * (another writer rewrote or deleted the same data): that is not retryable, the caller must re-plan.
 */
function validateNoConflicts(m: LoadedTable['metadata'], p: PreparedCommit, plan: RemovalPlan): void {
  if (p.removal.kind === 'manifests' && m['current-snapshot-id'] !== p.startSnapshotId)
    throw new CommitValidationError('the table changed while its manifests were rewritten; run the rewrite again');
  if (p.removal.kind !== 'files') return;
  const missing = [...p.removal.paths].filter((path) => !plan.removedPaths.has(path));
  if (missing.length > 0)
    throw new CommitValidationError(
      `concurrent change to the same data: ${missing.length} file(s) to replace are no longer in the table, e.g. ${missing[0]}`,
    );
}

/** A new random positive 63-bit snapshot id (Iceberg Java uses a random UUID's bits likewise). */
export function newSnapshotId(): bigint {
  const b = Buffer.from(randomUUID().replace(/-/g, ''), 'hex');
  return b.readBigUInt64BE(0) & 0x7fff_ffff_ffff_ffffn;
}
