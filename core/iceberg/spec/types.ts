/**
 * Iceberg types as the spec's JSON writes them (format/spec.md, "Schemas and Data Types" and
 * Appendix C). Primitives stay strings (`"int"`, `"decimal(9, 2)"`, `"fixed[16]"`) so metadata
 * round-trips untouched; nested types are objects with their field ids. Pure: no IO.
 */

/** A primitive type name as written in metadata JSON, e.g. `long`, `decimal(9, 2)`, `fixed[16]`. */
export type PrimitiveType = string;

/** One field of a struct (and of a schema). `initial-default`/`write-default` hold the JSON single-value form. */
export interface NestedField {
  id: number;
  name: string;
  required: boolean;
  type: IcebergType;
  doc?: string;
  'initial-default'?: unknown;
  'write-default'?: unknown;
}

export interface StructType {
  type: 'struct';
  fields: NestedField[];
}

export interface ListType {
  type: 'list';
  'element-id': number;
  element: IcebergType;
  'element-required': boolean;
}

export interface MapType {
  type: 'map';
  'key-id': number;
  key: IcebergType;
  'value-id': number;
  value: IcebergType;
  'value-required': boolean;
}

export type NestedType = StructType | ListType | MapType;
export type IcebergType = PrimitiveType | NestedType;

/** The primitive kinds, with parameters split out; see {@link primitiveKind}. */
export type PrimitiveKind =
  | { kind: 'boolean' }
  | { kind: 'int' }
  | { kind: 'long' }
  | { kind: 'float' }
  | { kind: 'double' }
  | { kind: 'decimal'; precision: number; scale: number }
  | { kind: 'date' }
  | { kind: 'time' }
  | { kind: 'timestamp' }
  | { kind: 'timestamptz' }
  | { kind: 'timestamp_ns' }
  | { kind: 'timestamptz_ns' }
  | { kind: 'string' }
  | { kind: 'uuid' }
  | { kind: 'fixed'; length: number }
  | { kind: 'binary' }
  | { kind: 'unknown' }
  /** v3 semi-structured and geospatial types: tolerated in schemas, never pruned on. */
  | { kind: 'variant' }
  | { kind: 'geometry'; param?: string }
  | { kind: 'geography'; param?: string };

/**
 * In-memory value of a primitive (partition values, bounds, literals):
 * boolean → boolean; int, date (days) → number; long → bigint; float, double → number;
 * decimal → bigint (unscaled); time/timestamp(tz) (µs) and timestamp(tz)_ns (ns) → bigint;
 * string → string; uuid → lower-case canonical string; fixed, binary → Uint8Array.
 */
export type PrimitiveValue = boolean | number | bigint | string | Uint8Array;

export function isPrimitive(t: IcebergType): t is PrimitiveType {
  return typeof t === 'string';
}
export function isStruct(t: IcebergType): t is StructType {
  return typeof t === 'object' && t.type === 'struct';
}
export function isList(t: IcebergType): t is ListType {
  return typeof t === 'object' && t.type === 'list';
}
export function isMap(t: IcebergType): t is MapType {
  return typeof t === 'object' && t.type === 'map';
}

const DECIMAL = /^decimal\(\s*(\d+)\s*,\s*(-?\d+)\s*\)$/i;
const FIXED = /^fixed\[\s*(\d+)\s*\]$/i;
const GEO = /^(geometry|geography)(?:\((.*)\))?$/i;
const SIMPLE = new Set([
  'boolean',
  'int',
  'long',
  'float',
  'double',
  'date',
  'time',
  'timestamp',
  'timestamptz',
  'timestamp_ns',
  'timestamptz_ns',
  'string',
  'uuid',
  'binary',
  'unknown',
  'variant',
]);

/**
 * Splits a primitive type string into its kind and parameters; undefined for an unknown name.
 * @example primitiveKind('decimal(9,2)') // { kind: 'decimal', precision: 9, scale: 2 }
 */
export function primitiveKind(t: PrimitiveType): PrimitiveKind | undefined {
  const s = t.trim();
  const lower = s.toLowerCase();
  if (SIMPLE.has(lower)) return { kind: lower } as PrimitiveKind;
  const d = DECIMAL.exec(s);
  if (d) return { kind: 'decimal', precision: Number(d[1]), scale: Number(d[2]) };
  const f = FIXED.exec(s);
  if (f) return { kind: 'fixed', length: Number(f[1]) };
  const g = GEO.exec(s);
  if (g) {
    const kind = (g[1] ?? '').toLowerCase() as 'geometry' | 'geography';
    return g[2] === undefined ? { kind } : { kind, param: g[2] };
  }
  return undefined;
}

/** The canonical spelling Iceberg Java writes: `decimal(9, 2)`, `fixed[16]`. */
export function decimalType(precision: number, scale: number): PrimitiveType {
  return `decimal(${precision}, ${scale})`;
}
export function fixedType(length: number): PrimitiveType {
  return `fixed[${length}]`;
}

/** The type as text for messages, e.g. `struct<1: a: int>`; primitives print as written. */
export function typeToString(t: IcebergType): string {
  if (isPrimitive(t)) return t;
  if (t.type === 'struct')
    return `struct<${t.fields.map((f) => `${f.id}: ${f.name}: ${typeToString(f.type)}`).join(', ')}>`;
  if (t.type === 'list') return `list<${typeToString(t.element)}>`;
  return `map<${typeToString(t.key)}, ${typeToString(t.value)}>`;
}
