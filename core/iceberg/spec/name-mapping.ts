/**
 * Name mapping (format/spec.md "Column Projection" and "Name Mapping Serialization"): for data
 * files without field ids, the table property `schema.name-mapping.default` maps column names to ids.
 */
import { type JsonValue, parseJson } from './json';
import { FieldReader } from './json-fields';
import type { TableMetadata } from './table-metadata';
import type { IcebergType, StructType } from './types';
import { isList, isMap, isStruct } from './types';

export interface MappedField {
  /** Absent when the names map to no field (the column is ignored). */
  'field-id'?: number;
  names: string[];
  fields?: MappedField[];
}

export type NameMapping = MappedField[];

/** The table property that holds the default name mapping. */
export const NAME_MAPPING_PROPERTY = 'schema.name-mapping.default';

/** Parses the JSON text of a name mapping. */
export function parseNameMapping(text: string, source = NAME_MAPPING_PROPERTY): NameMapping {
  const r = new FieldReader(`name mapping ${source}`);
  let json: JsonValue;
  try {
    json = parseJson(text);
  } catch (e) {
    return r.fail(`bad json: ${(e as Error).message}`);
  }
  const read = (v: JsonValue): MappedField => {
    const o = r.object(v, 'mapped field');
    const f: MappedField = { names: r.array(o, 'names').map((n) => String(n)) };
    const id = r.optInt(o, 'field-id');
    if (id !== undefined) f['field-id'] = id;
    const nested = r.optArray(o, 'fields');
    if (nested) f.fields = nested.map(read);
    return f;
  };
  if (!Array.isArray(json)) return r.fail('must be a json array');
  return json.map(read);
}

/** The table's default name mapping, or undefined when the property is not set. */
export function tableNameMapping(m: TableMetadata): NameMapping | undefined {
  const text = m.properties[NAME_MAPPING_PROPERTY];
  return text === undefined ? undefined : parseNameMapping(text);
}

/**
 * The field id for a column path in a file, e.g. `['location', 'lat']`; lists and maps use
 * `element`, `key`, `value` as path parts. Undefined when the mapping has no id for it.
 */
export function mappedFieldId(mapping: NameMapping, path: string[]): number | undefined {
  let level: MappedField[] | undefined = mapping;
  let id: number | undefined;
  for (const part of path) {
    const hit: MappedField | undefined = level?.find((f) => f.names.includes(part));
    if (!hit) return undefined;
    id = hit['field-id'];
    level = hit.fields;
  }
  return id;
}

/** A name mapping with every field of a schema under its current name (what writers set on create). */
export function nameMappingFromSchema(schema: StructType): NameMapping {
  const nested = (t: IcebergType): MappedField[] | undefined => {
    if (isStruct(t)) return t.fields.map((f) => withFields({ 'field-id': f.id, names: [f.name] }, nested(f.type)));
    if (isList(t)) return [withFields({ 'field-id': t['element-id'], names: ['element'] }, nested(t.element))];
    if (isMap(t))
      return [
        withFields({ 'field-id': t['key-id'], names: ['key'] }, nested(t.key)),
        withFields({ 'field-id': t['value-id'], names: ['value'] }, nested(t.value)),
      ];
    return undefined;
  };
  return nested(schema) ?? [];
}

function withFields(f: MappedField, fields: MappedField[] | undefined): MappedField {
  return fields ? { ...f, fields } : f;
}
