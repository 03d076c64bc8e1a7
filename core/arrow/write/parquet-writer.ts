/**
 * Arrow → Parquet with parquet-wasm (zstd), returning the file bytes and the column metrics a manifest
 * entry needs. Field ids travel as Arrow field metadata `PARQUET:field_id`, which parquet-wasm writes
 * into the Parquet schema (verified with DuckDB's `parquet_schema` in test/unit/arrow-write).
 */
import * as arrow from 'apache-arrow';
import type { Schema } from '../../iceberg/spec/schema';
import { computeMetrics, type FileMetrics } from './metrics';

// parquet-wasm's node build is CommonJS and initializes its wasm synchronously on require.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pw = require('parquet-wasm') as typeof import('parquet-wasm');

export interface ParquetWriteOptions {
  /** Rows per row group. @default 1048576 (smaller groups defeat dictionary encoding: 2-3× larger files) */
  rowGroupRows?: number;
  /** `zstd` (default), `snappy`, `gzip`, `uncompressed` (Iceberg's `write.parquet.compression-codec`). */
  compression?: string;
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

/** Writes a table already conformed to `schema` (see conform.ts) as one Parquet file. */
export async function writeParquet(
  table: arrow.Table,
  schema: Schema,
  options: ParquetWriteOptions = {},
): Promise<WrittenParquet> {
  const codec = CODECS[(options.compression ?? 'zstd').toLowerCase()] ?? pw.Compression.ZSTD;
  const props = new pw.WriterPropertiesBuilder()
    .setCompression(codec)
    .setMaxRowGroupSize(options.rowGroupRows ?? 1_048_576)
    .setCreatedBy('icefloe')
    .build();
  const wasmTable = pw.Table.fromIPCStream(arrow.tableToIPC(table, 'stream'));
  const bytes = pw.writeParquet(wasmTable, props);
  const metrics = computeMetrics(table, schema);
  const { columnSizes, splitOffsets } = await footerFacts(bytes, table.schema);
  return { bytes, rows: table.numRows, metrics, columnSizes, splitOffsets };
}

/** Reads the written footer: compressed size per leaf column (by field id) and row-group offsets. */
export async function footerFacts(
  bytes: Uint8Array,
  schema: arrow.Schema,
): Promise<{ columnSizes: Map<number, number>; splitOffsets: number[] }> {
  const ids = leafIdsByPath(schema);
  const file = await pw.ParquetFile.fromFile(new Blob([bytes]));
  const meta = file.metadata();
  const columnSizes = new Map<number, number>();
  const splitOffsets: number[] = [];
  try {
    for (const rg of meta.rowGroups()) {
      rg.columns().forEach((c, i) => {
        const id = ids.get(c.columnPath().join('.'));
        if (i === 0) splitOffsets.push(Number(c.fileOffset()) || 4);
        if (id !== undefined) columnSizes.set(id, (columnSizes.get(id) ?? 0) + c.compressedSize());
      });
    }
  } finally {
    file.free();
  }
  return { columnSizes, splitOffsets: splitOffsets.sort((a, b) => a - b) };
}

/** Parquet leaf path (`l.list.element`, `m.key_value.key`, `s.a`) → field id. */
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
    } else if (id !== undefined) out.set(path.join('.'), Number(id));
  };
  for (const f of schema.fields) visit(f, [f.name]);
  return out;
}
