/**
 * Arrow → Parquet with parquet-wasm (zstd), returning the file bytes and the column metrics a manifest
 * entry needs. Field ids travel as Arrow field metadata `PARQUET:field_id`, which parquet-wasm writes
 * into the Parquet schema (verified with DuckDB's `parquet_schema` in test/unit/arrow-write).
 */
import * as arrow from 'apache-arrow';
import type { Schema } from '../../iceberg/spec/schema';
import { plainColumns } from './dictionary-choice';
import { type FileMetrics, MetricsAccumulator } from './metrics';
import { columnChunks, type ParquetFooter, readFooter } from './parquet-splice';

// parquet-wasm's node build is CommonJS and initializes its wasm synchronously on require.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pw = require('parquet-wasm') as typeof import('parquet-wasm');

export interface ParquetWriteOptions {
  /** Rows per row group. @default ROW_GROUP_ROWS */
  rowGroupRows?: number;
  /** `zstd` (default), `snappy`, `gzip`, `uncompressed` (Iceberg's `write.parquet.compression-codec`). */
  compression?: string;
  /**
   * Dictionary encoding: `auto` (default) writes plain the top-level columns whose first rows are nearly all
   * distinct (dictionary-choice.ts) and keeps dictionaries elsewhere; `on` keeps them everywhere (parquet-rs falls
   * back to plain per column once a dictionary passes 1 MB).
   */
  dictionary?: 'auto' | 'on';
}

export interface WrittenParquet {
  bytes: Uint8Array;
  rows: number;
  metrics: FileMetrics;
  /** field id → compressed bytes of its column chunks. */
  columnSizes: Map<number, number>;
  /** Byte offsets of the row groups (the manifest's `split_offsets`). */
  splitOffsets: number[];
}

const CODECS: Record<string, number> = {
  zstd: pw.Compression.ZSTD,
  snappy: pw.Compression.SNAPPY,
  gzip: pw.Compression.GZIP,
  uncompressed: pw.Compression.UNCOMPRESSED,
  lz4: pw.Compression.LZ4_RAW,
};

/**
 * Rows per row group: 2 × `PIECE_ROWS` (DuckDB writes 122,880). Small enough that a copy-on-write rewrite copies
 * a file's untouched row groups as bytes (parquet-splice.ts) and that readers split files finely; large enough
 * for dictionaries and zstd: files of 1M rows are within 0.5 % of the size with 1M-row groups, written as fast.
 */
export const ROW_GROUP_ROWS = 131_072;

/**
 * Rows per piece handed to parquet-wasm: each piece is copied once into WebAssembly memory (Arrow IPC) and
 * freed after the writer encodes it, so the wasm heap, which never shrinks, stays at a few tens of MB
 * whatever the batch sizes are. Row groups are still `rowGroupRows` long (the writer concatenates pieces).
 */
export const PIECE_ROWS = 65_536;

/** Writes a table already conformed to `schema` (see conform.ts) as one Parquet file. */
export async function writeParquet(
  table: arrow.Table,
  schema: Schema,
  options: ParquetWriteOptions = {},
): Promise<WrittenParquet> {
  if (table.numRows === 0) return writeEmpty(table, schema, options);
  const w = new ParquetStreamWriter(schema, options);
  try {
    for (const b of table.batches) await w.write(b);
    return await w.finish();
  } catch (err) {
    w.abort();
    throw err;
  }
}

/** A file of no rows (the streaming writer takes its schema from a first batch, so it cannot write one). */
async function writeEmpty(table: arrow.Table, schema: Schema, options: ParquetWriteOptions): Promise<WrittenParquet> {
  const codec = CODECS[(options.compression ?? 'zstd').toLowerCase()] ?? pw.Compression.ZSTD;
  const props = new pw.WriterPropertiesBuilder().setCompression(codec).setCreatedBy('icefloe').build();
  const bytes = pw.writeParquet(pw.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')), props);
  const { columnSizes, splitOffsets } = await footerFacts(bytes, table.schema);
  return { bytes, rows: 0, metrics: new MetricsAccumulator(schema).finish(), columnSizes, splitOffsets };
}

/**
 * One Parquet file written batch by batch (parquet-wasm's `transformParquetStream`, an `AsyncArrowWriter`):
 * row groups are encoded as batches arrive, only the compressed bytes are kept, metrics are accumulated per
 * batch. `write` resolves once the writer has taken the batch (one batch in flight), `finish` returns the
 * file. Batches must be conformed to `schema` (one Arrow schema for the whole file).
 *
 * parquet-wasm 0.8 ignores write errors inside the stream (`let _ = writer.write(..)`), so `finish` checks
 * the footer: magic bytes and a row count equal to the rows written, or it throws.
 */
export class ParquetStreamWriter {
  /** Built from the first batch (the dictionary choice samples it). */
  private props?: import('parquet-wasm').WriterProperties;
  private readonly options: ParquetWriteOptions;
  private readonly metrics: MetricsAccumulator;
  private chunks: Uint8Array[] = [];
  private outBytes = 0;
  private arrowSchema?: arrow.Schema;
  private rows = 0;
  /** Resolves when the writer's output ended (file complete, or the writer failed). */
  private ended?: Promise<void>;
  /** The pending pull of the writer: hand it the next batch, or null to close the file. */
  private give?: (item: WasmBatch | null) => void;
  private pulled = deferred();
  private failure?: Error;
  private closed = false;
  private discard = false;

  constructor(schema: Schema, options: ParquetWriteOptions = {}) {
    this.options = options;
    this.metrics = new MetricsAccumulator(schema);
  }

  /** The writer's properties for a file that starts with `batches`. */
  private properties(batches: arrow.RecordBatch[]): import('parquet-wasm').WriterProperties {
    const codec = CODECS[(this.options.compression ?? 'zstd').toLowerCase()] ?? pw.Compression.ZSTD;
    let b = new pw.WriterPropertiesBuilder()
      .setCompression(codec)
      .setMaxRowGroupSize(this.options.rowGroupRows ?? ROW_GROUP_ROWS)
      .setCreatedBy('icefloe');
    if ((this.options.dictionary ?? 'auto') === 'auto')
      for (const name of plainColumns(batches.filter((x) => x.numRows > 0)))
        b = b.setColumnDictionaryEnabled(name, false);
    return b.build();
  }

  /** Rows written so far. */
  get numRows(): number {
    return this.rows;
  }

  /** Writes one record batch (conformed to the schema); resolves when the writer has taken it. */
  async write(batch: arrow.RecordBatch): Promise<void> {
    await this.writeAll([batch]);
  }

  /**
   * Writes record batches in order; small ones travel to WebAssembly together (one IPC copy per
   * `PIECE_ROWS` rows), large ones in `PIECE_ROWS` slices.
   */
  async writeAll(batches: arrow.RecordBatch[]): Promise<void> {
    if (this.closed) throw new Error('parquet writer: write after finish');
    this.props ??= this.properties(batches);
    let group: arrow.RecordBatch[] = [];
    let groupRows = 0;
    for (const batch of batches) {
      if (batch.numRows === 0) continue;
      this.arrowSchema ??= batch.schema;
      this.metrics.add(batch);
      for (let start = 0; start < batch.numRows; start += PIECE_ROWS) {
        const piece = start === 0 && batch.numRows <= PIECE_ROWS ? batch : batch.slice(start, start + PIECE_ROWS);
        if (groupRows > 0 && groupRows + piece.numRows > PIECE_ROWS) {
          await this.send(group);
          group = [];
          groupRows = 0;
        }
        group.push(piece);
        groupRows += piece.numRows;
      }
    }
    if (groupRows > 0) await this.send(group);
  }

  private async send(group: arrow.RecordBatch[]): Promise<void> {
    const t = pw.Table.fromIPCStream(arrow.tableToIPC(new arrow.Table(group), 'stream'));
    let items: WasmBatch[];
    try {
      items = t.recordBatches();
    } finally {
      t.free();
    }
    for (let i = 0; i < items.length; i++) {
      let give: (item: WasmBatch | null) => void;
      try {
        // the writer pulls once it has encoded the previous batch: one batch in flight
        give = await this.nextPull();
      } catch (err) {
        for (const rest of items.slice(i)) rest.free();
        throw err;
      }
      give(items[i] as WasmBatch);
    }
    for (const b of group) this.rows += b.numRows;
  }

  /** Closes the file: its bytes, metrics and footer facts. */
  async finish(): Promise<WrittenParquet> {
    if (this.closed) throw new Error('parquet writer: finish twice');
    if (this.rows === 0 || !this.arrowSchema) {
      this.abort();
      throw new Error('parquet writer: no rows written');
    }
    const give = await this.nextPull();
    this.closed = true;
    give(null);
    await this.ended;
    if (this.failure) throw this.failure;
    const bytes = concat(this.chunks, this.outBytes);
    this.chunks = [];
    const metrics = this.metrics.finish();
    const facts = await footerFacts(bytes, this.arrowSchema);
    if (facts.rows !== this.rows)
      throw new Error(`parquet writer: the file holds ${facts.rows} rows, ${this.rows} were written`);
    return { bytes, rows: this.rows, metrics, columnSizes: facts.columnSizes, splitOffsets: facts.splitOffsets };
  }

  /** Stops the writer and drops what it wrote (after a failure elsewhere); frees its WebAssembly memory. */
  abort(): void {
    if (this.closed) return;
    this.closed = true;
    this.discard = true;
    this.chunks = [];
    if (!this.ended) {
      this.props?.free();
      this.props = undefined;
      return;
    }
    // let the writer finish on its own (its next pull gets the end of the stream), output discarded
    const close = () => {
      const give = this.give;
      this.give = undefined;
      give?.(null);
    };
    if (this.give) close();
    else void this.pulled.promise.then(close);
  }

  private async nextPull(): Promise<(item: WasmBatch | null) => void> {
    this.start();
    for (;;) {
      if (this.failure) throw this.failure;
      const give = this.give;
      if (give) {
        this.give = undefined;
        this.pulled = deferred();
        return give;
      }
      let over = false;
      await Promise.race([this.pulled.promise, this.ended?.then(() => (over = true))]);
      if (over && !this.give) throw this.failure ?? new Error('parquet writer: the writer stopped early');
    }
  }

  private start(): void {
    if (this.ended) return;
    const input = new ReadableStream<WasmBatch>(
      {
        pull: (c) =>
          new Promise<void>((resolve) => {
            this.give = (item) => {
              if (item === null) c.close();
              else c.enqueue(item);
              resolve();
            };
            this.pulled.resolve();
          }),
      },
      { highWaterMark: 0 },
    );
    // takes the properties (wasm frees them); resolves only once the first batch is in (the writer takes its
    // schema from it), so it is not awaited here
    const props = this.props ?? this.properties([]);
    this.props = undefined;
    this.ended = pw.transformParquetStream(input, props).then(
      (out) => this.drain(out),
      (err) => {
        this.failure ??= parquetError(err);
      },
    );
  }

  private async drain(out: ReadableStream): Promise<void> {
    const reader = out.getReader();
    try {
      for (;;) {
        const r = await reader.read();
        if (r.done) return;
        if (this.discard) continue;
        const bytes = r.value as Uint8Array;
        this.chunks.push(bytes);
        this.outBytes += bytes.length;
      }
    } catch (err) {
      this.failure ??= parquetError(err);
    }
  }
}

type WasmBatch = import('parquet-wasm').RecordBatch;

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

function parquetError(err: unknown): Error {
  const msg = String((err as Error)?.message ?? err).split('\n')[0];
  return new Error(`parquet writer: ${msg}`, { cause: err });
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * Reads the written footer: compressed size per leaf column (by field id), row-group offsets (where each row
 * group's first page starts: the manifest's `split_offsets`), rows.
 */
export async function footerFacts(
  bytes: Uint8Array,
  schema: arrow.Schema,
): Promise<{ columnSizes: Map<number, number>; splitOffsets: number[]; rows: number }> {
  let footer: ParquetFooter;
  try {
    footer = readFooter(bytes);
  } catch (err) {
    throw new Error(`parquet writer: incomplete file (${bytes.length} bytes): ${(err as Error).message}`);
  }
  const ids = leafIdsByPath(schema);
  const columnSizes = new Map<number, number>();
  for (const c of columnChunks(footer)) {
    const id = ids.get(JSON.stringify(c.path));
    if (id !== undefined) columnSizes.set(id, (columnSizes.get(id) ?? 0) + c.compressedSize);
  }
  const rows = footer.groups.reduce((n, g) => n + g.rows, 0);
  return { columnSizes, splitOffsets: footer.groups.map((g) => g.start).sort((a, b) => a - b), rows };
}

/**
 * Parquet leaf path (`l.list.element`, `m.key_value.key`, `s.a`; keyed as a JSON array, so a column named `s.a`
 * is not the child `a` of `s`) → field id.
 */
function leafIdsByPath(schema: arrow.Schema): Map<string, number> {
  const out = new Map<string, number>();
  const visit = (f: arrow.Field, path: string[]): void => {
    const id = f.metadata.get('PARQUET:field_id');
    const t = f.type;
    if (arrow.DataType.isStruct(t)) for (const c of t.children) visit(c, [...path, c.name]);
    else if (arrow.DataType.isList(t)) visit(t.children[0] as arrow.Field, [...path, 'list', 'element']);
    else if (arrow.DataType.isMap(t)) {
      const entries = (t.children[0] as arrow.Field).type as arrow.Struct;
      for (const c of entries.children) visit(c, [...path, 'key_value', c.name]);
    } else if (id !== undefined) out.set(JSON.stringify(path), Number(id));
  };
  for (const f of schema.fields) visit(f, [f.name]);
  return out;
}
