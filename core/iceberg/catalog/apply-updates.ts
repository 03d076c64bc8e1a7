/**
 * Applies REST `TableUpdate`s to table metadata and checks `TableRequirement`s, with the semantics of
 * Iceberg Java's `TableMetadata.Builder` and the REST spec: `-1` in set-current-schema / set-default-spec
 * / set-default-sort-order means "the one added last in this commit"; setting the `main` branch moves
 * `current-snapshot-id` and appends to `snapshot-log`. Pure: no IO.
 */
import { InvalidInputError } from '../../errors';
import { lastPartitionId } from '../spec/partition-spec';
import { highestFieldId } from '../spec/schema';
import { MAIN_BRANCH, type Snapshot } from '../spec/snapshot';
import type { TableMetadata } from '../spec/table-metadata';
import { CommitConflictError } from './errors';
import type { TableRequirement, TableUpdate } from './updates';

interface Lasts {
  schema?: number;
  spec?: number;
  order?: number;
}

/** Returns new metadata with `updates` applied in order (the input is not modified). */
export function applyUpdates(base: TableMetadata, updates: TableUpdate[], nowMs = Date.now()): TableMetadata {
  let m: TableMetadata = { ...base, 'last-updated-ms': BigInt(nowMs) };
  const lasts: Lasts = {};
  for (const u of updates) m = applyOne(m, u, lasts);
  return m;
}

function applyOne(m: TableMetadata, u: TableUpdate, lasts: Lasts): TableMetadata {
  switch (u.action) {
    case 'assign-uuid':
      return { ...m, 'table-uuid': u.uuid };
    case 'upgrade-format-version':
      if (u['format-version'] < m['format-version'])
        throw new InvalidInputError(`cannot downgrade format version from ${m['format-version']}`);
      return { ...m, 'format-version': u['format-version'] };
    case 'add-schema': {
      lasts.schema = u.schema['schema-id'];
      if (m.schemas.some((s) => s['schema-id'] === u.schema['schema-id'])) return m;
      const last = Math.max(m['last-column-id'], u['last-column-id'] ?? 0, highestFieldId(u.schema));
      return { ...m, schemas: [...m.schemas, u.schema], 'last-column-id': last };
    }
    case 'set-current-schema':
      return { ...m, 'current-schema-id': u['schema-id'] === -1 ? required(lasts.schema, 'schema') : u['schema-id'] };
    case 'add-spec': {
      lasts.spec = u.spec['spec-id'];
      if (m['partition-specs'].some((s) => s['spec-id'] === u.spec['spec-id'])) return m;
      const specs = [...m['partition-specs'], u.spec];
      return {
        ...m,
        'partition-specs': specs,
        'last-partition-id': Math.max(m['last-partition-id'], lastPartitionId(specs)),
      };
    }
    case 'set-default-spec':
      return { ...m, 'default-spec-id': u['spec-id'] === -1 ? required(lasts.spec, 'spec') : u['spec-id'] };
    case 'add-sort-order':
      lasts.order = u['sort-order']['order-id'];
      if (m['sort-orders'].some((s) => s['order-id'] === u['sort-order']['order-id'])) return m;
      return { ...m, 'sort-orders': [...m['sort-orders'], u['sort-order']] };
    case 'set-default-sort-order':
      return {
        ...m,
        'default-sort-order-id': u['sort-order-id'] === -1 ? required(lasts.order, 'sort order') : u['sort-order-id'],
      };
    case 'add-snapshot':
      return addSnapshot(m, u.snapshot);
    case 'set-snapshot-ref':
      return setRef(m, u);
    case 'remove-snapshots':
      return removeSnapshots(m, new Set(u['snapshot-ids']));
    case 'remove-snapshot-ref': {
      const refs = { ...m.refs };
      delete refs[u['ref-name']];
      const current = u['ref-name'] === MAIN_BRANCH ? null : m['current-snapshot-id'];
      return { ...m, refs, 'current-snapshot-id': current };
    }
    case 'set-location':
      return { ...m, location: u.location };
    case 'set-properties':
      return { ...m, properties: { ...m.properties, ...u.updates } };
    case 'remove-properties': {
      const properties = { ...m.properties };
      for (const k of u.removals) delete properties[k];
      return { ...m, properties };
    }
    case 'set-statistics': {
      const id = u.statistics['snapshot-id'];
      return { ...m, statistics: [...m.statistics.filter((s) => s['snapshot-id'] !== id), u.statistics] };
    }
    case 'remove-statistics':
      return { ...m, statistics: m.statistics.filter((s) => s['snapshot-id'] !== u['snapshot-id']) };
    case 'set-partition-statistics': {
      const id = u['partition-statistics']['snapshot-id'];
      const rest = m['partition-statistics'].filter((s) => s['snapshot-id'] !== id);
      return { ...m, 'partition-statistics': [...rest, u['partition-statistics']] };
    }
    case 'remove-partition-statistics':
      return {
        ...m,
        'partition-statistics': m['partition-statistics'].filter((s) => s['snapshot-id'] !== u['snapshot-id']),
      };
    case 'remove-partition-specs':
      return { ...m, 'partition-specs': m['partition-specs'].filter((s) => !u['spec-ids'].includes(s['spec-id'])) };
    case 'remove-schemas':
      return { ...m, schemas: m.schemas.filter((s) => !u['schema-ids'].includes(s['schema-id'])) };
    default:
      throw new InvalidInputError(`unknown table update action ${(u as { action: string }).action}`);
  }
}

function required(v: number | undefined, what: string): number {
  if (v === undefined) throw new InvalidInputError(`no ${what} was added in this commit to select with -1`);
  return v;
}

function addSnapshot(m: TableMetadata, s: Snapshot): TableMetadata {
  if (m.snapshots.some((x) => x['snapshot-id'] === s['snapshot-id']))
    throw new InvalidInputError(`snapshot ${s['snapshot-id']} already exists`);
  const seq = s['sequence-number'] ?? 0n;
  // Spec: sequence numbers increase; a stale one means another writer committed in between.
  if (m['format-version'] > 1 && seq <= m['last-sequence-number'])
    throw new CommitConflictError(
      `sequence number ${seq} is not above last-sequence-number ${m['last-sequence-number']}`,
    );
  const last = seq > m['last-sequence-number'] ? seq : m['last-sequence-number'];
  const rows =
    m['next-row-id'] !== undefined && s['added-rows'] !== undefined
      ? m['next-row-id'] + s['added-rows']
      : m['next-row-id'];
  return {
    ...m,
    snapshots: [...m.snapshots, s],
    'last-sequence-number': last,
    'last-updated-ms': s['timestamp-ms'],
    'next-row-id': rows,
  };
}

function setRef(m: TableMetadata, u: Extract<TableUpdate, { action: 'set-snapshot-ref' }>): TableMetadata {
  const snap = m.snapshots.find((s) => s['snapshot-id'] === u['snapshot-id']);
  if (!snap) throw new InvalidInputError(`cannot set ref ${u['ref-name']} to unknown snapshot ${u['snapshot-id']}`);
  const ref = {
    'snapshot-id': u['snapshot-id'],
    type: u.type,
    ...(u['max-ref-age-ms'] !== undefined ? { 'max-ref-age-ms': u['max-ref-age-ms'] } : {}),
    ...(u['max-snapshot-age-ms'] !== undefined ? { 'max-snapshot-age-ms': u['max-snapshot-age-ms'] } : {}),
    ...(u['min-snapshots-to-keep'] !== undefined ? { 'min-snapshots-to-keep': u['min-snapshots-to-keep'] } : {}),
  };
  const next = { ...m, refs: { ...m.refs, [u['ref-name']]: ref } };
  if (u['ref-name'] !== MAIN_BRANCH || m['current-snapshot-id'] === u['snapshot-id']) return next;
  const entry = { 'snapshot-id': u['snapshot-id'], 'timestamp-ms': snap['timestamp-ms'] };
  return { ...next, 'current-snapshot-id': u['snapshot-id'], 'snapshot-log': [...m['snapshot-log'], entry] };
}

function removeSnapshots(m: TableMetadata, ids: Set<bigint>): TableMetadata {
  const refs = Object.fromEntries(Object.entries(m.refs).filter(([, r]) => !ids.has(r['snapshot-id'])));
  const current =
    m['current-snapshot-id'] !== null && ids.has(m['current-snapshot-id']) ? null : m['current-snapshot-id'];
  return {
    ...m,
    snapshots: m.snapshots.filter((s) => !ids.has(s['snapshot-id'])),
    'snapshot-log': m['snapshot-log'].filter((e) => !ids.has(e['snapshot-id'])),
    statistics: m.statistics.filter((s) => !ids.has(s['snapshot-id'])),
    refs,
    'current-snapshot-id': current,
  };
}

/**
 * Checks every requirement against the current metadata (`undefined` when the table does not exist).
 * A failed requirement is a CommitConflictError: the caller reloads and retries (REST: 409).
 */
export function checkRequirements(current: TableMetadata | undefined, requirements: TableRequirement[]): void {
  for (const r of requirements) {
    if (r.type === 'assert-create') {
      if (current) throw new CommitConflictError('requirement failed: table already exists');
      continue;
    }
    if (!current) throw new CommitConflictError(`requirement failed: ${r.type} on a table that does not exist`);
    const fail = (what: string, want: unknown, got: unknown) =>
      new CommitConflictError(`requirement failed: ${what} changed: expected ${want}, found ${got}`);
    switch (r.type) {
      case 'assert-table-uuid':
        if (current['table-uuid'] !== r.uuid) throw fail('table uuid', r.uuid, current['table-uuid']);
        break;
      case 'assert-ref-snapshot-id': {
        const got =
          current.refs[r.ref]?.['snapshot-id'] ?? (r.ref === MAIN_BRANCH ? current['current-snapshot-id'] : null);
        if ((got ?? null) !== r['snapshot-id']) throw fail(`ref ${r.ref}`, r['snapshot-id'], got);
        break;
      }
      case 'assert-last-assigned-field-id':
        if (current['last-column-id'] !== r['last-assigned-field-id'])
          throw fail('last assigned field id', r['last-assigned-field-id'], current['last-column-id']);
        break;
      case 'assert-current-schema-id':
        if (current['current-schema-id'] !== r['current-schema-id'])
          throw fail('current schema id', r['current-schema-id'], current['current-schema-id']);
        break;
      case 'assert-last-assigned-partition-id':
        if (current['last-partition-id'] !== r['last-assigned-partition-id'])
          throw fail('last assigned partition id', r['last-assigned-partition-id'], current['last-partition-id']);
        break;
      case 'assert-default-spec-id':
        if (current['default-spec-id'] !== r['default-spec-id'])
          throw fail('default spec id', r['default-spec-id'], current['default-spec-id']);
        break;
      case 'assert-default-sort-order-id':
        if (current['default-sort-order-id'] !== r['default-sort-order-id'])
          throw fail('default sort order id', r['default-sort-order-id'], current['default-sort-order-id']);
        break;
      default:
        throw new InvalidInputError(`unknown table requirement ${(r as { type: string }).type}`);
    }
  }
}
