/**
 * Metadata of a new table (format/spec.md "Table Metadata") and the bookkeeping every new metadata
 * file gets: the metadata log entry for the file it replaces, trimmed to
 * `write.metadata.previous-versions-max` (default 100, as Iceberg Java).
 */
import { randomUUID } from 'node:crypto';
import type { FileIO } from '../io/file-io';
import { lastPartitionId, type PartitionSpec, UNPARTITIONED_SPEC } from '../spec/partition-spec';
import { highestFieldId } from '../spec/schema';
import { type SortOrder, UNSORTED_ORDER } from '../spec/sort-order';
import type { TableMetadata } from '../spec/table-metadata';
import type { CreateTableRequest } from './catalog';

/** Builds version-1 metadata of a new, empty table at `location`. */
export function newTableMetadata(req: CreateTableRequest, location: string, nowMs = Date.now()): TableMetadata {
  const spec: PartitionSpec = req.partitionSpec ?? { ...UNPARTITIONED_SPEC, fields: [] };
  const order: SortOrder = req.sortOrder ?? { ...UNSORTED_ORDER, fields: [] };
  const version = req.formatVersion ?? 2;
  return {
    'format-version': version,
    'table-uuid': randomUUID(),
    location: location.replace(/\/+$/, ''),
    'last-sequence-number': 0n,
    'last-updated-ms': BigInt(nowMs),
    'last-column-id': highestFieldId(req.schema),
    schemas: [req.schema],
    'current-schema-id': req.schema['schema-id'],
    'partition-specs': [spec],
    'default-spec-id': spec['spec-id'],
    'last-partition-id': lastPartitionId([spec]),
    properties: { ...(req.properties ?? {}) },
    'current-snapshot-id': null,
    snapshots: [],
    'snapshot-log': [],
    'metadata-log': [],
    'sort-orders': [order],
    'default-sort-order-id': order['order-id'],
    refs: {},
    statistics: [],
    'partition-statistics': [],
    ...(version >= 3 ? { 'next-row-id': 0n } : {}),
  };
}

/** Adds `previousLocation` (the file being replaced) to the metadata log, keeping the newest entries. */
export function withMetadataLog(
  m: TableMetadata,
  base: TableMetadata,
  previousLocation: string | undefined,
): TableMetadata {
  if (!previousLocation) return m;
  const max = Number(m.properties['write.metadata.previous-versions-max'] ?? 100);
  const log = [...base['metadata-log'], { 'metadata-file': previousLocation, 'timestamp-ms': base['last-updated-ms'] }];
  return { ...m, 'metadata-log': log.slice(Math.max(0, log.length - max)) };
}

/** `<table>/metadata/00001-<uuid>.metadata.json`: the name Iceberg Java's catalogs write. */
export function uuidMetadataPath(tableLocation: string, version: number): string {
  return `${tableLocation.replace(/\/+$/, '')}/metadata/${String(version).padStart(5, '0')}-${randomUUID()}.metadata.json`;
}

/** The version number in a metadata file name (`v3.metadata.json`, `00003-….metadata.json`), or -1. */
export function metadataVersionOf(location: string): number {
  const base = location.slice(location.lastIndexOf('/') + 1);
  const m = /^v?(\d+)[.-]/.exec(base);
  return m ? Number(m[1]) : -1;
}

/**
 * With `write.metadata.delete-after-commit.enabled=true`, deletes the metadata files that fell out of the
 * metadata log (kept to `write.metadata.previous-versions-max`) after a successful commit. Best-effort.
 */
export async function deleteExpiredMetadata(
  io: FileIO,
  base: TableMetadata,
  next: TableMetadata,
  previous: string,
): Promise<void> {
  if (next.properties['write.metadata.delete-after-commit.enabled'] !== 'true') return;
  const kept = new Set(next['metadata-log'].map((e) => e['metadata-file']));
  const candidates = [...base['metadata-log'].map((e) => e['metadata-file']), previous];
  await Promise.all(candidates.filter((p) => !kept.has(p)).map((p) => io.delete(p).catch(() => undefined)));
}
