/**
 * PostgreSQL → Arrow type map of the source (documented in docs/postgres.md), the SQL expression that reads
 * each column as text in a driver-independent form, and column builders turning that text into Arrow data.
 */
import {
  Binary,
  Bool,
  type DataType,
  DateDay,
  Decimal,
  Field,
  FixedSizeBinary,
  Float32,
  Float64,
  Int32,
  Int64,
  List,
  TimeMicrosecond,
  TimestampMicrosecond,
  Utf8,
} from 'apache-arrow';
import { quoteIdent } from './ident';

/** How a column is read (the SQL projection) and converted. */
export type ColumnKind =
  | 'int32'
  | 'int64'
  | 'float32'
  | 'float64'
  | 'decimal'
  | 'bool'
  | 'text'
  | 'uuid'
  | 'bytea'
  | 'date'
  | 'time'
  | 'timestamp'
  | 'timestamptz'
  | 'array';

/** A source column: JSON-serializable (it travels in the plan). */
export interface SourceColumn {
  name: string;
  /** `format_type()` of the column. */
  pgType: string;
  kind: ColumnKind;
  precision?: number;
  scale?: number;
  /** For arrays: the element's kind (arrays of other elements are read as text). */
  element?: Exclude<ColumnKind, 'array'>;
  /** Iceberg type name the column maps to (for docs and the lakehouse sink). */
  iceberg: string;
}

/** Catalog facts of one column: format_type, pg_type.typtype/typcategory, element format_type for arrays. */
export interface CatalogColumn {
  name: string;
  type: string;
  typtype: string;
  category: string;
  elementType?: string | null;
  elementCategory?: string | null;
}

const SCALARS: [RegExp, ColumnKind, string][] = [
  [/^(smallint|integer)$/, 'int32', 'int'],
  [/^bigint$/, 'int64', 'long'],
  [/^real$/, 'float32', 'float'],
  [/^double precision$/, 'float64', 'double'],
  [/^boolean$/, 'bool', 'boolean'],
  [/^uuid$/, 'uuid', 'uuid'],
  [/^bytea$/, 'bytea', 'binary'],
  [/^date$/, 'date', 'date'],
  [/^time(\(\d\))? without time zone$/, 'time', 'time'],
  [/^timestamp(\(\d\))? without time zone$/, 'timestamp', 'timestamp'],
  [/^timestamp(\(\d\))? with time zone$/, 'timestamptz', 'timestamptz'],
];

function scalarKind(type: string): { kind: ColumnKind; iceberg: string; precision?: number; scale?: number } {
  for (const [re, kind, iceberg] of SCALARS) if (re.test(type)) return { kind, iceberg };
  const m = /^numeric\((\d+),(\d+)\)$/.exec(type);
  if (m && Number(m[1]) <= 38) {
    const [p, s] = [Number(m[1]), Number(m[2])];
    return { kind: 'decimal', iceberg: `decimal(${p}, ${s})`, precision: p, scale: s };
  }
  // numeric without precision (or above 38 digits), json/jsonb, enums, intervals, text-like: exact as strings.
  return { kind: 'text', iceberg: 'string' };
}

/** Maps a catalog column to its source column. */
export function sourceColumn(c: CatalogColumn): SourceColumn {
  if (c.category === 'A' && c.elementType) {
    const el = scalarKind(c.elementType);
    if (el.kind === 'decimal' || el.kind === 'uuid' || el.kind === 'bytea' || /^(time|date)/.test(el.kind)) {
      return { name: c.name, pgType: c.type, kind: 'text', iceberg: 'string' };
    }
    return {
      name: c.name,
      pgType: c.type,
      kind: 'array',
      element: el.kind as SourceColumn['element'],
      iceberg: `list<${el.iceberg}>`,
    };
  }
  return { name: c.name, pgType: c.type, ...scalarKind(c.type) };
}

/** Field metadata naming the PostgreSQL type of a string column read from Postgres. */
export const PG_TYPE_KEY = 'icefloe:pg-type';
/** String columns whose PostgreSQL type the sink recreates (they take any text COPY input of their type). */
export const TEXT_TYPES_KEPT = /^(jsonb|json|numeric(\(\d+,\d+\))?)$/;

/** Finite values as epoch microseconds; ±infinity as `infinity`/`-infinity` (refused by the builder). */
const MICROS = (e: string) =>
  `CASE WHEN isfinite(${e}) THEN (extract(epoch FROM ${e}) * 1000000)::bigint::text ELSE ${e}::text END`;

/** The projection reading a column as text that `appendText` understands, identically on every server/driver. */
export function selectExpr(c: SourceColumn): string {
  const q = quoteIdent(c.name);
  switch (c.kind) {
    case 'timestamp':
    case 'timestamptz':
      return MICROS(q);
    case 'time':
      return `(extract(epoch FROM ${q}) * 1000000)::bigint::text`;
    case 'date':
      return `CASE WHEN isfinite(${q}) THEN (${q} - date '1970-01-01')::text ELSE ${q}::text END`;
    case 'bytea':
      return `encode(${q}, 'hex')`;
    default:
      return `${q}::text`;
  }
}

function elementType(kind: SourceColumn['element']): DataType {
  return arrowScalar(kind ?? 'text');
}

function arrowScalar(kind: ColumnKind, c?: SourceColumn): DataType {
  switch (kind) {
    case 'int32':
      return new Int32();
    case 'int64':
      return new Int64();
    case 'float32':
      return new Float32();
    case 'float64':
      return new Float64();
    case 'decimal':
      return new Decimal(c?.scale ?? 0, c?.precision ?? 38, 128);
    case 'bool':
      return new Bool();
    case 'uuid':
      return new FixedSizeBinary(16);
    case 'bytea':
      return new Binary();
    case 'date':
      return new DateDay();
    case 'time':
      return new TimeMicrosecond();
    case 'timestamp':
      return new TimestampMicrosecond();
    case 'timestamptz':
      return new TimestampMicrosecond('UTC');
    default:
      return new Utf8();
  }
}

/** The Arrow field of a column; field ids are 1-based column positions (list elements follow the columns). */
export function arrowField(c: SourceColumn, index: number, total: number): Field {
  const meta = new Map([['PARQUET:field_id', String(index + 1)]]);
  if (c.kind === 'uuid') meta.set('ARROW:extension:name', 'arrow.uuid');
  // Strings that are really jsonb/json/numeric say so, so a Postgres sink can recreate the column type.
  if (c.kind === 'text' && TEXT_TYPES_KEPT.test(c.pgType)) meta.set(PG_TYPE_KEY, c.pgType);
  if (c.kind === 'array') {
    const item = new Field(
      'element',
      elementType(c.element),
      true,
      new Map([['PARQUET:field_id', String(total + index + 1)]]),
    );
    return new Field(c.name, new List(item), true, meta);
  }
  return new Field(c.name, arrowScalar(c.kind, c), true, meta);
}
