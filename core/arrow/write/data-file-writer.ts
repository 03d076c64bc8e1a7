/**
 * Writes Arrow data as Iceberg data files: split by the partition spec (every transform, via
 * core/iceberg/transform), rolled at `write.target-file-size-bytes` (default 512 MiB, as Iceberg Java),
 * named deterministically from a prefix (a re-run of the same chunk overwrites the same files), and
 * returned as manifest `DataFile` entries with metrics and bounds in single-value serialization.
 *
 * Layout: `<write.data.path | location/data>/<partition path>/<prefix>-<part>-<n>.parquet`; with
 * `write.object-storage.enabled=true` a hash directory spreads keys over S3 prefixes (Iceberg's
 * ObjectStoreLocationProvider).
 */
import { createHash } from 'node:crypto';
import type * as arrow from 'apache-arrow';
import type { FileIO } from '../../iceberg/io/file-io';
import { type DataFile, DataFileContent, type PartitionValues } from '../../iceberg/spec/manifest';
import type { PartitionSpec } from '../../iceberg/spec/partition-spec';
import type { Schema } from '../../iceberg/spec/schema';
import { findFieldById } from '../../iceberg/spec/schema';
import type { PrimitiveValue } from '../../iceberg/spec/types';
import { toBytes } from '../../iceberg/spec/values';
import { parseTransform, transformFn, transformResultType } from '../../iceberg/transform/transform';
import { valueReader } from './metrics';
import { writeParquet } from './parquet-writer';
import { partitionPath } from './partition-path';
import { takeTable } from './take';

export const DEFAULT_TARGET_FILE_SIZE = 512 * 1024 * 1024;

export interface DataFileWriterOptions {
  io: FileIO;
  /** Table location (no trailing slash). */
  location: string;
  schema: Schema;
  spec: PartitionSpec;
  properties: Record<string, string>;
  /** Deterministic file name prefix, e.g. `<runId>-<chunkId>`. */
  prefix: string;
  /** Overrides `write.target-file-size-bytes`. */
  targetFileSizeBytes?: number;
  content?: DataFileContent;
  equalityIds?: number[];
}

/** Writes `table` (conformed to `schema`) and returns one DataFile per written file. */
export async function writeDataFiles(table: arrow.Table, opts: DataFileWriterOptions): Promise<DataFile[]> {
  if (table.numRows === 0) return [];
  const groups = partitionRows(table, opts.schema, opts.spec);
  const out: DataFile[] = [];
  for (const [key, g] of groups) {
    const part = g.idx.length === table.numRows ? table : takeTable(table, g.idx);
    const dir = dataDir(opts, partitionPath(opts.spec, opts.schema, g.values));
    const tag = createHash('sha1').update(key).digest('hex').slice(0, 8);
    out.push(...(await writeRolled(part, opts, dir, `${opts.prefix}-${tag}`, g.values)));
  }
  return out;
}

function dataDir(opts: DataFileWriterOptions, partPath: string): string {
  const base = (opts.properties['write.data.path'] ?? `${opts.location}/data`).replace(/\/+$/, '');
  return partPath ? `${base}/${partPath}` : base;
}

async function writeRolled(
  table: arrow.Table,
  opts: DataFileWriterOptions,
  dir: string,
  stem: string,
  partition: PartitionValues,
): Promise<DataFile[]> {
  const target =
    opts.targetFileSizeBytes ?? Number(opts.properties['write.target-file-size-bytes'] ?? DEFAULT_TARGET_FILE_SIZE);
  // Parquet with zstd is typically 3-5× smaller than Arrow in memory; estimate rows per file from that.
  const arrowBytes = table.batches.reduce((n, b) => n + byteLength(b.data), 0);
  const perRow = Math.max(1, arrowBytes / Math.max(1, table.numRows) / 4);
  const rowsPerFile = Math.max(1, Math.floor(target / perRow));
  const files: DataFile[] = [];
  for (let start = 0, n = 0; start < table.numRows; start += rowsPerFile, n++) {
    const slice = rowsPerFile >= table.numRows ? table : table.slice(start, start + rowsPerFile);
    const name = `${stem}-${String(n).padStart(5, '0')}.parquet`;
    const path = objectStorePath(opts, dir, name);
    files.push(await writeOne(slice, opts, path, partition));
  }
  return files;
}

function objectStorePath(opts: DataFileWriterOptions, dir: string, name: string): string {
  if (opts.properties['write.object-storage.enabled'] !== 'true') return `${dir}/${name}`;
  const h = createHash('sha1').update(name).digest();
  const bits = [...h.subarray(0, 3)]
    .map((b) => b.toString(2).padStart(8, '0'))
    .join('')
    .slice(0, 20);
  const hashDir = `${bits.slice(0, 4)}/${bits.slice(4, 8)}/${bits.slice(8, 12)}/${bits.slice(12, 20)}`;
  const base = (opts.properties['write.data.path'] ?? `${opts.location}/data`).replace(/\/+$/, '');
  return `${base}/${hashDir}${dir.slice(base.length)}/${name}`;
}

async function writeOne(
  table: arrow.Table,
  opts: DataFileWriterOptions,
  path: string,
  partition: PartitionValues,
): Promise<DataFile> {
  const codec = opts.properties['write.parquet.compression-codec'];
  const w = await writeParquet(table, opts.schema, codec ? { compression: codec } : {});
  await opts.io.write(path, w.bytes);
  const counts = (f: (m: { valueCount: number; nullCount: number; nanCount?: number }) => number | undefined) =>
    new Map([...w.metrics].flatMap(([id, m]) => (f(m) === undefined ? [] : [[id, f(m) as number] as const])));
  const bounds = (which: 'lower' | 'upper') => {
    const out = new Map<number, Uint8Array>();
    for (const [id, m] of w.metrics) {
      const v = m[which];
      const t = findFieldById(opts.schema, id)?.type;
      if (v !== undefined && typeof t === 'string') out.set(id, toBytes(t, v));
    }
    return out;
  };
  return {
    content: opts.content ?? DataFileContent.Data,
    filePath: path,
    fileFormat: 'PARQUET',
    partition,
    recordCount: w.rows,
    fileSizeInBytes: w.bytes.length,
    columnSizes: w.columnSizes,
    valueCounts: counts((m) => m.valueCount),
    nullValueCounts: counts((m) => m.nullCount),
    nanValueCounts: counts((m) => m.nanCount),
    lowerBounds: bounds('lower'),
    upperBounds: bounds('upper'),
    splitOffsets: w.splitOffsets,
    ...(opts.equalityIds ? { equalityIds: opts.equalityIds } : {}),
    ...(opts.content === DataFileContent.EqualityDeletes ? {} : { sortOrderId: 0 }),
  };
}

function byteLength(d: arrow.Data): number {
  let n = 0;
  for (const b of [d.values, d.valueOffsets, d.nullBitmap]) if (b) n += (b as ArrayBufferView).byteLength;
  for (const c of d.children) n += byteLength(c);
  return n;
}

interface Group {
  idx: Int32Array;
  values: PartitionValues;
}

/** Groups row numbers by partition tuple (one group with all rows when unpartitioned). */
export function partitionRows(table: arrow.Table, schema: Schema, spec: PartitionSpec): Map<string, Group> {
  const all = new Int32Array(table.numRows).map((_, i) => i);
  if (spec.fields.length === 0) return new Map([['', { idx: all, values: [] }]]);
  const fns = spec.fields.map((f) => {
    const src = findFieldById(schema, f['source-id']);
    const srcType = typeof src?.type === 'string' ? src.type : 'string';
    const t = parseTransform(f.transform);
    const col = schema.fields.findIndex((x) => x.id === f['source-id']);
    return { fn: transformFn(t, srcType), type: transformResultType(t, srcType), col, srcType };
  });
  const buckets = new Map<string, { rows: number[]; values: PartitionValues }>();
  for (const batchStart of batchStarts(table)) {
    const { batch, start } = batchStart;
    const readers = fns.map((f) =>
      f.col < 0 ? undefined : valueReader(f.srcType, batch.data.children[f.col] as arrow.Data),
    );
    for (let i = 0; i < batch.numRows; i++) {
      const values = fns.map((f, k) => {
        const r = readers[k];
        const v: PrimitiveValue | null = r ? r(i) : null;
        return f.fn(v);
      });
      const key = values
        .map((v) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : String(v)))
        .join('\u0000');
      let b = buckets.get(key);
      if (!b) {
        b = { rows: [], values };
        buckets.set(key, b);
      }
      b.rows.push(start + i);
    }
  }
  return new Map([...buckets].map(([k, b]) => [k, { idx: Int32Array.from(b.rows), values: b.values }]));
}

function batchStarts(table: arrow.Table): { batch: arrow.RecordBatch; start: number }[] {
  let start = 0;
  return table.batches.map((batch) => {
    const r = { batch, start };
    start += batch.numRows;
    return r;
  });
}
