/**
 * One decoded batch of row groups, seen as the read schema's columns. Values are materialized
 * lazily (only columns a filter, a delete or a conversion needs); a column whose file type is
 * already the output type passes through as Arrow data untouched when no row is dropped.
 */
import * as arrow from 'apache-arrow';
import { isPrimitive, type NestedField } from '../../iceberg/spec/types';
import { arrowTypeOf } from '../write/arrow-schema';
import { buildData } from './build';
import { tupleKey } from './deletes';
import { FILE_ID, LAST_UPDATED_SEQUENCE_NUMBER, POS_ID, ROW_ID } from './lineage';

const METADATA_IDS = new Set([FILE_ID, POS_ID, ROW_ID, LAST_UPDATED_SEQUENCE_NUMBER]);

import type { ColumnSource } from './project';
import { vectorGetter } from './raw-values';
import type { ReadTask, RowAccessor } from './read-file';

/** Field id → positions from a top-level column down through nested structs. */
export function accessorIndex(fields: NestedField[]): Map<number, number[]> {
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

/** The read schema's columns over one decoded Arrow table. */
export class BatchColumns {
  private readonly values: (unknown[] | undefined)[] = [];
  readonly length: number;

  constructor(
    private readonly table: arrow.Table,
    private readonly plan: ColumnSource[],
    private readonly read: NestedField[],
    private readonly task: ReadTask,
    /** Position of the first row in the file. */
    private readonly start: number,
  ) {
    this.length = table.numRows;
  }

  /** The in-memory values of column `j` (computed once). */
  column(j: number): unknown[] {
    let col = this.values[j];
    if (col) return col;
    const c = this.plan[j] as ColumnSource;
    if (c.kind === 'constant') col = Array.from({ length: this.length }, () => c.value);
    else {
      const get = vectorGetter(this.table.getChildAt(c.index) as arrow.Vector);
      col = Array.from({ length: this.length }, (_, i) => c.convert(get(i)));
    }
    this.inheritLineage(j, col);
    this.values[j] = col;
    return col;
  }

  /**
   * Row lineage inheritance (format/spec.md "Row Lineage"): a null `_row_id` is the file's
   * `first_row_id` + the row's position, a null `_last_updated_sequence_number` the file's data
   * sequence number.
   */
  private inheritLineage(j: number, col: unknown[]): void {
    const id = this.read[j]?.id;
    if (id === FILE_ID) col.fill(this.task.dataFile.filePath);
    if (id === POS_ID) for (let r = 0; r < col.length; r++) col[r] = BigInt(this.start + r);
    if (id !== ROW_ID && id !== LAST_UPDATED_SEQUENCE_NUMBER) return;
    const first = this.task.dataFile.firstRowId;
    for (let r = 0; r < col.length; r++) {
      if (col[r] !== null && col[r] !== undefined) continue;
      if (id === ROW_ID) col[r] = first === undefined ? null : first + BigInt(this.start + r);
      else col[r] = this.task.dataSequenceNumber ?? null;
    }
  }

  /** The file's Arrow data for column `j` when it already is the output type (one chunk). */
  private passThrough(j: number, type: arrow.DataType): arrow.Data | undefined {
    const c = this.plan[j];
    const f = this.read[j];
    if (c?.kind !== 'file' || !f || !isPrimitive(f.type) || METADATA_IDS.has(f.id)) {
      return undefined;
    }
    const vector = this.table.getChildAt(c.index);
    if (vector?.data.length !== 1 || String(vector.type) !== String(type)) return undefined;
    return vector.data[0];
  }

  /** An Arrow batch of the output columns (the first `output.length` read columns) at `rows` (null: every row). */
  toBatch(output: NestedField[], rows: number[] | null): arrow.RecordBatch {
    const type = arrowTypeOf({ type: 'struct', fields: output }) as arrow.Struct;
    const all = rows === null || rows.length === this.length;
    const length = rows === null ? this.length : rows.length;
    const children = output.map((f, j) => {
      const childType = (type.children[j] as arrow.Field).type;
      const same = all ? this.passThrough(j, childType) : undefined;
      if (same) return same;
      const col = this.column(j);
      return buildData(f.type, rows === null ? col.map((v) => v ?? null) : rows.map((r) => col[r] ?? null), childType);
    });
    const data = arrow.makeData({ type, length, nullCount: 0, children });
    return new arrow.RecordBatch(new arrow.Schema(type.children), data);
  }
}

/**
 * Rows of the batch that survive position deletes, equality deletes and the residual filter; null when nothing
 * can remove a row (every row survives: no index list is built).
 */
export function keepRows(
  columns: BatchColumns,
  start: number,
  deleted: Set<number>,
  eq: { idx: number[]; keys: Set<string> }[],
  filter: ReadTask['filter'],
  paths: Map<number, number[]>,
): number[] | null {
  if (deleted.size === 0 && eq.length === 0 && !filter) return null;
  const keep: number[] = [];
  let row = 0;
  const access: RowAccessor = (id) => {
    const path = paths.get(id);
    if (!path) return null;
    let v: unknown = columns.column(path[0] as number)[row];
    for (let k = 1; k < path.length && v !== null && v !== undefined; k++) v = (v as unknown[])[path[k] as number];
    return v ?? null;
  };
  const eqCols = eq.map((e) => ({ keys: e.keys, cols: e.idx.map((c) => (c >= 0 ? columns.column(c) : [])) }));
  for (row = 0; row < columns.length; row++) {
    if (deleted.has(start + row)) continue;
    if (eqCols.some((e) => e.keys.has(tupleKey(e.cols.map((c) => c[row] ?? null))))) continue;
    if (filter && !filter(access)) continue;
    keep.push(row);
  }
  return keep;
}
