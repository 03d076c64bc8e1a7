/**
 * Reading manifests (format/spec.md "Manifests") v1/v2/v3, data and delete manifests, with
 * sequence number and snapshot id inheritance from the manifest-list entry
 * (spec: "Sequence Number Inheritance", "Snapshot ID Inheritance").
 */

import { IcefloeError } from '../../errors';
import { InvalidIcebergError } from '../errors';
import { parseJson } from '../spec/json';
import { FieldReader } from '../spec/json-fields';
import type { DataFile, ManifestEntry, ManifestFile, ManifestHeader } from '../spec/manifest';
import { DataFileContent, ManifestContent, ManifestEntryStatus } from '../spec/manifest';
import type { PartitionField, PartitionSpec } from '../spec/partition-spec';
import type { Schema } from '../spec/schema';
import { parseSchema } from '../spec/type-json';
import type { PrimitiveType } from '../spec/types';
import { readAvroFile } from './container';
import { type AvroRecord, bigOf, bytesMap, bytesOf, countMap, numOf, partitionValueFromAvro } from './convert';
import { partitionTypes } from './schemas';

export interface ReadManifestOptions {
  /** The file's location, named in errors. */
  path: string;
  /** The manifest-list entry: source of inherited snapshot ids and sequence numbers, and of the spec id. */
  manifestFile?: ManifestFile;
  /** Partition specs of the table by id; else the spec in the file header is used. */
  specs?: Map<number, PartitionSpec> | PartitionSpec[];
  /** The table schema, for partition value types; else the schema in the file header. */
  schema?: Schema;
}

export interface Manifest {
  header: ManifestHeader;
  spec: PartitionSpec;
  /** Result type of each partition field. */
  partitionTypes: PrimitiveType[];
  entries: ManifestEntry[];
}

/** Decodes a manifest; a file that is not a valid manifest → InvalidIcebergError naming `path`. */
export function readManifest(bytes: Uint8Array, opts: ReadManifestOptions): Manifest {
  try {
    return decodeManifest(bytes, opts);
  } catch (e) {
    if (e instanceof IcefloeError) throw e;
    throw new InvalidIcebergError(`invalid manifest ${opts.path}: ${(e as Error).message.toLowerCase()}`, { cause: e });
  }
}

function decodeManifest(bytes: Uint8Array, opts: ReadManifestOptions): Manifest {
  const file = readAvroFile(bytes, opts.path, { lazyKeyValueArrays: true });
  const header = readHeader(file.metadata, opts);
  const spec = pickSpec(header, opts);
  const schema = opts.schema ?? headerSchema(header, opts.path);
  const types = partitionTypes(spec, schema);
  const names = partitionFieldNames(file.schema, spec.fields);
  const entries = file.records.map((r, i) => {
    try {
      return toEntry(r as AvroRecord, names, types, opts.manifestFile);
    } catch (e) {
      throw new InvalidIcebergError(`invalid manifest ${opts.path}: entry ${i}: ${(e as Error).message}`);
    }
  });
  inheritFirstRowIds(entries, opts.manifestFile?.firstRowId);
  return { header, spec, partitionTypes: types, entries };
}

/**
 * v3 row lineage: a data file without `first_row_id` starts where the previous such file of the
 * manifest ended, counting from the manifest-list entry's `first_row_id` (spec: "Row Lineage").
 */
function inheritFirstRowIds(entries: ManifestEntry[], first: bigint | undefined): void {
  if (first === undefined) return;
  let next = first;
  for (const e of entries) {
    const f = e.dataFile;
    if (f.content !== DataFileContent.Data || f.firstRowId !== undefined) continue;
    f.firstRowId = next;
    next += BigInt(f.recordCount);
  }
}

function readHeader(meta: Record<string, string>, opts: ReadManifestOptions): ManifestHeader {
  const h: ManifestHeader = {
    formatVersion: Number(meta['format-version'] ?? 1),
    content:
      meta.content === 'deletes' ? ManifestContent.Deletes : (opts.manifestFile?.content ?? ManifestContent.Data),
    partitionSpecId: Number(meta['partition-spec-id'] ?? opts.manifestFile?.partitionSpecId ?? 0),
  };
  if (meta.schema !== undefined) h.schemaJson = meta.schema;
  if (meta['partition-spec'] !== undefined) h.partitionSpecJson = meta['partition-spec'];
  return h;
}

function pickSpec(h: ManifestHeader, opts: ReadManifestOptions): PartitionSpec {
  const id = opts.manifestFile?.partitionSpecId ?? h.partitionSpecId;
  const specs = opts.specs instanceof Map ? opts.specs : new Map((opts.specs ?? []).map((s) => [s['spec-id'], s]));
  const known = specs.get(id);
  if (known) return known;
  if (h.partitionSpecJson === undefined) return { 'spec-id': id, fields: [] };
  const r = new FieldReader(`manifest ${opts.path}`);
  const json = parseJson(h.partitionSpecJson);
  const list = Array.isArray(json) ? json : ((json as { fields?: unknown[] })?.fields ?? []);
  const fields = (list as Record<string, unknown>[]).map((f, i) => ({
    'source-id': Number(f['source-id']),
    'field-id': f['field-id'] === undefined ? 1000 + i : Number(f['field-id']),
    name: String(f.name),
    transform: String(f.transform),
  }));
  if (fields.some((f) => Number.isNaN(f['source-id']))) r.fail('bad partition-spec in the header');
  return { 'spec-id': id, fields };
}

function headerSchema(h: ManifestHeader, path: string): Schema | undefined {
  if (h.schemaJson === undefined) return undefined;
  try {
    return parseSchema(new FieldReader(`manifest ${path} schema`), parseJson(h.schemaJson));
  } catch {
    return undefined; // the header schema only types partition values; raw values still read
  }
}

/** The Avro field name of each spec field: by `field-id` in the writer schema, else by position. */
function partitionFieldNames(schema: Record<string, unknown>, fields: PartitionField[]): (string | undefined)[] {
  const entryFields = (schema.fields ?? []) as AvroRecord[];
  const df = entryFields.find((f) => f.name === 'data_file')?.type as AvroRecord | undefined;
  const part = ((df?.fields ?? []) as AvroRecord[]).find((f) => f.name === 'partition')?.type as AvroRecord | undefined;
  const avroFields = ((part?.fields ?? []) as AvroRecord[]).map((f) => ({ name: String(f.name), id: f['field-id'] }));
  return fields.map(
    (f, i) => avroFields.find((a) => a.id !== undefined && Number(a.id) === f['field-id'])?.name ?? avroFields[i]?.name,
  );
}

function toEntry(
  r: AvroRecord,
  names: (string | undefined)[],
  types: PrimitiveType[],
  mf: ManifestFile | undefined,
): ManifestEntry {
  const d = r.data_file as AvroRecord | undefined;
  if (!d || typeof d.file_path !== 'string') throw new Error("missing 'data_file.file_path'");
  const status = numOf(r.status) ?? ManifestEntryStatus.Added;
  let seq = bigOf(r.sequence_number) ?? null;
  let fileSeq = bigOf(r.file_sequence_number) ?? null;
  // Inheritance: null means "assigned at commit" = the manifest's sequence number; v1 is all 0.
  if (mf) {
    if (seq === null && (status === ManifestEntryStatus.Added || mf.sequenceNumber === 0n)) seq = mf.sequenceNumber;
    if (fileSeq === null && (status === ManifestEntryStatus.Added || mf.sequenceNumber === 0n))
      fileSeq = mf.sequenceNumber;
  }
  let snapshotId = bigOf(r.snapshot_id) ?? null;
  if (snapshotId === null && mf) snapshotId = mf.addedSnapshotId;
  return {
    status,
    snapshotId,
    sequenceNumber: seq,
    fileSequenceNumber: fileSeq,
    dataFile: toDataFile(d, names, types),
  };
}

function toDataFile(d: AvroRecord, names: (string | undefined)[], types: PrimitiveType[]): DataFile {
  const part = (d.partition ?? {}) as AvroRecord;
  const f: DataFile = {
    content: (numOf(d.content) ?? DataFileContent.Data) as DataFileContent,
    filePath: d.file_path as string,
    fileFormat: d.file_format === 'PARQUET' ? 'PARQUET' : String(d.file_format ?? 'PARQUET').toUpperCase(),
    partition: names.map((n, i) => (n === undefined ? null : partitionValueFromAvro(types[i], part[n]))),
    recordCount: numOf(d.record_count) ?? 0,
    fileSizeInBytes: numOf(d.file_size_in_bytes) ?? 0,
  };
  const columnSizes = countMap(d.column_sizes);
  if (columnSizes) f.columnSizes = columnSizes;
  const valueCounts = countMap(d.value_counts);
  if (valueCounts) f.valueCounts = valueCounts;
  const nullValueCounts = countMap(d.null_value_counts);
  if (nullValueCounts) f.nullValueCounts = nullValueCounts;
  const nanValueCounts = countMap(d.nan_value_counts);
  if (nanValueCounts) f.nanValueCounts = nanValueCounts;
  const lo = bytesMap(d.lower_bounds);
  const hi = bytesMap(d.upper_bounds);
  if (lo) f.lowerBounds = lo;
  if (hi) f.upperBounds = hi;
  const key = bytesOf(d.key_metadata);
  if (key) f.keyMetadata = key;
  const splits = d.split_offsets;
  // Offsets decode as numbers below 2^53 (avro-type.ts): the decoded array is kept as it is.
  if (Array.isArray(splits)) f.splitOffsets = splits.every((x) => typeof x === 'number') ? splits : splits.map(Number);
  if (Array.isArray(d.equality_ids)) f.equalityIds = (d.equality_ids as number[]).map(Number);
  const sortOrderId = numOf(d.sort_order_id);
  if (sortOrderId !== undefined) f.sortOrderId = sortOrderId;
  const firstRowId = bigOf(d.first_row_id);
  if (firstRowId !== undefined) f.firstRowId = firstRowId;
  if (typeof d.referenced_data_file === 'string') f.referencedDataFile = d.referenced_data_file;
  const off = numOf(d.content_offset);
  const size = numOf(d.content_size_in_bytes);
  if (off !== undefined) f.contentOffset = off;
  if (size !== undefined) f.contentSizeInBytes = size;
  return f;
}
