/**
 * parseTableMetadata: metadata JSON (text or bytes, gzip detected by magic bytes) → TableMetadata,
 * losslessly (64-bit values as bigint), for format v1, v2 and v3 including the deprecated v1 forms
 * (format/spec.md "Table Metadata Fields": `schema`, `partition-spec`, `snapshot.manifests`).
 */
import { gunzipSync } from 'node:zlib';
import { IcefloeError } from '../../errors';
import { JsonSyntaxError, type JsonValue, parseJson } from './json';
import { FieldReader, type JsonObject } from './json-fields';
import type { PartitionField, PartitionSpec } from './partition-spec';
import { lastPartitionId, PARTITION_DATA_ID_START } from './partition-spec';
import type { Schema } from './schema';
import type { MetadataLogEntry, Snapshot, SnapshotLogEntry, SnapshotRef } from './snapshot';
import type { SortField, SortOrder } from './sort-order';
import type { FormatVersion, PartitionStatisticsFile, StatisticsFile, TableMetadata } from './table-metadata';
import { parseSchema } from './type-json';

export interface ParseMetadataOptions {
  /** The file the text came from, named in error messages. */
  source?: string;
}

/** Text of a metadata file; gzip (`.gz.metadata.json`) is recognized by its magic bytes 1f 8b. */
export function metadataText(input: string | Uint8Array, source = 'metadata'): string {
  if (typeof input === 'string') return input;
  if (input[0] === 0x1f && input[1] === 0x8b) {
    try {
      return gunzipSync(input).toString('utf8');
    } catch (e) {
      throw new FieldReader(`table metadata ${source}`).fail(`bad gzip data (${(e as Error).message.toLowerCase()})`);
    }
  }
  // A UTF-8 byte order mark (some editors and uploaders add one) is not JSON.
  const start = input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf ? 3 : 0;
  return Buffer.from(input.buffer, input.byteOffset + start, input.byteLength - start).toString('utf8');
}

/**
 * Parses table metadata and normalizes it (defaults filled, v1 forms folded in).
 * @example const meta = parseTableMetadata(await io.read(path), { source: path });
 */
export function parseTableMetadata(input: string | Uint8Array, options: ParseMetadataOptions = {}): TableMetadata {
  const source = options.source ?? 'metadata';
  const r = new FieldReader(`table metadata ${source}`);
  let json: JsonValue;
  try {
    json = parseJson(metadataText(input, source));
  } catch (e) {
    if (e instanceof JsonSyntaxError) r.fail(`bad json: ${e.message}`);
    throw e;
  }
  try {
    return normalize(r, r.object(json, 'metadata'));
  } catch (e) {
    if (e instanceof IcefloeError) throw e;
    return r.fail((e as Error).message.toLowerCase());
  }
}

function normalize(r: FieldReader, o: JsonObject): TableMetadata {
  const version = r.int(o, 'format-version');
  if (version < 1 || version > 3) r.fail(`unsupported format-version ${version}`);
  const v2 = version >= 2;
  const { schemas, currentSchemaId } = readSchemas(r, o, v2);
  const { specs, defaultSpecId } = readSpecs(r, o, v2);
  const { orders, defaultOrderId } = readSortOrders(r, o, v2);
  let current = r.optLong(o, 'current-snapshot-id') ?? null;
  if (current !== null && current < 0n) current = null; // -1 was the old "no snapshot" marker
  const snapshots = (r.optArray(o, 'snapshots') ?? []).map((s) => readSnapshot(r, s));
  const meta: TableMetadata = {
    'format-version': version as FormatVersion,
    location: r.string(o, 'location'),
    'last-sequence-number': v2 ? r.long(o, 'last-sequence-number') : (r.optLong(o, 'last-sequence-number') ?? 0n),
    'last-updated-ms': r.long(o, 'last-updated-ms'),
    'last-column-id': r.int(o, 'last-column-id'),
    schemas,
    'current-schema-id': currentSchemaId,
    'partition-specs': specs,
    'default-spec-id': defaultSpecId,
    'last-partition-id': v2
      ? r.int(o, 'last-partition-id')
      : (r.optInt(o, 'last-partition-id') ?? lastPartitionId(specs)),
    properties: r.stringMap(o, 'properties'),
    'current-snapshot-id': current,
    snapshots,
    'snapshot-log': (r.optArray(o, 'snapshot-log') ?? []).map((e) => readSnapshotLog(r, e)),
    'metadata-log': (r.optArray(o, 'metadata-log') ?? []).map((e) => readMetadataLog(r, e)),
    'sort-orders': orders,
    'default-sort-order-id': defaultOrderId,
    refs: readRefs(r, o, current),
    statistics: (r.optArray(o, 'statistics') ?? []).map((e) => readStatistics(r, e)),
    'partition-statistics': (r.optArray(o, 'partition-statistics') ?? []).map((e) => readPartitionStatistics(r, e)),
  };
  const uuid = r.optString(o, 'table-uuid');
  if (uuid !== undefined) meta['table-uuid'] = uuid;
  else if (v2) r.fail("missing 'table-uuid'");
  const nextRowId = r.optLong(o, 'next-row-id');
  if (nextRowId !== undefined) meta['next-row-id'] = nextRowId;
  else if (version >= 3) meta['next-row-id'] = 0n;
  if (Array.isArray(o['encryption-keys'])) meta['encryption-keys'] = o['encryption-keys'] as never;
  if (current !== null && !snapshots.some((s) => s['snapshot-id'] === current))
    r.fail(`current-snapshot-id ${current} is not among the snapshots`);
  return meta;
}

function readSchemas(r: FieldReader, o: JsonObject, v2: boolean): { schemas: Schema[]; currentSchemaId: number } {
  const list = r.optArray(o, 'schemas');
  if (!list) {
    if (v2) r.fail("missing 'schemas'");
    const schema = parseSchema(r, o.schema, 0);
    return { schemas: [schema], currentSchemaId: r.optInt(o, 'current-schema-id') ?? schema['schema-id'] };
  }
  const schemas = list.map((s) => parseSchema(r, s));
  const currentSchemaId = v2
    ? r.int(o, 'current-schema-id')
    : (r.optInt(o, 'current-schema-id') ?? schemas[0]?.['schema-id'] ?? 0);
  if (!schemas.some((s) => s['schema-id'] === currentSchemaId))
    r.fail(`current-schema-id ${currentSchemaId} is not among the schemas`);
  return { schemas, currentSchemaId };
}

function readSpecs(r: FieldReader, o: JsonObject, v2: boolean): { specs: PartitionSpec[]; defaultSpecId: number } {
  const list = r.optArray(o, 'partition-specs');
  if (!list) {
    if (v2) r.fail("missing 'partition-specs'");
    const fields = r.array(o, 'partition-spec').map((f, i) => readPartitionField(r, f, i));
    return { specs: [{ 'spec-id': 0, fields }], defaultSpecId: r.optInt(o, 'default-spec-id') ?? 0 };
  }
  const specs = list.map((s) => {
    const so = r.object(s, 'partition-specs[]');
    return {
      'spec-id': r.int(so, 'spec-id'),
      fields: r.array(so, 'fields').map((f, i) => readPartitionField(r, f, i)),
    };
  });
  const defaultSpecId = v2
    ? r.int(o, 'default-spec-id')
    : (r.optInt(o, 'default-spec-id') ?? specs[0]?.['spec-id'] ?? 0);
  if (specs.length > 0 && !specs.some((s) => s['spec-id'] === defaultSpecId))
    r.fail(`default-spec-id ${defaultSpecId} is not among the partition-specs`);
  return { specs, defaultSpecId };
}

/** v1 partition fields may lack `field-id`: they get 1000 + position (spec: "Partition Specs"). */
function readPartitionField(r: FieldReader, v: JsonValue, index: number): PartitionField {
  const o = r.object(v, 'partition field');
  const sourceIds = r.optArray(o, 'source-ids')?.map((x) => Number(x));
  const field: PartitionField = {
    'source-id': r.optInt(o, 'source-id') ?? sourceIds?.[0] ?? r.int(o, 'source-id', 'partition field source-id'),
    'field-id': r.optInt(o, 'field-id') ?? PARTITION_DATA_ID_START + index,
    name: r.string(o, 'name', 'partition field name'),
    transform: r.string(o, 'transform', 'partition field transform'),
  };
  if (sourceIds) field['source-ids'] = sourceIds;
  return field;
}

function readSortOrders(r: FieldReader, o: JsonObject, v2: boolean): { orders: SortOrder[]; defaultOrderId: number } {
  const list = r.optArray(o, 'sort-orders');
  if (!list) {
    if (v2) r.fail("missing 'sort-orders'");
    return { orders: [{ 'order-id': 0, fields: [] }], defaultOrderId: 0 };
  }
  const orders = list.map((s) => {
    const so = r.object(s, 'sort-orders[]');
    return { 'order-id': r.int(so, 'order-id'), fields: r.array(so, 'fields').map((f) => readSortField(r, f)) };
  });
  const defaultOrderId = v2 ? r.int(o, 'default-sort-order-id') : (r.optInt(o, 'default-sort-order-id') ?? 0);
  return { orders, defaultOrderId };
}

function readSortField(r: FieldReader, v: JsonValue): SortField {
  const o = r.object(v, 'sort field');
  const sourceIds = r.optArray(o, 'source-ids')?.map((x) => Number(x));
  const f: SortField = {
    transform: r.string(o, 'transform', 'sort field transform'),
    'source-id': r.optInt(o, 'source-id') ?? sourceIds?.[0] ?? r.int(o, 'source-id', 'sort field source-id'),
    direction: r.string(o, 'direction', 'sort field direction') as SortField['direction'],
    'null-order': r.string(o, 'null-order', 'sort field null-order') as SortField['null-order'],
  };
  if (sourceIds) f['source-ids'] = sourceIds;
  return f;
}

function readSnapshot(r: FieldReader, v: JsonValue): Snapshot {
  const o = r.object(v, 'snapshot');
  const summary = r.stringMap(o, 'summary');
  const s: Snapshot = {
    'snapshot-id': r.long(o, 'snapshot-id', 'snapshot-id of a snapshot'),
    'timestamp-ms': r.long(o, 'timestamp-ms', 'timestamp-ms of a snapshot'),
    // v1 snapshots may lack a summary; readers assume an append (spec: "Snapshots").
    summary: { ...summary, operation: summary.operation ?? 'append' },
  };
  const optLongs = ['parent-snapshot-id', 'sequence-number', 'first-row-id', 'added-rows'] as const;
  for (const k of optLongs) {
    const x = r.optLong(o, k);
    if (x !== undefined) s[k] = x;
  }
  const list = r.optString(o, 'manifest-list');
  if (list !== undefined) s['manifest-list'] = list;
  const manifests = r.optArray(o, 'manifests');
  if (manifests) s.manifests = manifests.map((m) => String(m));
  if (list === undefined && !manifests)
    r.fail(`snapshot ${s['snapshot-id']} has neither 'manifest-list' nor 'manifests'`);
  const schemaId = r.optInt(o, 'schema-id');
  if (schemaId !== undefined) s['schema-id'] = schemaId;
  const keyId = r.optString(o, 'key-id');
  if (keyId !== undefined) s['key-id'] = keyId;
  return s;
}

function readRefs(r: FieldReader, o: JsonObject, current: bigint | null): Record<string, SnapshotRef> {
  const refs: Record<string, SnapshotRef> = {};
  if (o.refs !== undefined && o.refs !== null) {
    for (const [name, v] of Object.entries(r.object(o.refs, 'refs'))) {
      const ro = r.object(v, `refs.${name}`);
      const ref: SnapshotRef = {
        'snapshot-id': r.long(ro, 'snapshot-id', `refs.${name}.snapshot-id`),
        type: r.string(ro, 'type', `refs.${name}.type`) as SnapshotRef['type'],
      };
      const keep = r.optInt(ro, 'min-snapshots-to-keep');
      if (keep !== undefined) ref['min-snapshots-to-keep'] = keep;
      for (const k of ['max-snapshot-age-ms', 'max-ref-age-ms'] as const) {
        const x = r.optLong(ro, k);
        if (x !== undefined) ref[k] = x;
      }
      refs[name] = ref;
    }
  }
  // Metadata written before refs existed: main is the current snapshot (spec: "Snapshot References").
  if (refs.main === undefined && current !== null) refs.main = { 'snapshot-id': current, type: 'branch' };
  return refs;
}

function readSnapshotLog(r: FieldReader, v: JsonValue): SnapshotLogEntry {
  const o = r.object(v, 'snapshot-log entry');
  return {
    'snapshot-id': r.long(o, 'snapshot-id', 'snapshot-log.snapshot-id'),
    'timestamp-ms': r.long(o, 'timestamp-ms', 'snapshot-log.timestamp-ms'),
  };
}

function readMetadataLog(r: FieldReader, v: JsonValue): MetadataLogEntry {
  const o = r.object(v, 'metadata-log entry');
  return {
    'metadata-file': r.string(o, 'metadata-file', 'metadata-log.metadata-file'),
    'timestamp-ms': r.long(o, 'timestamp-ms', 'metadata-log.timestamp-ms'),
  };
}

function readStatistics(r: FieldReader, v: JsonValue): StatisticsFile {
  const o = r.object(v, 'statistics entry');
  const f: StatisticsFile = {
    'snapshot-id': r.long(o, 'snapshot-id'),
    'statistics-path': r.string(o, 'statistics-path'),
    'file-size-in-bytes': r.long(o, 'file-size-in-bytes'),
    'file-footer-size-in-bytes': r.long(o, 'file-footer-size-in-bytes'),
    'blob-metadata': (r.optArray(o, 'blob-metadata') ?? []).map((b) => {
      const bo = r.object(b, 'blob-metadata');
      const blob: StatisticsFile['blob-metadata'][number] = {
        type: r.string(bo, 'type'),
        'snapshot-id': r.long(bo, 'snapshot-id'),
        'sequence-number': r.long(bo, 'sequence-number'),
        fields: r.array(bo, 'fields').map((x) => Number(x)),
      };
      if (bo.properties) blob.properties = r.stringMap(bo, 'properties');
      return blob;
    }),
  };
  const key = r.optString(o, 'key-metadata');
  if (key !== undefined) f['key-metadata'] = key;
  return f;
}

function readPartitionStatistics(r: FieldReader, v: JsonValue): PartitionStatisticsFile {
  const o = r.object(v, 'partition-statistics entry');
  return {
    'snapshot-id': r.long(o, 'snapshot-id'),
    'statistics-path': r.string(o, 'statistics-path'),
    'file-size-in-bytes': r.long(o, 'file-size-in-bytes'),
  };
}
