/**
 * Reads one data file of a scan into Arrow record batches of the read schema: projection by field
 * id, constants for missing columns, deletes (positions, deletion vectors, equality), the residual
 * row filter, and the row limit. Row groups are decoded in bounded batches.
 */
import * as arrow from 'apache-arrow';
import type { FileIO } from '../../iceberg/io/file-io';
import type { DataFile } from '../../iceberg/spec/manifest';
import type { NameMapping } from '../../iceberg/spec/name-mapping';
import { findFieldById } from '../../iceberg/spec/schema';
import type { NestedField, StructType } from '../../iceberg/spec/types';
import { arrowTypeOf } from '../write/arrow-schema';
import { buildData } from './build';
import { type DeleteLoader, tupleKey } from './deletes';
import { closeParquet, openParquet, type ParquetSource, readRowGroups, rowGroupBatches } from './parquet';
import { type ColumnSource, fileHasFieldIds, planColumns } from './project';
import { vectorGetter } from './raw-values';

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

/** Reserved field ids of the v3 row lineage columns (format/spec.md "Row Lineage"). */
export const ROW_ID = 2147483540;
export const LAST_UPDATED_SEQUENCE_NUMBER = 2147483539;

/** The row lineage metadata columns, readable by name in scans of any table. */
export const LINEAGE_FIELDS: NestedField[] = [
  { id: ROW_ID, name: '_row_id', required: false, type: 'long' },
  { id: LAST_UPDATED_SEQUENCE_NUMBER, name: '_last_updated_sequence_number', required: false, type: 'long' },
];

/**
 * Row lineage inheritance: a null `_row_id` is the file's `first_row_id` + the row's position, a
 * null `_last_updated_sequence_number` the file's data sequence number (null when unknown).
 */
function inheritLineage(read: NestedField[], columns: unknown[][], task: ReadTask, start: number): void {
  read.forEach((f, c) => {
    const col = columns[c];
    if (!col || (f.id !== ROW_ID && f.id !== LAST_UPDATED_SEQUENCE_NUMBER)) return;
    const first = task.dataFile.firstRowId;
    for (let r = 0; r < col.length; r++) {
      if (col[r] !== null && col[r] !== undefined) continue;
      if (f.id === ROW_ID) col[r] = first === undefined ? null : first + BigInt(start + r);
      else col[r] = task.dataSequenceNumber ?? null;
    }
  });
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

function accessorIndex(fields: NestedField[]): Map<number, number[]> {
  const paths = new Map<number, number[]>();
  const walk = (f: NestedField, path: number[]) => {
    paths.set(f.id, path);
    if (typeof f.type === 'object' && f.type.type === 'struct') {
      f.type.fields.forEach((c, j) => {
        walk(c, [...path, j]);
      });
    }
  };
  fields.forEach((f, i) => {
    walk(f, [i]);
  });
  return paths;
}

function keepMask(
  columns: unknown[][],
  length: number,
  start: number,
  deleted: Set<number>,
  eq: { idx: number[]; keys: Set<string> }[],
  filter: ReadTask['filter'],
  paths: Map<number, number[]>,
): number[] {
  const keep: number[] = [];
  let row = 0;
  const access: RowAccessor = (id) => {
    const path = paths.get(id);
    if (!path) return null;
    let v: unknown = columns[path[0] as number]?.[row];
    for (let k = 1; k < path.length && v !== null && v !== undefined; k++) v = (v as unknown[])[path[k] as number];
    return v ?? null;
  };
  for (row = 0; row < length; row++) {
    if (deleted.has(start + row)) continue;
    if (eq.some((e) => e.keys.has(tupleKey(e.idx.map((c) => columns[c]?.[row] ?? null))))) continue;
    if (filter && !filter(access)) continue;
    keep.push(row);
  }
  return keep;
}

function columnValues(table: arrow.Table, plan: ColumnSource[]): unknown[][] {
  return plan.map((c) => {
    if (c.kind === 'constant') return Array.from({ length: table.numRows }, () => c.value);
    const get = vectorGetter(table.getChildAt(c.index) as arrow.Vector);
    return Array.from({ length: table.numRows }, (_, i) => c.convert(get(i)));
  });
}

function toBatch(output: NestedField[], columns: unknown[][], rows: number[]): arrow.RecordBatch {
  const struct: NestedField['type'] = { type: 'struct', fields: output };
  const type = arrowTypeOf(struct) as arrow.Struct;
  const children = output.map((f, j) =>
    buildData(
      f.type,
      rows.map((r) => columns[j]?.[r] ?? null),
      (type.children[j] as arrow.Field).type,
    ),
  );
  const data = arrow.makeData({ type, length: rows.length, nullCount: 0, children });
  return new arrow.RecordBatch(new arrow.Schema(type.children), data);
}

/** Opens the data file (its real size: manifest sizes are not trusted). */
async function open(task: ReadTask, ctx: ReadContext): Promise<ParquetSource> {
  return openParquet(ctx.resolve(task.dataFile.filePath), ctx.io);
}

/** Yields the rows of one data file that survive deletes and the filter, as Arrow batches. */
export async function* readDataFile(
  task: ReadTask,
  ctx: ReadContext,
  state: ReadState,
): AsyncIterable<arrow.RecordBatch> {
  if (ctx.limit !== undefined && state.rowsOut >= ctx.limit) return;
  const source = await open(task, ctx);
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
  for (const groups of rowGroupBatches(source)) {
    const table = await readRowGroups(source, groups);
    const columns = columnValues(table, plan);
    inheritLineage(read, columns, task, start);
    let rows = keepMask(columns, table.numRows, start, deleted, eq, task.filter, paths);
    start += table.numRows;
    if (ctx.limit !== undefined) rows = rows.slice(0, Math.max(0, ctx.limit - state.rowsOut));
    if (rows.length === 0) continue;
    state.rowsOut += rows.length;
    yield toBatch(ctx.output, columns, rows);
    if (ctx.limit !== undefined && state.rowsOut >= ctx.limit) return;
  }
}
