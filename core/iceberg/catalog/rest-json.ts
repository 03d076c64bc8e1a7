/**
 * JSON forms of the REST catalog payloads (rest-catalog-open-api.yaml): table updates and requirements,
 * LoadTableResult, CreateTableRequest. 64-bit ids are written as JSON numbers (lossless, via
 * spec/json.ts) and read back as bigint whatever their size.
 */
import { type JsonValue, parseJson, stringifyJson } from '../spec/json';
import { FieldReader } from '../spec/json-fields';
import { parseTableMetadata } from '../spec/metadata-parse';
import { metadataToJson, snapshotToJson } from '../spec/metadata-serialize';
import type { PartitionSpec } from '../spec/partition-spec';
import type { Snapshot } from '../spec/snapshot';
import type { SortOrder } from '../spec/sort-order';
import type { TableMetadata } from '../spec/table-metadata';
import { parseSchema, schemaToJson } from '../spec/type-json';
import type { TableRequirement, TableUpdate } from './updates';

type Obj = Record<string, unknown>;

const big = (v: unknown): bigint => BigInt(v as number | bigint | string);
const optBig = (v: unknown): bigint | undefined => (v === undefined || v === null ? undefined : big(v));

/** A table update as REST JSON (a plain object; bigint values stay bigint for stringifyJson). */
export function updateToJson(u: TableUpdate): JsonValue {
  if (u.action === 'add-schema') return { ...u, schema: schemaToJson(u.schema) } as JsonValue;
  if (u.action === 'add-snapshot') return { action: u.action, snapshot: snapshotToJson(u.snapshot) };
  return u as unknown as JsonValue;
}

/** Parses one REST table update, coercing 64-bit ids to bigint. */
export function updateFromJson(v: unknown): TableUpdate {
  const o = v as Obj;
  switch (o.action) {
    case 'add-schema':
      return {
        action: 'add-schema',
        schema: parseSchema(new FieldReader('table update add-schema'), o.schema as JsonValue),
      };
    case 'add-snapshot':
      return { action: 'add-snapshot', snapshot: snapshotFromJson(o.snapshot as Obj) };
    case 'set-snapshot-ref':
      return {
        ...(o as object),
        'snapshot-id': big(o['snapshot-id']),
        ...(o['max-ref-age-ms'] !== undefined ? { 'max-ref-age-ms': big(o['max-ref-age-ms']) } : {}),
        ...(o['max-snapshot-age-ms'] !== undefined ? { 'max-snapshot-age-ms': big(o['max-snapshot-age-ms']) } : {}),
      } as TableUpdate;
    case 'remove-snapshots':
      return { action: 'remove-snapshots', 'snapshot-ids': (o['snapshot-ids'] as unknown[]).map(big) };
    case 'remove-statistics':
    case 'remove-partition-statistics':
      return { ...(o as object), 'snapshot-id': big(o['snapshot-id']) } as TableUpdate;
    case 'add-spec':
      return { action: 'add-spec', spec: { 'spec-id': 0, ...(o.spec as object) } as PartitionSpec };
    case 'add-sort-order':
      return { action: 'add-sort-order', 'sort-order': o['sort-order'] as SortOrder };
    default:
      return o as unknown as TableUpdate;
  }
}

/** Parses a snapshot object of a REST payload. */
export function snapshotFromJson(o: Obj): Snapshot {
  const s: Snapshot = {
    'snapshot-id': big(o['snapshot-id']),
    'timestamp-ms': big(o['timestamp-ms']),
    summary: (o.summary ?? { operation: 'append' }) as Snapshot['summary'],
  };
  const pid = optBig(o['parent-snapshot-id']);
  if (pid !== undefined) s['parent-snapshot-id'] = pid;
  const seq = optBig(o['sequence-number']);
  if (seq !== undefined) s['sequence-number'] = seq;
  if (typeof o['manifest-list'] === 'string') s['manifest-list'] = o['manifest-list'];
  if (o['schema-id'] !== undefined && o['schema-id'] !== null) s['schema-id'] = Number(o['schema-id']);
  const first = optBig(o['first-row-id']);
  if (first !== undefined) s['first-row-id'] = first;
  const added = optBig(o['added-rows']);
  if (added !== undefined) s['added-rows'] = added;
  return s;
}

/** Parses one REST table requirement. */
export function requirementFromJson(v: unknown): TableRequirement {
  const o = v as Obj;
  if (o.type === 'assert-ref-snapshot-id')
    return { type: 'assert-ref-snapshot-id', ref: String(o.ref), 'snapshot-id': optBig(o['snapshot-id']) ?? null };
  return o as unknown as TableRequirement;
}

/** `LoadTableResult` JSON. */
export function loadResultToJson(
  metadataLocation: string,
  m: TableMetadata,
  config: Record<string, string> = {},
): JsonValue {
  return { 'metadata-location': metadataLocation, metadata: metadataToJson(m), config };
}

/** Parses a `LoadTableResult`/`CommitTableResponse` body. */
export function loadResultFromText(text: string): {
  metadataLocation: string;
  metadata: TableMetadata;
  config: Record<string, string>;
} {
  const o = parseJson(text) as Obj;
  const metadata = parseTableMetadata(stringifyJson(o.metadata), { source: String(o['metadata-location']) });
  return {
    metadataLocation: String(o['metadata-location']),
    metadata,
    config: (o.config ?? {}) as Record<string, string>,
  };
}

/** Namespace levels in a URL path segment (unit separator 0x1F, spec `namespace-separator`). */
export function encodeNamespace(ns: string[]): string {
  return encodeURIComponent(ns.join('\u001f'));
}

export function decodeNamespace(segment: string): string[] {
  return decodeURIComponent(segment).split('\u001f');
}

export { parseJson, stringifyJson };
