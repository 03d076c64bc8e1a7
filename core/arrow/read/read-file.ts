/**
 * Reads one data file of a scan into Arrow record batches of the read schema: projection by field
 * id, constants for missing columns, deletes (positions, deletion vectors, equality), the residual
 * row filter, and the row limit. Row groups are decoded in bounded batches.
 */
import * as arrow from 'apache-arrow';
import { InvalidInputError } from '../../errors';
import type { FileIO } from '../../iceberg/io/file-io';
import type { DataFile } from '../../iceberg/spec/manifest';
import type { NameMapping } from '../../iceberg/spec/name-mapping';
import { findFieldById } from '../../iceberg/spec/schema';
import type { NestedField, StructType } from '../../iceberg/spec/types';
import { accessorIndex, BatchColumns, keepRows } from './batch-columns';

export { LAST_UPDATED_SEQUENCE_NUMBER, LINEAGE_FIELDS, ROW_ID } from './lineage';

import type { DeleteLoader } from './deletes';
import { closeParquet, openParquet, type ParquetSource, readRowGroups, rowGroupBatches } from './parquet';
import { fileHasFieldIds, planColumns } from './project';

/** Reads a value of the current row by field id (top-level or nested in structs). */
export type RowAccessor = (fieldId: number) => unknown;

/** One data file to read, with the delete files that apply to it. */
export interface ReadTask {
  dataFile: DataFile;
  deletes: DataFile[];
  /** Identity partition values by source field id, from the manifest's partition tuple. */
  partitionValues: Map<number, unknown>;
  /** Residual filter; rows where it returns false are dropped. */
  filter?: (row: RowAccessor) => boolean;
  /** The file's data sequence number (v3 row lineage: `_last_updated_sequence_number` inheritance). */
  dataSequenceNumber?: bigint;
}

export interface ReadContext {
  io: FileIO;
  /** Resolves a path written in metadata to the path to read. */
  resolve: (path: string) => string;
  /** Output columns (in order). */
  output: NestedField[];
  /** Columns needed for filters but not output (equality delete columns are added per file). */
  extra: NestedField[];
  /** The table schema the equality field ids refer to. */
  schema: StructType;
  nameMapping?: NameMapping;
  deletes: DeleteLoader;
  /** Stop after this many rows in total; shared across files via `state`. */
  limit?: number;
}

/** Mutable counters shared by all files of one scan. */
export interface ReadState {
  rowsOut: number;
}

/** Opens a task's data file (its real size: manifest sizes are not trusted). */
export async function openDataFile(task: ReadTask, ctx: ReadContext): Promise<ParquetSource> {
  const path = ctx.resolve(task.dataFile.filePath);
  const format = task.dataFile.fileFormat.toUpperCase();
  if (format !== 'PARQUET') {
    throw new InvalidInputError(`cannot read ${format.toLowerCase()} data file ${path}: only parquet is supported`);
  }
  return openParquet(path, ctx.io);
}

/** Yields the rows of one data file that survive deletes and the filter, as Arrow batches. */
export async function* readDataFile(
  task: ReadTask,
  ctx: ReadContext,
  state: ReadState,
  /** The file already being opened (prefetch by the caller); it is closed here either way. */
  opened?: Promise<ParquetSource>,
): AsyncIterable<arrow.RecordBatch> {
  if (ctx.limit !== undefined && state.rowsOut >= ctx.limit) {
    opened?.then(closeParquet, () => undefined);
    return;
  }
  const source = await (opened ?? openDataFile(task, ctx));
  try {
    yield* readSource(source, task, ctx, state);
  } finally {
    closeParquet(source);
  }
}

async function* readSource(source: ParquetSource, task: ReadTask, ctx: ReadContext, state: ReadState) {
  const read = [...ctx.output, ...ctx.extra];
  for (const d of task.deletes) {
    for (const id of d.equalityIds ?? []) {
      const f = findFieldById(ctx.schema, id);
      if (f && !read.some((r) => r.id === id)) read.push(f);
    }
  }
  const fields = source.schema.fields;
  const ids = fileHasFieldIds(fields)
    ? { hasIds: true }
    : { hasIds: false, ...(ctx.nameMapping ? { mapping: ctx.nameMapping } : {}) };
  const plan = planColumns(fields, read, ids, task.partitionValues);
  const deleted = await ctx.deletes.deletedPositions(source.path, task.deletes);
  const eq = (await ctx.deletes.equalitySets(task.deletes)).map((s) => ({
    idx: s.fieldIds.map((id) => read.findIndex((f) => f.id === id)),
    keys: s.keys,
  }));
  const paths = accessorIndex(read);
  let start = 0;
  for (const groups of rowGroupBatches(source, 8 * 1024 * 1024)) {
    // several row groups may come out as several batches: one at a time, so unchanged columns pass through
    for (const batch of (await readRowGroups(source, groups)).batches) {
      const table = new arrow.Table([batch]);
      const columns = new BatchColumns(table, plan, read, task, start);
      let rows = keepRows(columns, start, deleted, eq, task.filter, paths);
      start += table.numRows;
      let count = rows === null ? table.numRows : rows.length;
      if (ctx.limit !== undefined && count > ctx.limit - state.rowsOut) {
        count = Math.max(0, ctx.limit - state.rowsOut);
        rows = (rows ?? Array.from({ length: table.numRows }, (_, i) => i)).slice(0, count);
      }
      if (count === 0) continue;
      state.rowsOut += count;
      yield columns.toBatch(ctx.output, rows);
      if (ctx.limit !== undefined && state.rowsOut >= ctx.limit) return;
    }
  }
}
