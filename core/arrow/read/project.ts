/**
 * Column projection by Iceberg field id (format/spec.md "Column Projection"): a data file's
 * columns are matched to the read schema by `PARQUET:field_id`, or through the table's name
 * mapping when the file has no ids. A field missing from the file takes, in order, the identity
 * partition value from the manifest, the field's `initial-default`, or null. Values are promoted
 * to the read type (int→long, float→double, decimal widening), renames need nothing: ids match.
 */
import type { Field as ArrowField } from 'apache-arrow';
import { valueFromJson } from '../../iceberg/spec/json-values';
import { mappedFieldId, type NameMapping } from '../../iceberg/spec/name-mapping';
import { findFieldById } from '../../iceberg/spec/schema';
import type { IcebergType, NestedField, StructType } from '../../iceberg/spec/types';
import { isList, isMap, isStruct, primitiveKind } from '../../iceberg/spec/types';
import { uuidFromBytes } from '../../iceberg/spec/values';

const FIELD_ID_KEY = 'PARQUET:field_id';

/** Converts one value read from the file (raw-values.ts form) to the read type's form. */
export type Converter = (v: unknown) => unknown;

/** How one column of the read schema is produced from a file. */
export type ColumnSource = { kind: 'file'; index: number; convert: Converter } | { kind: 'constant'; value: unknown };

/** Field ids of the file's Arrow fields, from metadata or the name mapping. */
export interface IdResolver {
  hasIds: boolean;
  mapping?: NameMapping;
}

function fileFieldId(field: ArrowField, path: string[], ids: IdResolver): number | undefined {
  if (ids.hasIds) {
    const v = field.metadata.get(FIELD_ID_KEY);
    return v === undefined ? undefined : Number(v);
  }
  if (ids.mapping) return mappedFieldId(ids.mapping, path);
  return undefined;
}

/** True when any top-level column of the file carries a field id. */
export function fileHasFieldIds(fields: ArrowField[]): boolean {
  return fields.some((f) => f.metadata.has(FIELD_ID_KEY));
}

/**
 * The index of the file field that holds `target`. Without ids and without a mapping, names are
 * matched (what readers of hand-registered files do); with a mapping, only mapped names count.
 */
export function findSourceIndex(fields: ArrowField[], target: NestedField, path: string[], ids: IdResolver): number {
  const byId = fields.findIndex((f) => fileFieldId(f, [...path, f.name], ids) === target.id);
  if (byId >= 0 || ids.hasIds || ids.mapping) return byId;
  return fields.findIndex((f) => f.name === target.name);
}

/** The in-memory form of a field's `initial-default` (JSON single-value serialization), or null. */
export function initialDefault(field: NestedField): unknown {
  const d = field['initial-default'];
  if (d === undefined || d === null || typeof field.type !== 'string') return null;
  return valueFromJson(field.type, d);
}

function promote(target: string): Converter {
  const kind = primitiveKind(target)?.kind;
  switch (kind) {
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
    case 'timestamp_ns':
    case 'timestamptz_ns':
      return (v) => (v === null ? null : typeof v === 'bigint' ? v : BigInt(v as number));
    case 'int':
    case 'date':
    case 'float':
    case 'double':
      return (v) => (v === null ? null : Number(v));
    case 'decimal':
      return (v) => (v === null ? null : typeof v === 'bigint' ? v : BigInt(v as number));
    case 'uuid':
      return (v) => (v instanceof Uint8Array ? uuidFromBytes(v) : v);
    case 'string':
      return (v) => (v instanceof Uint8Array ? new TextDecoder().decode(v) : v);
    default:
      return (v) => v;
  }
}

/** A converter from a file field to the read type, nested fields matched by id on every level. */
export function converterFor(source: ArrowField, target: IcebergType, path: string[], ids: IdResolver): Converter {
  if (isStruct(target)) {
    const children = source.type.children ?? [];
    const plan = target.fields.map((f) => {
      const idx = findSourceIndex(children, f, path, ids);
      if (idx < 0) return { idx, convert: (() => initialDefault(f)) as Converter };
      const child = children[idx] as ArrowField;
      return { idx, convert: converterFor(child, f.type, [...path, child.name], ids) };
    });
    return (v) => {
      if (v === null || !Array.isArray(v)) return null;
      return plan.map((p) => (p.idx < 0 ? p.convert(null) : p.convert(v[p.idx] ?? null)));
    };
  }
  if (isList(target)) {
    const element = source.type.children?.[0] as ArrowField | undefined;
    if (!element) return () => null;
    const convert = converterFor(element, target.element, [...path, 'element'], ids);
    return (v) => (Array.isArray(v) ? v.map((e) => convert(e ?? null)) : null);
  }
  if (isMap(target)) {
    const entries = source.type.children?.[0] as ArrowField | undefined;
    const [k, val] = (entries?.type.children ?? []) as ArrowField[];
    if (!k || !val) return () => null;
    const ck = converterFor(k, target.key, [...path, 'key'], ids);
    const cv = converterFor(val, target.value, [...path, 'value'], ids);
    return (v) =>
      Array.isArray(v) ? (v as unknown[][]).map((pair) => [ck(pair?.[0] ?? null), cv(pair?.[1] ?? null)]) : null;
  }
  return promote(target);
}

/**
 * Plans how each read field is produced from a file whose top-level Arrow fields are `fields`.
 * `partitionValues` maps field ids to identity partition values of the data file.
 */
export function planColumns(
  fields: ArrowField[],
  read: NestedField[],
  ids: IdResolver,
  partitionValues: Map<number, unknown>,
): ColumnSource[] {
  return read.map((f) => {
    const index = findSourceIndex(fields, f, [], ids);
    if (index >= 0) {
      const source = fields[index] as ArrowField;
      return { kind: 'file', index, convert: converterFor(source, f.type, [source.name], ids) };
    }
    if (partitionValues.has(f.id)) {
      const v = partitionValues.get(f.id) ?? null;
      return { kind: 'constant', value: typeof f.type === 'string' ? promote(f.type)(v) : v };
    }
    return { kind: 'constant', value: initialDefault(f) };
  });
}

/**
 * False when the mapping names a field id that the schema gives to a differently named field
 * (a hand-edited or stale mapping, as in Impala's `iceberg_migrated_complex_test`, whose mapping
 * numbers fields depth-first while the schema numbers them breadth-first). Such a mapping would
 * read columns into the wrong fields; readers then fall back to matching names.
 */
export function mappingMatchesSchema(mapping: NameMapping, schema: StructType): boolean {
  const synthetic = new Set(['element', 'key', 'value']);
  const check = (fields: NameMapping): boolean =>
    fields.every((m) => {
      const id = m['field-id'];
      const f = id === undefined ? undefined : findFieldById(schema, id);
      if (f && !synthetic.has(f.name) && !m.names.includes(f.name)) return false;
      return check(m.fields ?? []);
    });
  return check(mapping);
}
