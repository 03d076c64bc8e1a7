/**
 * Evaluating a bound expression on one row or partition tuple, with SQL's three-valued logic:
 * a comparison with null is unknown, `not unknown` is unknown, and only `true` selects a row.
 * Comparisons with NaN are false (and `!=` true), IEEE-style, matching how metrics pruning treats NaN;
 * use `is nan` to select NaN.
 */
import { parseDecimal } from '../spec/json-values';
import type { PrimitiveKind, PrimitiveValue } from '../spec/types';
import { compareValues, uuidFromBytes } from '../spec/values';
import type { BoundExpression, BoundReference } from './expression';

/** Reads the value of a reference from a row. */
export type RowAccessor<Row> = (row: Row, ref: BoundReference) => unknown;

/** Rows as nested plain objects keyed by column name (`row.location.lat`). */
export function objectAccessor(row: Record<string, unknown>, ref: BoundReference): unknown {
  let v: unknown = row;
  for (const p of ref.path) {
    if (v === null || v === undefined || typeof v !== 'object') return null;
    v = (v as Record<string, unknown>)[p];
  }
  return v;
}

/**
 * Brings a reader's value to the model form: Date → days or µs, decimal text → unscaled bigint,
 * uuid bytes → text. Other values pass through (numbers and bigint compare with each other).
 */
export function normalizeValue(kind: PrimitiveKind, v: unknown): PrimitiveValue | null {
  if (v === null || v === undefined) return null;
  switch (kind.kind) {
    case 'date':
      return v instanceof Date ? Math.floor(v.getTime() / 86_400_000) : (v as PrimitiveValue);
    case 'timestamp':
    case 'timestamptz':
      return v instanceof Date ? BigInt(v.getTime()) * 1000n : (v as PrimitiveValue);
    case 'timestamp_ns':
    case 'timestamptz_ns':
      return v instanceof Date ? BigInt(v.getTime()) * 1_000_000n : (v as PrimitiveValue);
    case 'decimal':
      if (typeof v === 'string' || typeof v === 'number') return parseDecimal(String(v), kind.scale) ?? null;
      return v as PrimitiveValue;
    case 'uuid':
      return v instanceof Uint8Array ? uuidFromBytes(v) : String(v).toLowerCase();
    default:
      return v as PrimitiveValue;
  }
}

type Tri = boolean | null;

/** Long IN lists are looked up in a set built once per list (numbers and bigint share keys). */
const SET_FROM = 8;
const sets = new WeakMap<PrimitiveValue[], Set<string>>();

function keyOf(v: PrimitiveValue): string {
  if (typeof v === 'number' || typeof v === 'bigint') return `n${Object.is(v, -0) ? 0 : v}`;
  if (v instanceof Uint8Array) return `x${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}`;
  return `${typeof v === 'string' ? 's' : 'b'}${String(v)}`;
}

function contains(values: PrimitiveValue[], v: PrimitiveValue): boolean {
  if (values.length < SET_FROM || (typeof v === 'number' && !Number.isInteger(v)))
    return values.some((x) => compareValues(v, x) === 0);
  let set = sets.get(values);
  if (!set) {
    set = new Set(values.map(keyOf));
    sets.set(values, set);
  }
  return set.has(keyOf(v));
}

/** Evaluates with a value getter; returns true, false, or null (unknown). */
export function evaluate(e: BoundExpression, get: (ref: BoundReference) => PrimitiveValue | null): Tri {
  switch (e.type) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'and': {
      const l = evaluate(e.left, get);
      if (l === false) return false;
      const r = evaluate(e.right, get);
      return r === false ? false : l === null || r === null ? null : true;
    }
    case 'or': {
      const l = evaluate(e.left, get);
      if (l === true) return true;
      const r = evaluate(e.right, get);
      return r === true ? true : l === null || r === null ? null : false;
    }
    case 'not': {
      const c = evaluate(e.child, get);
      return c === null ? null : !c;
    }
    default:
      return predicate(e, get(e.term));
  }
}

function predicate(
  e: Exclude<BoundExpression, { type: 'true' | 'false' | 'and' | 'or' | 'not' }>,
  v: PrimitiveValue | null,
): Tri {
  switch (e.type) {
    case 'is-null':
      return v === null;
    case 'not-null':
      return v !== null;
    case 'is-nan':
      return v === null ? null : typeof v === 'number' && Number.isNaN(v);
    case 'not-nan':
      return v === null ? null : !(typeof v === 'number' && Number.isNaN(v));
  }
  if (v === null) return null;
  const nan = typeof v === 'number' && Number.isNaN(v);
  switch (e.type) {
    case 'in':
      return !nan && contains(e.values, v);
    case 'not-in':
      return nan || !contains(e.values, v);
    case 'starts-with':
      return String(v).startsWith(String(e.value));
    case 'not-starts-with':
      return !String(v).startsWith(String(e.value));
  }
  if (nan || (typeof e.value === 'number' && Number.isNaN(e.value))) return e.type === 'not-eq';
  const c = compareValues(v, e.value);
  switch (e.type) {
    case 'lt':
      return c < 0;
    case 'lt-eq':
      return c <= 0;
    case 'gt':
      return c > 0;
    case 'gt-eq':
      return c >= 0;
    case 'eq':
      return c === 0;
    default:
      return c !== 0;
  }
}

/**
 * A row filter for residual filtering in readers: true when the row satisfies the expression.
 * @example const keep = rowEvaluator(task.residual); rows.filter(keep)
 */
export function rowEvaluator<Row = Record<string, unknown>>(
  e: BoundExpression,
  accessor: RowAccessor<Row> = objectAccessor as unknown as RowAccessor<Row>,
): (row: Row) => boolean {
  if (e.type === 'true') return () => true;
  if (e.type === 'false') return () => false;
  return (row) => evaluate(e, (ref) => normalizeValue(ref.kind, accessor(row, ref))) === true;
}
