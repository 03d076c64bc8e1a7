/**
 * Avro schemas of v2 manifests and manifest lists with the spec's field ids (format/spec.md
 * "Manifests", "Manifest Lists"), used by the write-side adapter (manifest-io.ts).
 * @internal
 */

import type { PartitionSpec } from '../spec/partition-spec';
import type { Schema } from '../spec/schema';
import { findFieldById } from '../spec/schema';
import { primitiveKind } from '../spec/types';

type Avro = Record<string, unknown>;

const opt = (name: string, type: unknown, id: number, doc?: string): Avro => ({
  name,
  type: ['null', type],
  default: null,
  'field-id': id,
  ...(doc ? { doc } : {}),
});
const req = (name: string, type: unknown, id: number): Avro => ({ name, type, 'field-id': id });
const intMap = (k: number, v: number, value: string): Avro => ({
  type: 'array',
  logicalType: 'map',
  items: { type: 'record', name: `k${k}_v${v}`, fields: [req('key', 'int', k), req('value', value, v)] },
});

/** Avro type of a partition value of Iceberg type `t`. */
export function avroTypeOfPrimitive(t: string): unknown {
  const k = primitiveKind(t);
  switch (k?.kind) {
    case 'boolean':
    case 'int':
    case 'long':
    case 'float':
    case 'double':
    case 'string':
      return k.kind;
    case 'date':
      return { type: 'int', logicalType: 'date' };
    case 'time':
      return { type: 'long', logicalType: 'time-micros' };
    case 'timestamp':
    case 'timestamptz':
      return { type: 'long', logicalType: 'timestamp-micros', 'adjust-to-utc': k.kind === 'timestamptz' };
    case 'uuid':
      return {
        type: 'fixed',
        name: `uuid_fixed_${Math.random().toString(36).slice(2, 8)}`,
        size: 16,
        logicalType: 'uuid',
      };
    case 'fixed':
      return { type: 'fixed', name: `fixed_${k.length}_${Math.random().toString(36).slice(2, 8)}`, size: k.length };
    case 'decimal':
      return { type: 'bytes', logicalType: 'decimal', precision: k.precision, scale: k.scale };
    default:
      return 'bytes';
  }
}

/** The Iceberg result type of a partition transform applied to `source`. */
export function partitionResultType(transform: string, source: string): string {
  if (transform.startsWith('bucket')) return 'int';
  if (['year', 'month', 'hour'].includes(transform)) return 'int';
  if (transform === 'day') return 'date';
  return source;
}

/** The `r102` partition record of a spec. */
export function partitionRecord(spec: PartitionSpec, schema: Schema): Avro {
  return {
    type: 'record',
    name: 'r102',
    fields: spec.fields.map((f) => {
      const src = findFieldById(schema, f['source-id'])?.type;
      const t = partitionResultType(f.transform, typeof src === 'string' ? src : 'string');
      return opt(f.name.replace(/[^A-Za-z0-9_]/g, '_'), avroTypeOfPrimitive(t), f['field-id']);
    }),
  };
}

/** The manifest entry schema (v2) for a partition spec. */
export function manifestEntrySchema(spec: PartitionSpec, schema: Schema): Avro {
  const dataFile = {
    type: 'record',
    name: 'r2',
    fields: [
      req('content', 'int', 134),
      req('file_path', 'string', 100),
      req('file_format', 'string', 101),
      req('partition', partitionRecord(spec, schema), 102),
      req('record_count', 'long', 103),
      req('file_size_in_bytes', 'long', 104),
      opt('column_sizes', intMap(117, 118, 'long'), 108),
      opt('value_counts', intMap(119, 120, 'long'), 109),
      opt('null_value_counts', intMap(121, 122, 'long'), 110),
      opt('nan_value_counts', intMap(138, 139, 'long'), 137),
      opt('lower_bounds', intMap(126, 127, 'bytes'), 125),
      opt('upper_bounds', intMap(129, 130, 'bytes'), 128),
      opt('key_metadata', 'bytes', 131),
      opt('split_offsets', { type: 'array', items: 'long', 'element-id': 133 }, 132),
      opt('equality_ids', { type: 'array', items: 'int', 'element-id': 136 }, 135),
      opt('sort_order_id', 'int', 140),
      opt('referenced_data_file', 'string', 143),
    ],
  };
  return {
    type: 'record',
    name: 'manifest_entry',
    fields: [
      req('status', 'int', 0),
      opt('snapshot_id', 'long', 1),
      opt('sequence_number', 'long', 3),
      opt('file_sequence_number', 'long', 4),
      req('data_file', dataFile, 2),
    ],
  };
}

/** The manifest list schema (v2). */
export const MANIFEST_FILE_SCHEMA: Avro = {
  type: 'record',
  name: 'manifest_file',
  fields: [
    req('manifest_path', 'string', 500),
    req('manifest_length', 'long', 501),
    req('partition_spec_id', 'int', 502),
    req('content', 'int', 517),
    req('sequence_number', 'long', 515),
    req('min_sequence_number', 'long', 516),
    req('added_snapshot_id', 'long', 503),
    req('added_files_count', 'int', 504),
    req('existing_files_count', 'int', 505),
    req('deleted_files_count', 'int', 506),
    req('added_rows_count', 'long', 512),
    req('existing_rows_count', 'long', 513),
    req('deleted_rows_count', 'long', 514),
    opt(
      'partitions',
      {
        type: 'array',
        'element-id': 508,
        items: {
          type: 'record',
          name: 'r508',
          fields: [
            req('contains_null', 'boolean', 509),
            opt('contains_nan', 'boolean', 518),
            opt('lower_bound', 'bytes', 510),
            opt('upper_bound', 'bytes', 511),
          ],
        },
      },
      507,
    ),
    opt('key_metadata', 'bytes', 519),
  ],
};
