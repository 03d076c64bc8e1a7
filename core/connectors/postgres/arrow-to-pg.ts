/**
 * Arrow → PostgreSQL type map of the sink (documented in docs/postgres.md), and the schema-evolution rules:
 * which existing column types accept an incoming type as they are, which can be widened in place, and which
 * changes are impossible (reported before any write).
 */
import { DataType, type Field, Type } from 'apache-arrow';
import { InvalidInputError } from '../../errors';

/** Field metadata marking a 16-byte FixedSizeBinary as a UUID (Arrow canonical extension type). */
export const EXTENSION_NAME = 'ARROW:extension:name';

/** Whether the field carries UUIDs: `arrow.uuid` extension, or a type hint `uuid` for the column. */
export function isUuidField(field: Field, hints?: Record<string, string>): boolean {
  if (!DataType.isFixedSizeBinary(field.type) || field.type.byteWidth !== 16) return false;
  const ext = field.metadata.get(EXTENSION_NAME);
  const hint = hints?.[field.name] ?? field.metadata.get('iceberg.type') ?? field.metadata.get('icefloe:type');
  return ext === 'arrow.uuid' || hint?.toLowerCase() === 'uuid';
}

/**
 * The PostgreSQL column type for an Arrow field, as `format_type()` spells it (so it compares with the catalog).
 * @example pgTypeFor(new Field('a', new Int64())) // => 'bigint'
 */
export function pgTypeFor(field: Field, hints?: Record<string, string>): string {
  if (isUuidField(field, hints)) return 'uuid';
  const hint = hints?.[field.name];
  if (hint !== undefined) return hintedType(hint, field.name);
  const kept = field.metadata.get('icefloe:pg-type');
  if (kept && DataType.isUtf8(field.type) && /^(jsonb|json|numeric(\(\d+,\d+\))?)$/.test(kept)) return kept;
  return pgTypeOf(field.type, field.name);
}

const HINTS: [RegExp, string][] = [
  [/^(string|text|varchar)$/, 'text'],
  [/^(long|bigint|int64)$/, 'bigint'],
  [/^(int|integer|int32)$/, 'integer'],
  [/^(short|smallint|int16)$/, 'smallint'],
  [/^(double|float64|double precision)$/, 'double precision'],
  [/^(float|real|float32)$/, 'real'],
  [/^(boolean|bool)$/, 'boolean'],
  [/^date$/, 'date'],
  [/^time$/, 'time without time zone'],
  [/^(timestamp|timestamp_ntz)$/, 'timestamp without time zone'],
  [/^(timestamptz|timestamp_ltz)$/, 'timestamp with time zone'],
  [/^(json|jsonb)$/, 'jsonb'],
  [/^uuid$/, 'uuid'],
  [/^(binary|bytea)$/, 'bytea'],
];

/**
 * The column type a `type-hints` entry asks for (`decimal(18,2)`, `long`, `timestamptz`, …). Values are then
 * sent as text and converted by PostgreSQL's input functions.
 */
export function hintedType(hint: string, column: string): string {
  const h = hint.trim().toLowerCase();
  const dec = /^(decimal|numeric)\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(h);
  if (dec) return `numeric(${dec[2]},${dec[3]})`;
  for (const [re, type] of HINTS) if (re.test(h)) return type;
  throw new InvalidInputError(`column ${column}: unknown type hint ${hint}`);
}

/** Whether a type hint changes the column type away from the Arrow type's own mapping. */
export function hintChangesType(field: Field, hints?: Record<string, string>): boolean {
  if (hints?.[field.name] === undefined) return false;
  const t = pgTypeFor(field, hints);
  return !(t === 'uuid' && DataType.isFixedSizeBinary(field.type)) && t !== pgTypeFor(field);
}

function pgTypeOf(t: DataType, column: string): string {
  switch (t.typeId) {
    case Type.Int: {
      const { bitWidth, isSigned } = t as unknown as { bitWidth: number; isSigned: boolean };
      if (bitWidth <= 16 && (isSigned || bitWidth === 8)) return 'smallint';
      if (bitWidth <= 32 && (isSigned || bitWidth === 16)) return 'integer';
      if (bitWidth <= 64 && (isSigned || bitWidth === 32)) return 'bigint';
      return 'numeric(20,0)'; // uint64
    }
    case Type.Float:
      return (t as unknown as { precision: number }).precision === 2 ? 'double precision' : 'real';
    case Type.Decimal: {
      const d = t as unknown as { precision: number; scale: number };
      return `numeric(${d.precision},${d.scale})`;
    }
    case Type.Bool:
      return 'boolean';
    case Type.Utf8:
    case Type.LargeUtf8:
      return 'text';
    case Type.Binary:
    case Type.LargeBinary:
    case Type.FixedSizeBinary:
      return 'bytea';
    case Type.Date:
      return 'date';
    case Type.Time:
      return 'time without time zone';
    case Type.Timestamp:
      return (t as unknown as { timezone?: string | null }).timezone
        ? 'timestamp with time zone'
        : 'timestamp without time zone';
    case Type.Struct:
    case Type.Map:
      return 'jsonb';
    case Type.List:
    case Type.FixedSizeList:
      return listType(t, column);
    case Type.Dictionary:
      return pgTypeOf((t as unknown as { dictionary: DataType }).dictionary, column);
    case Type.Null:
      return 'text';
    default:
      throw new InvalidInputError(`column ${column}: arrow type ${String(t)} has no postgres mapping`);
  }
}

/** A list of a primitive becomes a PostgreSQL array; lists of nested values become jsonb. */
function listType(t: DataType, column: string): string {
  const child = (t as unknown as { children: Field[] }).children[0];
  if (!child) return 'jsonb';
  const c = child.type;
  if (DataType.isList(c) || DataType.isFixedSizeList(c) || DataType.isStruct(c) || DataType.isMap(c)) return 'jsonb';
  if (isUuidField(child)) return 'uuid[]';
  const inner = pgTypeOf(c, column);
  return inner === 'jsonb' ? 'jsonb' : `${inner}[]`;
}

const INT_RANK: Record<string, number> = { smallint: 1, integer: 2, bigint: 3 };
const FLOAT_RANK: Record<string, number> = { real: 1, 'double precision': 2 };

/** numeric(p,s) → {p, s}; unconstrained numeric → undefined values. */
function numericParts(type: string): { p?: number; s?: number } | undefined {
  if (type === 'numeric') return {};
  const m = /^numeric\((\d+),(\d+)\)$/.exec(type);
  return m ? { p: Number(m[1]), s: Number(m[2]) } : undefined;
}

/** What to do with an existing column of type `existing` receiving values of type `incoming`. */
export type Evolution = { action: 'keep' } | { action: 'widen'; to: string } | { action: 'error'; reason: string };

/**
 * Decides how an existing column takes an incoming type: as it is (`keep`: the column can hold every value),
 * widened in place (`ALTER COLUMN … TYPE`, int→bigint, real→double precision, numeric precision up), or not at all.
 */
export function evolveColumn(existing: string, incoming: string): Evolution {
  if (existing === incoming) return { action: 'keep' };
  const ei = INT_RANK[existing];
  const ii = INT_RANK[incoming];
  if (ei && ii) return ei >= ii ? { action: 'keep' } : { action: 'widen', to: incoming };
  const ef = FLOAT_RANK[existing];
  const inf = FLOAT_RANK[incoming];
  if (ef && inf) return ef >= inf ? { action: 'keep' } : { action: 'widen', to: incoming };
  if (ef === 2 && ii && ii < 3) return { action: 'keep' }; // every int4 is exact in float8
  const en = numericParts(existing);
  const inc = numericParts(incoming) ?? (ii ? { p: [0, 5, 10, 19][ii], s: 0 } : undefined);
  if (en && inc) return evolveNumeric(en, inc);
  if (/^(character varying|character)(\(\d+\))?$/.test(existing) && incoming === 'text')
    return { action: 'widen', to: 'text' };
  if (existing === 'text' && /^character varying/.test(incoming)) return { action: 'keep' };
  return { action: 'error', reason: `cannot change type ${existing} to ${incoming}` };
}

function evolveNumeric(e: { p?: number; s?: number }, i: { p?: number; s?: number }): Evolution {
  if (e.p === undefined) return { action: 'keep' }; // unconstrained numeric holds any number
  if (i.p === undefined) return { action: 'widen', to: 'numeric' };
  const es = e.s ?? 0;
  const is = i.s ?? 0;
  const intDigits = Math.max(e.p - es, i.p - is);
  const scale = Math.max(es, is);
  if (intDigits === e.p - es && scale === es) return { action: 'keep' };
  if (intDigits + scale > 1000)
    return { action: 'error', reason: `numeric(${intDigits + scale},${scale}) exceeds 1000 digits` };
  return { action: 'widen', to: `numeric(${intDigits + scale},${scale})` };
}
