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
import * as arrow from 'apache-arrow';
import type { FileIO } from '../../iceberg/io/file-io';
import { type DataFile, DataFileContent, type PartitionValues } from '../../iceberg/spec/manifest';
import type { PartitionSpec } from '../../iceberg/spec/partition-spec';
import type { Schema } from '../../iceberg/spec/schema';
import { findFieldById } from '../../iceberg/spec/schema';
import type { PrimitiveValue } from '../../iceberg/spec/types';
import { toBytes } from '../../iceberg/spec/values';
import { parseTransform, transformFn, transformResultType } from '../../iceberg/transform/transform';
import { valueReader } from './metrics';
import { ParquetStreamWriter, type WrittenParquet } from './parquet-writer';
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
  const w = new DataFileStreamWriter(opts);
  try {
    for (const b of table.batches) await w.write(b);
    return await w.close();
  } catch (err) {
    await w.abort();
    throw err;
  }
}

/**
 * Stores a Parquet file already encoded (`written`, conformed to `opts.schema`) as the data file `name` of the
 * partition `values` (same folder layout as written files) and returns its DataFile entry.
 */
export async function storeDataFile(
  written: WrittenParquet,
  opts: DataFileWriterOptions,
  values: PartitionValues,
  name: string,
): Promise<DataFile> {
  const path = objectStorePath(opts, dataDir(opts, partitionPath(opts.spec, opts.schema, values)), name);
  await opts.io.write(path, written.bytes);
  return dataFileOf(written, opts, path, values);
}

/** The Parquet writer options a table's properties ask for (`write.parquet.compression-codec`). */
export function parquetOptionsOf(properties: Record<string, string>): { compression?: string } {
  const codec = properties['write.parquet.compression-codec'];
  return codec ? { compression: codec } : {};
}

/** Rows a partition buffers before they go to its Parquet writer (small batches and partition slices travel together). */
const PARTITION_FLUSH_ROWS = 65_536;
/** Rows all partitions may buffer together; above it the largest buffers are written. */
const BUFFERED_ROWS_LIMIT = 8 * PARTITION_FLUSH_ROWS;
/**
 * Parquet files open at once (each holds ~1-2 MB of parquet-wasm encoder state, in a heap that never
 * shrinks); beyond it the least recently written one is closed early, so a chunk spread over many partitions
 * makes more files instead of more memory.
 */
const MAX_OPEN_FILES = 16;
/** Parquet bytes per Arrow byte assumed to size files (zstd Parquet is typically 3-5× smaller than Arrow). */
const PARQUET_RATIO = 1 / 4;

/**
 * Writes Iceberg data files from record batches as they arrive: each batch (conformed to `schema`) is split
 * by partition, each partition's rows stream into its own Parquet file (row groups written as they fill),
 * and a file is closed and stored once it reaches the target size (estimated as `PARQUET_RATIO` of the Arrow
 * bytes written, as the table writer always did), the next one taking over. Memory stays at the open files'
 * compressed bytes plus a few buffered slices, whatever the number of rows.
 *
 * Names are deterministic for the same input (`<prefix>-<partition hash>-<n>.parquet`). `close` returns the
 * files in order of first appearance of their partition; `abort` drops open writers and deletes the files
 * already stored.
 */
export class DataFileStreamWriter {
  private readonly parts = new Map<string, PartitionWriter>();
  private readonly partitioner: ((batch: arrow.RecordBatch) => Map<string, Group>) | undefined;
  private readonly target: number;
  private readonly stored: string[] = [];
  /** Partitions with an open file, least recently written first. */
  private readonly open = new Set<PartitionWriter>();
  private rowCount = 0;
  private done = false;

  constructor(readonly opts: DataFileWriterOptions) {
    const target =
      opts.targetFileSizeBytes ?? Number(opts.properties['write.target-file-size-bytes'] ?? DEFAULT_TARGET_FILE_SIZE);
    this.target = Math.max(1, target || DEFAULT_TARGET_FILE_SIZE);
    this.partitioner =
      opts.spec.fields.length === 0
        ? undefined
        : (batch) => partitionRows(new arrow.Table([batch]), opts.schema, opts.spec);
  }

  /** Rows taken so far. */
  get rows(): number {
    return this.rowCount;
  }

  /** Takes one record batch conformed to the schema; resolves once it is written or buffered. */
  async write(batch: arrow.RecordBatch): Promise<void> {
    if (this.done) throw new Error('data file writer: write after close');
    if (batch.numRows === 0) return;
    this.rowCount += batch.numRows;
    if (!this.partitioner) {
      const p = this.part('', []);
      p.add(batch);
      if (p.buffered >= PARTITION_FLUSH_ROWS) await this.flush(p);
      return;
    }
    for (const [key, g] of this.partitioner(batch)) {
      const p = this.part(key, g.values);
      p.add(g.idx.length === batch.numRows ? batch : takeBatch(batch, g.idx));
      if (p.buffered >= PARTITION_FLUSH_ROWS) await this.flush(p);
    }
    let buffered = 0;
    for (const p of this.parts.values()) buffered += p.buffered;
    if (buffered <= BUFFERED_ROWS_LIMIT) return;
    // write the largest buffers until half the limit is left
    for (const p of [...this.parts.values()].sort((a, b) => b.buffered - a.buffered)) {
      if (buffered <= BUFFERED_ROWS_LIMIT / 2) break;
      buffered -= p.buffered;
      await this.flush(p);
    }
  }

  /** Writes a partition's buffer into its open file, opening one (closing the least recently used) if needed. */
  private async flush(p: PartitionWriter): Promise<void> {
    if (p.buffered === 0) return;
    this.open.delete(p);
    if (!p.isOpen)
      for (const lru of this.open) {
        if (this.open.size < MAX_OPEN_FILES) break;
        this.open.delete(lru);
        await lru.closeFile();
      }
    await p.flush();
    if (p.isOpen) this.open.add(p); // most recently written last
  }

  /** Writes what is buffered, closes every open file and returns the DataFile entries. */
  async close(): Promise<DataFile[]> {
    if (this.done) throw new Error('data file writer: close twice');
    this.done = true;
    const out: DataFile[] = [];
    for (const p of this.parts.values()) {
      await this.flush(p);
      await p.closeFile();
      this.open.delete(p);
      out.push(...p.files);
    }
    return out;
  }

  /** Stops every open file and deletes the files already stored (best effort). */
  async abort(): Promise<void> {
    this.done = true;
    for (const p of this.parts.values()) p.abort();
    await Promise.all(this.stored.map((path) => this.opts.io.delete(path).catch(() => undefined)));
  }

  private part(key: string, values: PartitionValues): PartitionWriter {
    let p = this.parts.get(key);
    if (!p) {
      const dir = dataDir(this.opts, partitionPath(this.opts.spec, this.opts.schema, values));
      const tag = createHash('sha1').update(key).digest('hex').slice(0, 8);
      p = new PartitionWriter(this.opts, this.target, dir, `${this.opts.prefix}-${tag}`, values, (path) =>
        this.stored.push(path),
      );
      this.parts.set(key, p);
    }
    return p;
  }
}

/** The rolling files of one partition. */
class PartitionWriter {
  private pending: arrow.RecordBatch[] = [];
  private pendingRows = 0;
  private file?: ParquetStreamWriter;
  /** Estimated Parquet bytes of the open file. */
  private estimate = 0;
  private n = 0;
  /** The files stored so far, in order. */
  readonly files: DataFile[] = [];

  constructor(
    private readonly opts: DataFileWriterOptions,
    private readonly target: number,
    private readonly dir: string,
    private readonly stem: string,
    private readonly partition: PartitionValues,
    private readonly onStored: (path: string) => void,
  ) {}

  /** Rows waiting in the buffer. */
  get buffered(): number {
    return this.pendingRows;
  }

  /** Whether a file is open. */
  get isOpen(): boolean {
    return this.file !== undefined;
  }

  /** Buffers a batch (small ones travel to the Parquet writer together, see `flush`). */
  add(batch: arrow.RecordBatch): void {
    this.pending.push(batch);
    this.pendingRows += batch.numRows;
  }

  /** Writes the buffered batches (opening a file if none is open). */
  async flush(): Promise<void> {
    if (this.pendingRows === 0) return;
    const batches = this.pending;
    this.pending = [];
    this.pendingRows = 0;
    await this.writeRolled(...batches);
  }

  /** Closes and stores the open file, if any (later rows go to a next file). */
  async closeFile(): Promise<void> {
    if (this.file) await this.roll();
  }

  abort(): void {
    this.pending = [];
    this.file?.abort();
    this.file = undefined;
  }

  /** Writes batches into the open file, closing it and opening the next one at the target size. */
  private async writeRolled(...batches: arrow.RecordBatch[]): Promise<void> {
    const target = this.target;
    const whole: arrow.RecordBatch[] = [];
    for (const batch of batches) {
      const perRow = Math.max(1e-9, (arrowByteLength(batch.data) / batch.numRows) * PARQUET_RATIO);
      let at = 0;
      while (at < batch.numRows) {
        const left = batch.numRows - at;
        const open = this.file !== undefined && this.file.numRows + rowsOf(whole) > 0;
        const fit = open ? Math.floor((target - this.estimate) / perRow) : Math.max(1, Math.floor(target / perRow));
        if (fit <= 0) {
          await this.writeToFile(whole.splice(0));
          await this.roll();
          continue;
        }
        const take = Math.min(fit, left);
        whole.push(take === batch.numRows ? batch : batch.slice(at, at + take));
        this.file ??= new ParquetStreamWriter(this.opts.schema, this.codec());
        this.estimate += take * perRow;
        at += take;
        if (take < left) {
          await this.writeToFile(whole.splice(0));
          await this.roll();
        }
      }
    }
    await this.writeToFile(whole);
  }

  private async writeToFile(batches: arrow.RecordBatch[]): Promise<void> {
    if (batches.length === 0) return;
    this.file ??= new ParquetStreamWriter(this.opts.schema, this.codec());
    await this.file.writeAll(batches);
  }

  private codec(): { compression?: string } {
    return parquetOptionsOf(this.opts.properties);
  }

  /** Closes the open file, stores it and records its DataFile. */
  private async roll(): Promise<void> {
    const file = this.file;
    if (!file) return;
    this.file = undefined;
    const name = `${this.stem}-${String(this.n++).padStart(5, '0')}.parquet`;
    const path = objectStorePath(this.opts, this.dir, name);
    let written: WrittenParquet;
    try {
      written = await file.finish();
    } catch (err) {
      throw new Error(`cannot write data file ${path}: ${(err as Error).message}`, { cause: err });
    }
    await this.opts.io.write(path, written.bytes);
    this.onStored(path);
    this.estimate = 0;
    this.files.push(dataFileOf(written, this.opts, path, this.partition));
  }
}

function rowsOf(batches: arrow.RecordBatch[]): number {
  return batches.reduce((n, b) => n + b.numRows, 0);
}

/** The rows `idx` of one batch, as a fresh batch. */
function takeBatch(batch: arrow.RecordBatch, idx: Int32Array): arrow.RecordBatch {
  return takeTable(new arrow.Table([batch]), idx).batches[0] as arrow.RecordBatch;
}

function dataDir(opts: DataFileWriterOptions, partPath: string): string {
  const base = (opts.properties['write.data.path'] ?? `${opts.location}/data`).replace(/\/+$/, '');
  return partPath ? `${base}/${partPath}` : base;
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

function dataFileOf(
  w: WrittenParquet,
  opts: DataFileWriterOptions,
  path: string,
  partition: PartitionValues,
): DataFile {
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

/** Bytes of a column's buffers in memory, counting only the rows of a slice (for file size estimates). */
function arrowByteLength(d: arrow.Data): number {
  let n = d.nullBitmap && d.nullCount > 0 ? Math.ceil(d.length / 8) : 0;
  const offs = d.valueOffsets as Int32Array | undefined;
  if (offs) {
    // arrow-js slices offsets to the rows (`length + 1` entries, possibly more: builders pad them)
    n += (d.length + 1) * 4;
    const from = offs[0] ?? 0;
    const to = offs[d.length] ?? from;
    if (d.values) n += to - from;
    for (const c of d.children) n += c.length > 0 ? (arrowByteLength(c) * (to - from)) / c.length : 0;
    return n;
  }
  if (d.values) n += (d.values as ArrayBufferView).byteLength;
  for (const c of d.children) n += arrowByteLength(c);
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
