/**
 * Arrow ↔ Iceberg schema mapping for the write path. Every Arrow field written to Parquet carries its
 * Iceberg field id as `PARQUET:field_id` (format/spec.md "Parquet": field ids are required on write),
 * including list elements and map keys/values.
 */
import * as arrow from 'apache-arrow';
import { InvalidInputError } from '../../errors';
import type { Schema } from '../../iceberg/spec/schema';
import type { IcebergType, NestedField, StructType } from '../../iceberg/spec/types';
import { isList, isMap, isStruct, primitiveKind } from '../../iceberg/spec/types';

export const FIELD_ID_KEY = 'PARQUET:field_id';

/** Iceberg primitive → Arrow type (the physical form we write). */
export function arrowTypeOfPrimitive(t: string): arrow.DataType {
  const k = primitiveKind(t);
  switch (k?.kind) {
    case 'boolean':
      return new arrow.Bool();
    case 'int':
      return new arrow.Int32();
    case 'long':
      return new arrow.Int64();
    case 'float':
      return new arrow.Float32();
    case 'double':
      return new arrow.Float64();
    case 'decimal':
      return new arrow.Decimal(k.scale, k.precision, 128);
    case 'date':
      return new arrow.DateDay();
    case 'time':
      return new arrow.TimeMicrosecond();
    case 'timestamp':
      return new arrow.TimestampMicrosecond();
    case 'timestamptz':
      return new arrow.TimestampMicrosecond('UTC');
    case 'timestamp_ns':
      return new arrow.TimestampNanosecond();
    case 'timestamptz_ns':
      return new arrow.TimestampNanosecond('UTC');
    case 'string':
      return new arrow.Utf8();
    case 'uuid':
      return new arrow.FixedSizeBinary(16);
    case 'fixed':
      return new arrow.FixedSizeBinary(k.length);
    case 'binary':
      return new arrow.Binary();
    default:
      throw new InvalidInputError(`cannot write iceberg type ${t} to parquet`);
  }
}

function withId(name: string, type: arrow.DataType, nullable: boolean, id: number): arrow.Field {
  return new arrow.Field(name, type, nullable, new Map([[FIELD_ID_KEY, String(id)]]));
}

/** Iceberg type → Arrow type, nested fields carrying their field ids. */
export function arrowTypeOf(t: IcebergType): arrow.DataType {
  if (isStruct(t)) return new arrow.Struct(t.fields.map(arrowFieldOf));
  if (isList(t))
    return new arrow.List(withId('element', arrowTypeOf(t.element), !t['element-required'], t['element-id']));
  if (isMap(t)) {
    const entries = new arrow.Struct([
      withId('key', arrowTypeOf(t.key), false, t['key-id']),
      withId('value', arrowTypeOf(t.value), !t['value-required'], t['value-id']),
    ]);
    return new arrow.Map_(new arrow.Field('key_value', entries, false));
  }
  return arrowTypeOfPrimitive(t);
}

/** One Iceberg field → Arrow field with `PARQUET:field_id`. */
export function arrowFieldOf(f: NestedField): arrow.Field {
  return withId(f.name, arrowTypeOf(f.type), !f.required, f.id);
}

/** The Arrow schema Parquet files of this Iceberg schema are written with. */
export function arrowSchemaOf(schema: StructType): arrow.Schema {
  return new arrow.Schema(schema.fields.map(arrowFieldOf));
}

/** Arrow type → Iceberg primitive (for create-table and schema evolution from incoming batches). */
export function icebergPrimitiveOf(t: arrow.DataType, column: string): string {
  if (arrow.DataType.isBool(t)) return 'boolean';
  // An all-null column (Arrow Null) has no type to infer: v2 has no `unknown`, so it becomes an optional string.
  if (arrow.DataType.isNull(t)) return 'string';
  if (arrow.DataType.isInt(t)) return t.bitWidth === 64 || (t.bitWidth === 32 && !t.isSigned) ? 'long' : 'int';
  if (arrow.DataType.isFloat(t)) return t.precision === arrow.Precision.DOUBLE ? 'double' : 'float';
  if (arrow.DataType.isDecimal(t)) return `decimal(${t.precision}, ${t.scale})`;
  if (arrow.DataType.isDate(t)) return 'date';
  if (arrow.DataType.isTime(t)) return 'time';
  if (arrow.DataType.isTimestamp(t)) {
    const ns = t.unit === arrow.TimeUnit.NANOSECOND;
    return `${t.timezone ? 'timestamptz' : 'timestamp'}${ns ? '_ns' : ''}`;
  }
  if (arrow.DataType.isUtf8(t) || arrow.DataType.isLargeUtf8(t)) return 'string';
  if (arrow.DataType.isBinary(t) || arrow.DataType.isLargeBinary(t)) return 'binary';
  if (arrow.DataType.isFixedSizeBinary(t)) return `fixed[${t.byteWidth}]`;
  throw new InvalidInputError(`column ${column}: arrow type ${t} has no iceberg type`);
}

/** Reads `PARQUET:field_id` from an Arrow field, if present. */
export function fieldIdOf(f: arrow.Field): number | undefined {
  const v = f.metadata.get(FIELD_ID_KEY);
  return v === undefined ? undefined : Number(v);
}

/**
 * Builds an Iceberg schema from an Arrow schema, assigning fresh ids in pre-order from `nextId()`
 * (field ids already present in the Arrow metadata are ignored: a new table numbers its own columns).
 */
export function icebergSchemaOf(schema: arrow.Schema, schemaId = 0): Schema {
  let last = 0;
  const nextId = () => ++last;
  // Top-level ids first (as Iceberg Java's TypeUtil.assignFreshIds does), then nested ones.
  const ids = schema.fields.map(() => nextId());
  const fields = schema.fields.map((f, i) => icebergFieldOf(f, ids[i] as number, nextId));
  return { type: 'struct', 'schema-id': schemaId, fields };
}

/** One Arrow field → Iceberg field with id `id`; nested ids come from `nextId`. */
export function icebergFieldOf(f: arrow.Field, id: number, nextId: () => number): NestedField {
  const required = !f.nullable && !arrow.DataType.isNull(f.type);
  return { id, name: f.name, required, type: icebergTypeOf(f.type, f.name, nextId) };
}

function icebergTypeOf(t: arrow.DataType, column: string, nextId: () => number): IcebergType {
  if (arrow.DataType.isStruct(t)) {
    const ids = t.children.map(() => nextId());
    return {
      type: 'struct',
      fields: t.children.map((c, i) => icebergFieldOf(c, ids[i] as number, nextId)),
    };
  }
  if (arrow.DataType.isList(t) || arrow.DataType.isFixedSizeList(t)) {
    const child = t.children[0] as arrow.Field;
    const elementId = nextId();
    return {
      type: 'list',
      'element-id': elementId,
      element: icebergTypeOf(child.type, `${column}.element`, nextId),
      'element-required': !child.nullable,
    };
  }
  if (arrow.DataType.isMap(t)) {
    const entries = (t.children[0] as arrow.Field).type as arrow.Struct;
    const [k, v] = entries.children as [arrow.Field, arrow.Field];
    const keyId = nextId();
    const valueId = nextId();
    return {
      type: 'map',
      'key-id': keyId,
      key: icebergTypeOf(k.type, `${column}.key`, nextId),
      'value-id': valueId,
      value: icebergTypeOf(v.type, `${column}.value`, nextId),
      'value-required': !v.nullable,
    };
  }
  return icebergPrimitiveOf(t, column);
}
