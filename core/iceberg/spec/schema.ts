/**
 * Schemas: a struct with an id (format/spec.md "Schemas"). Lookups by field id and by dotted
 * name over nested structs, lists (`a.element`) and maps (`m.key`, `m.value`).
 */
import type { IcebergType, NestedField, StructType } from './types';
import { isList, isMap, isStruct } from './types';

export interface Schema extends StructType {
  'schema-id': number;
  'identifier-field-ids'?: number[];
}

/** A field reached through the schema, with its full dotted name and its parents' ids. */
export interface IndexedField {
  field: NestedField;
  /** Full dotted name, e.g. `location.lat`, `tags.element`, `props.key`. */
  name: string;
  /** Ids of the enclosing fields, outermost first. */
  parents: number[];
}

export interface SchemaIndex {
  byId: Map<number, IndexedField>;
  byName: Map<string, IndexedField>;
  byLowerName: Map<string, IndexedField>;
}

const cache = new WeakMap<StructType, SchemaIndex>();

/** Indexes every field of a schema (cached per schema object; schemas are treated as immutable). */
export function indexSchema(schema: StructType): SchemaIndex {
  const hit = cache.get(schema);
  if (hit) return hit;
  const idx: SchemaIndex = { byId: new Map(), byName: new Map(), byLowerName: new Map() };
  const add = (field: NestedField, name: string, parents: number[]): void => {
    const entry = { field, name, parents };
    idx.byId.set(field.id, entry);
    idx.byName.set(name, entry);
    if (!idx.byLowerName.has(name.toLowerCase())) idx.byLowerName.set(name.toLowerCase(), entry);
    visit(field.type, name, [...parents, field.id]);
  };
  const visit = (t: IcebergType, prefix: string, parents: number[]): void => {
    const p = prefix === '' ? '' : `${prefix}.`;
    if (isStruct(t)) for (const f of t.fields) add(f, `${p}${f.name}`, parents);
    else if (isList(t))
      add(synthetic(t['element-id'], 'element', t.element, t['element-required']), `${p}element`, parents);
    else if (isMap(t)) {
      add(synthetic(t['key-id'], 'key', t.key, true), `${p}key`, parents);
      add(synthetic(t['value-id'], 'value', t.value, t['value-required']), `${p}value`, parents);
    }
  };
  visit(schema, '', []);
  cache.set(schema, idx);
  return idx;
}

function synthetic(id: number, name: string, type: IcebergType, required: boolean): NestedField {
  return { id, name, type, required };
}

/** The field with this id, anywhere in the schema. */
export function findFieldById(schema: StructType, id: number): NestedField | undefined {
  return indexSchema(schema).byId.get(id)?.field;
}

/** The full dotted name of a field id, e.g. `location.lat`. */
export function fieldNameById(schema: StructType, id: number): string | undefined {
  return indexSchema(schema).byId.get(id)?.name;
}

/** The field with this dotted name; `caseSensitive: false` matches names ignoring case. */
export function findFieldByName(schema: StructType, name: string, caseSensitive = true): NestedField | undefined {
  const idx = indexSchema(schema);
  return (caseSensitive ? idx.byName.get(name) : idx.byLowerName.get(name.toLowerCase()))?.field;
}

/** The highest field id used anywhere in the schema (0 when empty). */
export function highestFieldId(schema: StructType): number {
  let max = 0;
  for (const id of indexSchema(schema).byId.keys()) if (id > max) max = id;
  return max;
}

/** The top-level columns selected by name (or all), keeping schema order; unknown names are returned in `missing`. */
export function selectColumns(
  schema: Schema,
  names: string[] | undefined,
  caseSensitive = true,
): { fields: NestedField[]; missing: string[] } {
  if (!names) return { fields: [...schema.fields], missing: [] };
  const eq = (a: string, b: string) => (caseSensitive ? a === b : a.toLowerCase() === b.toLowerCase());
  const missing = names.filter((n) => !schema.fields.some((f) => eq(f.name, n)));
  return { fields: schema.fields.filter((f) => names.some((n) => eq(f.name, n))), missing };
}
