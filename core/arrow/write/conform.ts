/**
 * Makes incoming Arrow data fit a table's schema before it is written: columns matched by name
 * (exactly, then ignoring case), missing optional columns filled with nulls, integer/float widening,
 * timestamp units converted to the table's unit, and every field re-typed so it carries its
 * `PARQUET:field_id`.
 */
import * as arrow from 'apache-arrow';
import { InvalidInputError } from '../../errors';
import type { Schema } from '../../iceberg/spec/schema';
import type { IcebergType } from '../../iceberg/spec/types';
import { isList, isMap, isStruct } from '../../iceberg/spec/types';
import { arrowSchemaOf, arrowTypeOf } from './arrow-schema';

/** Returns `table` conformed to `schema` (one record batch per input batch). */
export function conformTable(table: arrow.Table, schema: Schema): arrow.Table {
  const target = arrowSchemaOf(schema);
  const batches = table.batches.map((b) => conformBatch(b, schema, target));
  return new arrow.Table(target, batches);
}

/** Conforms one record batch to `schema` (Arrow form `target`). */
export function conformBatch(
  batch: arrow.RecordBatch,
  schema: Schema,
  target = arrowSchemaOf(schema),
): arrow.RecordBatch {
  const names = batch.schema.fields.map((f) => f.name);
  const lower = names.map((n) => n.toLowerCase());
  const children = schema.fields.map((f, i) => {
    let idx = names.indexOf(f.name);
    if (idx < 0) idx = lower.indexOf(f.name.toLowerCase());
    const type = (target.fields[i] as arrow.Field).type;
    if (idx < 0) {
      if (f.required) throw new InvalidInputError(`required column ${f.name} is missing from the written data`);
      return nullData(type, batch.numRows);
    }
    return retype(batch.data.children[idx] as arrow.Data, f.type, type, f.name);
  });
  const data = arrow.makeData({
    type: new arrow.Struct(target.fields),
    length: batch.numRows,
    nullCount: 0,
    children,
  });
  return new arrow.RecordBatch(target, data);
}

function retype(data: arrow.Data, ice: IcebergType, type: arrow.DataType, column: string): arrow.Data {
  if (isStruct(ice)) {
    const st = data.type as arrow.Struct;
    if (!arrow.DataType.isStruct(st)) throw mismatch(column, data.type, ice);
    const children = ice.fields.map((f, i) => {
      const idx = st.children.findIndex((c) => c.name === f.name);
      const childType = ((type as arrow.Struct).children[i] as arrow.Field).type;
      if (idx < 0) return nullData(childType, data.length);
      return retype(data.children[idx] as arrow.Data, f.type, childType, `${column}.${f.name}`);
    });
    return arrow.makeData({
      type: type as arrow.Struct,
      offset: data.offset,
      length: data.length,
      nullCount: data.nullCount,
      nullBitmap: data.nullBitmap,
      children,
    });
  }
  if (isList(ice)) {
    if (!arrow.DataType.isList(data.type)) throw mismatch(column, data.type, ice);
    const childType = ((type as arrow.List).children[0] as arrow.Field).type;
    const child = retype(data.children[0] as arrow.Data, ice.element, childType, `${column}.element`);
    return arrow.makeData({
      type: type as arrow.List,
      offset: data.offset,
      length: data.length,
      nullCount: data.nullCount,
      nullBitmap: data.nullBitmap,
      valueOffsets: data.valueOffsets,
      child,
    });
  }
  if (isMap(ice)) {
    if (!arrow.DataType.isMap(data.type)) throw mismatch(column, data.type, ice);
    const entriesType = ((type as arrow.Map_).children[0] as arrow.Field).type as arrow.Struct;
    const entries = data.children[0] as arrow.Data;
    const [kt, vt] = entriesType.children.map((c) => c.type) as [arrow.DataType, arrow.DataType];
    const k = retype(entries.children[0] as arrow.Data, ice.key, kt, `${column}.key`);
    const v = retype(entries.children[1] as arrow.Data, ice.value, vt, `${column}.value`);
    const child = arrow.makeData({ type: entriesType, length: entries.length, nullCount: 0, children: [k, v] });
    return arrow.makeData({
      type: type as arrow.Map_,
      offset: data.offset,
      length: data.length,
      nullCount: data.nullCount,
      nullBitmap: data.nullBitmap,
      valueOffsets: data.valueOffsets,
      child,
    });
  }
  return retypePrimitive(data, type, column, ice);
}

/** An all-null column of any type, with valid (empty) buffers for offsets and children. */
function nullData(type: arrow.DataType, length: number): arrow.Data {
  return arrow.vectorFromArray(new Array(length).fill(null), type).data[0] as arrow.Data;
}

function mismatch(column: string, from: arrow.DataType, to: IcebergType): InvalidInputError {
  return new InvalidInputError(
    `column ${column}: cannot write arrow ${from} as iceberg ${typeof to === 'string' ? to : to.type}`,
  );
}

function retypePrimitive(data: arrow.Data, type: arrow.DataType, column: string, ice: string): arrow.Data {
  const from = data.type;
  if (arrow.DataType.isNull(data.type)) return nullData(type, data.length);
  if (sameLayout(from, type)) return data;
  const base = { offset: 0, length: data.length, nullCount: data.nullCount, nullBitmap: validity(data) };
  if (arrow.DataType.isInt(type) && arrow.DataType.isInt(from)) {
    const src = data.values as ArrayLike<number | bigint>;
    if ((type as arrow.Int).bitWidth === 64) {
      const out = new BigInt64Array(data.length);
      for (let i = 0; i < data.length; i++) out[i] = BigInt(src[i] as number | bigint);
      return arrow.makeData({ ...base, type: type as arrow.Int64, data: out });
    }
    return arrow.makeData({
      ...base,
      type: type as arrow.Int32,
      data: Int32Array.from(src as ArrayLike<number>, Number),
    });
  }
  if (arrow.DataType.isFloat(type) && (arrow.DataType.isFloat(from) || arrow.DataType.isInt(from))) {
    const out = Float64Array.from(data.values as ArrayLike<number>, Number);
    const f = type as arrow.Float;
    const values = f.precision === arrow.Precision.DOUBLE ? out : Float32Array.from(out);
    return arrow.makeData({ ...base, type: f as arrow.Float64, data: values as Float64Array });
  }
  if (arrow.DataType.isTimestamp(type) && arrow.DataType.isTimestamp(from)) {
    return arrow.makeData({
      ...base,
      type: type as arrow.Timestamp,
      data: rescale(data.values, from.unit, (type as arrow.Timestamp).unit),
    });
  }
  if (arrow.DataType.isDate(type) && arrow.DataType.isDate(from)) {
    const ms = arrow.makeVector(data);
    const days = new Int32Array(data.length);
    for (let i = 0; i < data.length; i++) days[i] = Math.floor(Number(ms.get(i) ?? 0) / 86_400_000);
    return arrow.makeData({ ...base, type: type as arrow.DateDay, data: days });
  }
  if (arrow.DataType.isTime(type) && arrow.DataType.isTime(from)) {
    return arrow.makeData({
      ...base,
      type: type as arrow.TimeMicrosecond,
      data: rescale(data.values, from.unit, (type as arrow.Time).unit) as unknown as BigInt64Array,
    });
  }
  if (sameLayout(from, type)) return data;
  const vec = arrow.makeVector(data);
  try {
    return arrow.vectorFromArray(
      [...vec].map((v) => (v === null ? null : v)),
      type,
    ).data[0] as arrow.Data;
  } catch {
    throw mismatch(column, from, ice);
  }
}

function sameLayout(a: arrow.DataType, b: arrow.DataType): boolean {
  return a.typeId === b.typeId && String(a) === String(b);
}

function validity(data: arrow.Data): Uint8Array | undefined {
  if (data.nullCount === 0) return undefined;
  const out = new Uint8Array(Math.ceil(data.length / 8));
  for (let i = 0; i < data.length; i++) if (data.getValid(i)) out[i >> 3] = (out[i >> 3] as number) | (1 << (i & 7));
  return out;
}

const UNIT_NS = [1_000_000_000n, 1_000_000n, 1_000n, 1n];

function rescale(values: ArrayLike<number | bigint>, from: arrow.TimeUnit, to: arrow.TimeUnit): BigInt64Array {
  const f = UNIT_NS[from] as bigint;
  const t = UNIT_NS[to] as bigint;
  const out = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = BigInt(values[i] as number | bigint) * f;
    // Floor division keeps instants before 1970 in the right unit bucket.
    out[i] = v >= 0n || v % t === 0n ? v / t : v / t - 1n;
  }
  return out;
}

/** Arrow type of an Iceberg type (re-exported for callers conforming single columns). */
export { arrowTypeOf };
