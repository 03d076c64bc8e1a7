/**
 * Snapshot selection for reads: current, by id, by ref (branch or tag), and as of a time
 * (format/spec.md "Snapshots": time travel uses the snapshot log, i.e. the history of main).
 */
import { SnapshotNotFoundError } from '../errors';
import type { Snapshot } from './snapshot';
import type { TableMetadata } from './table-metadata';

/** How a reader picks a snapshot; at most one of these is set. */
export interface SnapshotSelector {
  snapshotId?: bigint;
  /** Milliseconds since the epoch, or a Date. */
  asOf?: bigint | number | Date;
  ref?: string;
}

/** The current snapshot, or undefined for a table without data. */
export function currentSnapshot(m: TableMetadata): Snapshot | undefined {
  const id = m['current-snapshot-id'];
  return id === null ? undefined : m.snapshots.find((s) => s['snapshot-id'] === id);
}

/** The snapshot with this id; NotFoundError naming the id when the table has none. */
export function snapshotById(m: TableMetadata, id: bigint): Snapshot {
  const s = m.snapshots.find((x) => x['snapshot-id'] === id);
  if (!s) throw new SnapshotNotFoundError(`snapshot ${id} not found in table ${m.location}`);
  return s;
}

/** The snapshot a branch or tag points to. */
export function snapshotByRef(m: TableMetadata, ref: string): Snapshot {
  const r = m.refs[ref];
  if (!r) throw new SnapshotNotFoundError(`ref '${ref}' not found in table ${m.location}`);
  return snapshotById(m, r['snapshot-id']);
}

/** Snapshots from `s` back through its parents (ancestry), newest first; stops at expired parents. */
export function ancestors(m: TableMetadata, s: Snapshot): Snapshot[] {
  const byId = new Map(m.snapshots.map((x) => [x['snapshot-id'], x]));
  const out: Snapshot[] = [];
  let cur: Snapshot | undefined = s;
  while (cur && out.length <= m.snapshots.length) {
    out.push(cur);
    const parent: bigint | undefined = cur['parent-snapshot-id'];
    cur = parent === undefined ? undefined : byId.get(parent);
  }
  return out;
}

/**
 * The snapshot that was current at `asOf`: the last snapshot-log entry at or before it; without a
 * log, the newest ancestor of main committed at or before it. NotFoundError when none was.
 */
export function snapshotAsOf(m: TableMetadata, asOf: bigint | number | Date): Snapshot {
  const t = asOf instanceof Date ? BigInt(asOf.getTime()) : BigInt(asOf);
  let found: bigint | undefined;
  for (const e of m['snapshot-log']) if (e['timestamp-ms'] <= t) found = e['snapshot-id'];
  if (found === undefined && m['snapshot-log'].length === 0) {
    const head = currentSnapshot(m);
    found = head && ancestors(m, head).find((s) => s['timestamp-ms'] <= t)?.['snapshot-id'];
  }
  if (found === undefined) {
    throw new SnapshotNotFoundError(`no snapshot of table ${m.location} as of ${new Date(Number(t)).toISOString()}`);
  }
  return snapshotById(m, found);
}

/** Applies a selector: id, ref, as-of, else current (undefined when the table is empty). */
export function selectSnapshot(m: TableMetadata, sel: SnapshotSelector = {}): Snapshot | undefined {
  if (sel.snapshotId !== undefined) return snapshotById(m, sel.snapshotId);
  if (sel.ref !== undefined) return snapshotByRef(m, sel.ref);
  if (sel.asOf !== undefined) return snapshotAsOf(m, sel.asOf);
  return currentSnapshot(m);
}

/** The schema a snapshot was written with (its `schema-id`), else the current schema. */
export function schemaForSnapshot(m: TableMetadata, s: Snapshot | undefined): TableMetadata['schemas'][number] {
  const id = s?.['schema-id'] ?? m['current-schema-id'];
  const schema =
    m.schemas.find((x) => x['schema-id'] === id) ?? m.schemas.find((x) => x['schema-id'] === m['current-schema-id']);
  if (!schema) throw new SnapshotNotFoundError(`schema ${id} not found in table ${m.location}`);
  return schema;
}

/** The current schema. */
export function currentSchema(m: TableMetadata): TableMetadata['schemas'][number] {
  return schemaForSnapshot(m, undefined);
}

/** The partition spec with this id. */
export function specById(m: TableMetadata, id: number): TableMetadata['partition-specs'][number] {
  const spec = m['partition-specs'].find((s) => s['spec-id'] === id);
  if (!spec) throw new SnapshotNotFoundError(`partition spec ${id} not found in table ${m.location}`);
  return spec;
}

/** The sort order with this id (the default one when no id is given). */
export function sortOrderById(m: TableMetadata, id = m['default-sort-order-id']): TableMetadata['sort-orders'][number] {
  const order = m['sort-orders'].find((s) => s['order-id'] === id);
  if (!order) throw new SnapshotNotFoundError(`sort order ${id} not found in table ${m.location}`);
  return order;
}

/** The schema with this id. */
export function schemaById(m: TableMetadata, id: number): TableMetadata['schemas'][number] {
  const schema = m.schemas.find((s) => s['schema-id'] === id);
  if (!schema) throw new SnapshotNotFoundError(`schema ${id} not found in table ${m.location}`);
  return schema;
}
