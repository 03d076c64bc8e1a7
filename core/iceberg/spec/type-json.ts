/**
 * Types and schemas from and to their JSON form (format/spec.md Appendix C).
 */
import type { JsonValue } from './json';
import type { FieldReader, JsonObject } from './json-fields';
import type { Schema } from './schema';
import type { IcebergType, NestedField } from './types';
import { primitiveKind } from './types';

/** Parses a type from its JSON form; `at` names the field for messages. */
export function parseType(r: FieldReader, v: JsonValue | undefined, at: string): IcebergType {
  if (typeof v === 'string') {
    if (!primitiveKind(v)) r.fail(`unknown type '${v}' of ${at}`);
    return v;
  }
  const o = r.object(v, `${at}.type`);
  const kind = o.type;
  if (kind === 'struct')
    return { type: 'struct', fields: r.array(o, 'fields', `${at}.fields`).map((f) => parseField(r, f, at)) };
  if (kind === 'list') {
    return {
      type: 'list',
      'element-id': r.int(o, 'element-id', `${at}.element-id`),
      element: parseType(r, o.element, `${at}.element`),
      'element-required': r.bool(o, 'element-required', `${at}.element-required`),
    };
  }
  if (kind === 'map') {
    return {
      type: 'map',
      'key-id': r.int(o, 'key-id', `${at}.key-id`),
      key: parseType(r, o.key, `${at}.key`),
      'value-id': r.int(o, 'value-id', `${at}.value-id`),
      value: parseType(r, o.value, `${at}.value`),
      'value-required': r.bool(o, 'value-required', `${at}.value-required`),
    };
  }
  return r.fail(`unknown type ${JSON.stringify(kind ?? null)} of ${at}`);
}

function parseField(r: FieldReader, v: JsonValue, parent: string): NestedField {
  const o = r.object(v, `${parent} field`);
  const name = r.string(o, 'name', `${parent}.fields[].name`);
  const at = parent === 'schema' ? name : `${parent}.${name}`;
  const field: NestedField = {
    id: r.int(o, 'id', `${at}.id`),
    name,
    required: r.bool(o, 'required', `${at}.required`),
    type: parseType(r, o.type, at),
  };
  if (typeof o.doc === 'string') field.doc = o.doc;
  if (o['initial-default'] !== undefined) field['initial-default'] = o['initial-default'];
  if (o['write-default'] !== undefined) field['write-default'] = o['write-default'];
  return field;
}

/** Parses a schema object (`type: struct` plus `schema-id`); `defaultId` for v1 schemas without one. */
export function parseSchema(r: FieldReader, v: JsonValue | undefined, defaultId = 0): Schema {
  const o: JsonObject = r.object(v, 'schema');
  const struct = parseType(r, { ...o, type: o.type ?? 'struct' }, 'schema');
  if (typeof struct === 'string' || struct.type !== 'struct') return r.fail('schema must be a struct');
  const schema: Schema = { type: 'struct', 'schema-id': r.optInt(o, 'schema-id') ?? defaultId, fields: struct.fields };
  const ids = r.optArray(o, 'identifier-field-ids');
  if (ids) schema['identifier-field-ids'] = ids.map((x) => Number(x));
  return schema;
}

/** The JSON form of a type (plain objects; `initial-default` values pass through as parsed). */
export function typeToJson(t: IcebergType): JsonValue {
  if (typeof t === 'string') return t;
  if (t.type === 'struct') return { type: 'struct', fields: t.fields.map(fieldToJson) };
  if (t.type === 'list')
    return {
      type: 'list',
      'element-id': t['element-id'],
      element: typeToJson(t.element),
      'element-required': t['element-required'],
    };
  return {
    type: 'map',
    'key-id': t['key-id'],
    key: typeToJson(t.key),
    'value-id': t['value-id'],
    value: typeToJson(t.value),
    'value-required': t['value-required'],
  };
}

function fieldToJson(f: NestedField): JsonValue {
  const o: JsonObject = { id: f.id, name: f.name, required: f.required, type: typeToJson(f.type) };
  if (f.doc !== undefined) o.doc = f.doc;
  if (f['initial-default'] !== undefined) o['initial-default'] = f['initial-default'] as JsonValue;
  if (f['write-default'] !== undefined) o['write-default'] = f['write-default'] as JsonValue;
  return o;
}

/** The JSON form of a schema as metadata files write it. */
export function schemaToJson(s: Schema): JsonValue {
  const o: JsonObject = { type: 'struct', 'schema-id': s['schema-id'] };
  if (s['identifier-field-ids'] !== undefined) o['identifier-field-ids'] = s['identifier-field-ids'];
  o.fields = s.fields.map(fieldToJson);
  return o;
}
