/**
 * The Avro schemas Iceberg writes, with field ids exactly as format/spec.md "Manifests" and
 * "Manifest Lists" assign them (v1, v2, v3), and the partition record built from a spec.
 */
import type { PartitionSpec } from '../spec/partition-spec';
import type { Schema } from '../spec/schema';
import { findFieldById } from '../spec/schema';
import type { PrimitiveType } from '../spec/types';
import { isPrimitive, primitiveKind } from '../spec/types';
import { parseTransform, transformResultType } from '../transform/transform';

type AvroField = Record<string, unknown>;

const req = (name: string, id: number, type: unknown, doc?: string): AvroField => ({
  name,
  type,
  ...(doc ? { doc } : {}),
  'field-id': id,
});
const opt = (name: string, id: number, type: unknown, doc?: string): AvroField => ({
  name,
  type: ['null', type],
  ...(doc ? { doc } : {}),
  default: null,
  'field-id': id,
});
const mapOf = (keyId: number, valueId: number, value: string) => ({
  type: 'array',
  items: {
    type: 'record',
    name: `k${keyId}_v${valueId}`,
    fields: [
      { name: 'key', type: 'int', 'field-id': keyId },
      { name: 'value', type: value, 'field-id': valueId },
    ],
  },
  logicalType: 'map',
});

/** Avro-safe name as Java's AvroSchemaUtil.makeCompatibleName writes it (`_x2E` for '.', leading digit → `_`). */
export function avroName(name: string): string {
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const c = name[i] ?? '';
    const ok = /[A-Za-z_]/.test(c) || (i > 0 && /[0-9]/.test(c));
    out += ok ? c : /[0-9]/.test(c) ? `_${c}` : `_x${c.charCodeAt(0).toString(16).toUpperCase()}`;
  }
  return out;
}

/** The Avro type of a primitive Iceberg type (spec: "Avro" type mapping); `id` names fixed types uniquely. */
export function avroPrimitive(type: PrimitiveType, id: number): unknown {
  const k = primitiveKind(type);
  switch (k?.kind) {
    case 'date':
      return { type: 'int', logicalType: 'date' };
    case 'time':
      return { type: 'long', logicalType: 'time-micros' };
    case 'timestamp':
    case 'timestamptz':
      return { type: 'long', logicalType: 'timestamp-micros', 'adjust-to-utc': k.kind === 'timestamptz' };
    case 'timestamp_ns':
    case 'timestamptz_ns':
      return { type: 'long', logicalType: 'timestamp-nanos', 'adjust-to-utc': k.kind === 'timestamptz_ns' };
    case 'uuid':
      return { type: 'fixed', name: `uuid_fixed_${id}`, size: 16, logicalType: 'uuid' };
    case 'fixed':
      return { type: 'fixed', name: `fixed_${id}`, size: k.length };
    case 'decimal':
      return {
        type: 'fixed',
        name: `decimal_${id}`,
        size: decimalBytes(k.precision),
        logicalType: 'decimal',
        precision: k.precision,
        scale: k.scale,
      };
    case 'binary':
      return 'bytes';
    case 'boolean':
    case 'int':
    case 'long':
    case 'float':
    case 'double':
    case 'string':
      return k.kind;
    default:
      return 'bytes';
  }
}

/** Bytes a fixed needs to hold a decimal of this precision (spec: "minimum number of bytes"). */
export function decimalBytes(precision: number): number {
  let n = 1;
  while (10 ** precision > 2 ** (8 * n - 1)) n++;
  return n;
}

/** The result type of each partition field, in spec order (unknown source → `string`, tolerated). */
export function partitionTypes(spec: PartitionSpec, schema: Schema | undefined): PrimitiveType[] {
  return spec.fields.map((f) => {
    const src = schema ? findFieldById(schema, f['source-id']) : undefined;
    const srcType = src && isPrimitive(src.type) ? src.type : 'string';
    return transformResultType(parseTransform(f.transform), srcType);
  });
}

/** The `partition` record (field id 102) of a spec: one optional field per partition field. */
export function partitionRecord(spec: PartitionSpec, types: PrimitiveType[]): Record<string, unknown> {
  return {
    type: 'record',
    name: 'r102',
    fields: spec.fields.map((f, i) =>
      opt(avroName(f.name), f['field-id'], avroPrimitive(types[i] ?? 'string', f['field-id'])),
    ),
  };
}

const SUMMARY = {
  type: 'array',
  items: {
    type: 'record',
    name: 'r508',
    fields: [
      req('contains_null', 509, 'boolean', 'True if any file has a null partition value'),
      opt('contains_nan', 518, 'boolean', 'True if any file has a nan partition value'),
      opt('lower_bound', 510, 'bytes', 'Partition lower bound for all files'),
      opt('upper_bound', 511, 'bytes', 'Partition upper bound for all files'),
    ],
  },
  'element-id': 508,
};

/** The manifest list schema of a format version (spec: "Manifest Lists"). */
export function manifestListSchema(version: number): Record<string, unknown> {
  const head = [
    req('manifest_path', 500, 'string', 'Location URI with FS scheme'),
    req('manifest_length', 501, 'long', 'Total file size in bytes'),
    req('partition_spec_id', 502, 'int', 'Spec ID used to write'),
  ];
  if (version === 1) {
    return {
      type: 'record',
      name: 'manifest_file',
      fields: [
        ...head,
        opt('added_snapshot_id', 503, 'long', 'Snapshot ID that added the manifest'),
        opt('added_data_files_count', 504, 'int', 'Added entry count'),
        opt('existing_data_files_count', 505, 'int', 'Existing entry count'),
        opt('deleted_data_files_count', 506, 'int', 'Deleted entry count'),
        opt('partitions', 507, SUMMARY, 'Summary for each partition'),
        opt('added_rows_count', 512, 'long', 'Added rows count'),
        opt('existing_rows_count', 513, 'long', 'Existing rows count'),
        opt('deleted_rows_count', 514, 'long', 'Deleted rows count'),
      ],
    };
  }
  const fields = [
    ...head,
    req('content', 517, 'int', 'Contents of the manifest: 0=data, 1=deletes'),
    req('sequence_number', 515, 'long', 'Sequence number when the manifest was added'),
    req('min_sequence_number', 516, 'long', 'Lowest sequence number in the manifest'),
    req('added_snapshot_id', 503, 'long', 'Snapshot ID that added the manifest'),
    req('added_files_count', 504, 'int', 'Added entry count'),
    req('existing_files_count', 505, 'int', 'Existing entry count'),
    req('deleted_files_count', 506, 'int', 'Deleted entry count'),
    req('added_rows_count', 512, 'long', 'Added rows count'),
    req('existing_rows_count', 513, 'long', 'Existing rows count'),
    req('deleted_rows_count', 514, 'long', 'Deleted rows count'),
    opt('partitions', 507, SUMMARY, 'Summary for each partition'),
    opt('key_metadata', 519, 'bytes', 'Encryption key metadata blob'),
  ];
  if (version >= 3)
    fields.push(opt('first_row_id', 520, 'long', 'Starting row ID to assign to new rows in ADDED data files'));
  return { type: 'record', name: 'manifest_file', fields };
}

/** The manifest entry schema of a format version with this partition record (spec: "Manifests"). */
export function manifestEntrySchema(version: number, partition: Record<string, unknown>): Record<string, unknown> {
  const df: AvroField[] = [];
  if (version >= 2)
    df.push(req('content', 134, 'int', 'Contents of the file: 0=data, 1=position deletes, 2=equality deletes'));
  df.push(
    req('file_path', 100, 'string', 'Location URI with FS scheme'),
    req('file_format', 101, 'string', 'File format name: avro, orc, or parquet'),
    req('partition', 102, partition, 'Partition data tuple, schema based on the partition spec'),
    req('record_count', 103, 'long', 'Number of records in the file'),
    req('file_size_in_bytes', 104, 'long', 'Total file size in bytes'),
  );
  if (version === 1)
    df.push(req('block_size_in_bytes', 105, 'long', 'Deprecated. Always write a default in v1. Do not write in v2.'));
  df.push(
    opt('column_sizes', 108, mapOf(117, 118, 'long'), 'Map of column id to total size on disk'),
    opt('value_counts', 109, mapOf(119, 120, 'long'), 'Map of column id to total count, including null and NaN'),
    opt('null_value_counts', 110, mapOf(121, 122, 'long'), 'Map of column id to null value count'),
    opt('nan_value_counts', 137, mapOf(138, 139, 'long'), 'Map of column id to number of NaN values in the column'),
    opt('lower_bounds', 125, mapOf(126, 127, 'bytes'), 'Map of column id to lower bound'),
    opt('upper_bounds', 128, mapOf(129, 130, 'bytes'), 'Map of column id to upper bound'),
    opt('key_metadata', 131, 'bytes', 'Encryption key metadata blob'),
    opt('split_offsets', 132, { type: 'array', items: 'long', 'element-id': 133 }, 'Splittable offsets'),
  );
  if (version >= 2)
    df.push(
      opt('equality_ids', 135, { type: 'array', items: 'int', 'element-id': 136 }, 'Equality comparison field IDs'),
    );
  df.push(opt('sort_order_id', 140, 'int', 'Sort order ID'));
  if (version >= 3)
    df.push(opt('first_row_id', 142, 'long', 'The first row ID assigned to the first row in the data file'));
  if (version >= 2)
    df.push(
      opt(
        'referenced_data_file',
        143,
        'string',
        'Fully qualified location (URI with FS scheme) of a data file that all deletes reference',
      ),
    );
  if (version >= 3) {
    df.push(
      opt('content_offset', 144, 'long', 'The offset in the file where the content starts'),
      opt('content_size_in_bytes', 145, 'long', 'The length of referenced content stored in the file'),
    );
  }
  const entry: AvroField[] = [req('status', 0, 'int')];
  entry.push(opt('snapshot_id', 1, 'long'));
  if (version >= 2) entry.push(opt('sequence_number', 3, 'long'), opt('file_sequence_number', 4, 'long'));
  entry.push(req('data_file', 2, { type: 'record', name: 'r2', fields: df }));
  return { type: 'record', name: 'manifest_entry', fields: entry };
}
