/**
 * serializeTableMetadata: TableMetadata → metadata JSON text, in Iceberg Java's key order, with
 * bigint written as JSON numbers. v1 metadata also gets the deprecated `schema` and
 * `partition-spec` that v1 readers require (format/spec.md "Table Metadata Fields").
 */
import { type JsonValue, stringifyJson } from './json';
import type { JsonObject } from './json-fields';
import type { PartitionField } from './partition-spec';
import type { Snapshot } from './snapshot';
import type { TableMetadata } from './table-metadata';
import { schemaToJson } from './type-json';

/**
 * The metadata file text; `parseTableMetadata(serializeTableMetadata(m))` equals `m`.
 * @example await io.write(path, new TextEncoder().encode(serializeTableMetadata(meta)));
 */
export function serializeTableMetadata(m: TableMetadata, indent = 2): string {
  return stringifyJson(metadataToJson(m), indent);
}

/** The JSON object of the metadata (bigint values stay bigint). */
export function metadataToJson(m: TableMetadata): JsonObject {
  const v1 = m['format-version'] === 1;
  const current = m.schemas.find((s) => s['schema-id'] === m['current-schema-id']);
  const defaultSpec = m['partition-specs'].find((s) => s['spec-id'] === m['default-spec-id']);
  const o: JsonObject = { 'format-version': m['format-version'] };
  if (m['table-uuid'] !== undefined) o['table-uuid'] = m['table-uuid'];
  o.location = m.location;
  if (!v1 || m['last-sequence-number'] > 0n) o['last-sequence-number'] = m['last-sequence-number'];
  o['last-updated-ms'] = m['last-updated-ms'];
  o['last-column-id'] = m['last-column-id'];
  if (v1 && current) o.schema = schemaToJson(current);
  o['current-schema-id'] = m['current-schema-id'];
  o.schemas = m.schemas.map(schemaToJson);
  if (v1 && defaultSpec) o['partition-spec'] = defaultSpec.fields.map(partitionFieldToJson);
  o['default-spec-id'] = m['default-spec-id'];
  o['partition-specs'] = m['partition-specs'].map((s) => ({
    'spec-id': s['spec-id'],
    fields: s.fields.map(partitionFieldToJson),
  }));
  o['last-partition-id'] = m['last-partition-id'];
  o['default-sort-order-id'] = m['default-sort-order-id'];
  o['sort-orders'] = m['sort-orders'] as unknown as JsonValue;
  o.properties = m.properties;
  // -1 means "no current snapshot" to every reader version (Java writes it the same way).
  o['current-snapshot-id'] = m['current-snapshot-id'] ?? -1;
  o.refs = m.refs as unknown as JsonValue;
  o.snapshots = m.snapshots.map(snapshotToJson);
  o.statistics = m.statistics as unknown as JsonValue;
  o['partition-statistics'] = m['partition-statistics'] as unknown as JsonValue;
  o['snapshot-log'] = m['snapshot-log'] as unknown as JsonValue;
  o['metadata-log'] = m['metadata-log'] as unknown as JsonValue;
  if (m['next-row-id'] !== undefined) o['next-row-id'] = m['next-row-id'];
  if (m['encryption-keys'] !== undefined) o['encryption-keys'] = m['encryption-keys'] as unknown as JsonValue;
  return o;
}

function partitionFieldToJson(f: PartitionField): JsonValue {
  const o: JsonObject = { name: f.name, transform: f.transform, 'source-id': f['source-id'] };
  if (f['source-ids'] !== undefined) o['source-ids'] = f['source-ids'];
  o['field-id'] = f['field-id'];
  return o;
}

/** Snapshot JSON in Java's key order. */
export function snapshotToJson(s: Snapshot): JsonValue {
  const o: JsonObject = {};
  const order: (keyof Snapshot)[] = [
    'sequence-number',
    'snapshot-id',
    'parent-snapshot-id',
    'timestamp-ms',
    'summary',
    'manifest-list',
    'manifests',
    'schema-id',
    'first-row-id',
    'added-rows',
    'key-id',
  ];
  for (const k of order) if (s[k] !== undefined) o[k] = s[k] as JsonValue;
  return o;
}
