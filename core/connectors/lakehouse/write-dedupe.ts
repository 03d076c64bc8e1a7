/**
 * Merge-on-read across chunks: equality deletes never delete rows of the same snapshot, so a key staged
 * by two chunks of one run would stay twice. Before the commit, the data files of earlier chunks are
 * rewritten without keys that a later chunk also holds (the last chunk wins, like rows within a chunk).
 */
import * as arrow from 'apache-arrow';
import { conformTable } from '../../arrow/write/conform';
import { writeDataFiles } from '../../arrow/write/data-file-writer';
import { takeTable } from '../../arrow/write/take';
import type { FileIO } from '../../iceberg/io/file-io';
import { type DataFile, DataFileContent } from '../../iceberg/spec/manifest';
import type { PartitionSpec } from '../../iceberg/spec/partition-spec';
import type { Schema } from '../../iceberg/spec/schema';
import type { TableMetadata } from '../../iceberg/spec/table-metadata';
import { readParquetTable, rowKeys } from '../../iceberg/transaction/merge';

const pw = require('parquet-wasm') as typeof import('parquet-wasm');

function readColumns(bytes: Uint8Array, schema: Schema): arrow.Table {
  return arrow.tableFromIPC(pw.readParquet(bytes, { columns: schema.fields.map((f) => f.name) }).intoIPCStream());
}

export interface DedupeContext {
  io: FileIO;
  metadata: TableMetadata;
  schema: Schema;
  spec: PartitionSpec;
  keyIds: number[];
}

/** Returns the files to commit (earlier chunks' duplicates rewritten away) and the replaced paths. */
export async function dedupeAcrossChunks(
  c: DedupeContext,
  chunks: DataFile[][],
): Promise<{ files: DataFile[]; replaced: string[] }> {
  const data = chunks.map((files) => files.filter((f) => f.content === DataFileContent.Data));
  if (data.filter((files) => files.length > 0).length < 2) return { files: chunks.flat(), replaced: [] };
  const keySchema: Schema = { ...c.schema, fields: c.schema.fields.filter((f) => c.keyIds.includes(f.id)) };
  const keysOf = new Map<string, string[]>();
  const lastChunk = new Map<string, number>();
  for (let ci = 0; ci < data.length; ci++) {
    for (const f of data[ci] as DataFile[]) {
      // Key columns only: most files keep all their rows and are never read whole.
      const keyTable = conformTable(readColumns(await c.io.read(f.filePath), keySchema), keySchema);
      const keys = rowKeys(keyTable, keySchema, c.keyIds);
      keysOf.set(f.filePath, keys);
      for (const k of keys) lastChunk.set(k, ci);
    }
  }
  const out: DataFile[] = [];
  const replaced: string[] = [];
  for (let ci = 0; ci < chunks.length; ci++) {
    for (const f of chunks[ci] as DataFile[]) {
      const keys = keysOf.get(f.filePath);
      if (!keys?.some((k) => (lastChunk.get(k) ?? ci) > ci)) {
        out.push(f);
        continue;
      }
      replaced.push(f.filePath);
      const keep = keys.flatMap((k, i) => ((lastChunk.get(k) ?? ci) > ci ? [] : [i]));
      if (keep.length === 0) continue;
      const stem = f.filePath.slice(f.filePath.lastIndexOf('/') + 1).replace(/\.parquet$/, '');
      const whole = conformTable(readParquetTable(await c.io.read(f.filePath)), c.schema);
      const t = takeTable(whole, Int32Array.from(keep));
      const m = c.metadata;
      out.push(
        ...(await writeDataFiles(t, {
          io: c.io,
          location: m.location,
          schema: c.schema,
          spec: c.spec,
          properties: m.properties,
          prefix: `${stem}-dedup`,
        })),
      );
    }
  }
  return { files: out, replaced };
}
