/**
 * The predicate model: the shapes of the REST catalog's expression JSON (`{"type": "lt", "term":
 * "x", "value": 5}`, `and`/`or` with `left`/`right`, `not` with `child`). Unbound expressions refer
 * to columns by name; bound ones carry a {@link BoundReference} and typed values.
 */
import type { PrimitiveKind, PrimitiveType, PrimitiveValue } from '../spec/types';

export type UnaryOp = 'is-null' | 'not-null' | 'is-nan' | 'not-nan';
export type CompareOp = 'lt' | 'lt-eq' | 'gt' | 'gt-eq' | 'eq' | 'not-eq' | 'starts-with' | 'not-starts-with';
export type SetOp = 'in' | 'not-in';

/** A literal as written in a filter, before binding converts it to the column's type. */
export type Literal = boolean | number | bigint | string | Uint8Array;

/** A column reached through the schema, with how to find it in a row. */
export interface BoundReference {
  fieldId: number;
  /** Full dotted name. */
  name: string;
  type: PrimitiveType;
  kind: PrimitiveKind;
  /** Names from the top-level column down to this field (for rows as nested objects). */
  path: string[];
  /** True below a list or map: per-file bounds and null counts do not describe single rows then. */
  repeated: boolean;
}

export type Expression<R = string, V = Literal> =
  | { type: 'true' }
  | { type: 'false' }
  | { type: 'and'; left: Expression<R, V>; right: Expression<R, V> }
  | { type: 'or'; left: Expression<R, V>; right: Expression<R, V> }
  | { type: 'not'; child: Expression<R, V> }
  | { type: UnaryOp; term: R }
  | { type: CompareOp; term: R; value: V }
  | { type: SetOp; term: R; values: V[] };

/** An expression bound to a schema: references resolved, literals typed. */
export type BoundExpression = Expression<BoundReference, PrimitiveValue>;

/** A leaf of an expression (anything but true/false/and/or/not). */
export type Predicate<R, V> = Extract<Expression<R, V>, { term: R }>;

export const TRUE = { type: 'true' } as const;
export const FALSE = { type: 'false' } as const;

/** `left and right`, simplified when either side is a constant. */
export function and<R, V>(left: Expression<R, V>, right: Expression<R, V>): Expression<R, V> {
  if (left.type === 'false' || right.type === 'false') return FALSE;
  if (left.type === 'true') return right;
  if (right.type === 'true') return left;
  return { type: 'and', left, right };
}

/** `left or right`, simplified when either side is a constant. */
export function or<R, V>(left: Expression<R, V>, right: Expression<R, V>): Expression<R, V> {
  if (left.type === 'true' || right.type === 'true') return TRUE;
  if (left.type === 'false') return right;
  if (right.type === 'false') return left;
  return { type: 'or', left, right };
}

/** `not child`, simplified for constants and double negation. */
export function not<R, V>(child: Expression<R, V>): Expression<R, V> {
  if (child.type === 'true') return FALSE;
  if (child.type === 'false') return TRUE;
  if (child.type === 'not') return child.child;
  return { type: 'not', child };
}

const NEGATE: Record<string, string> = {
  lt: 'gt-eq',
  'lt-eq': 'gt',
  gt: 'lt-eq',
  'gt-eq': 'lt',
  eq: 'not-eq',
  'not-eq': 'eq',
  'starts-with': 'not-starts-with',
  'not-starts-with': 'starts-with',
  in: 'not-in',
  'not-in': 'in',
  'is-null': 'not-null',
  'not-null': 'is-null',
  'is-nan': 'not-nan',
  'not-nan': 'is-nan',
};

/** Pushes every `not` down to the leaves (De Morgan; negated predicates), as pruning needs. */
export function rewriteNot<R, V>(e: Expression<R, V>): Expression<R, V> {
  switch (e.type) {
    case 'and':
      return and(rewriteNot(e.left), rewriteNot(e.right));
    case 'or':
      return or(rewriteNot(e.left), rewriteNot(e.right));
    case 'not':
      return negate(e.child);
    default:
      return e;
  }
}

function negate<R, V>(e: Expression<R, V>): Expression<R, V> {
  switch (e.type) {
    case 'true':
      return FALSE;
    case 'false':
      return TRUE;
    case 'and':
      return or(negate(e.left), negate(e.right));
    case 'or':
      return and(negate(e.left), negate(e.right));
    case 'not':
      return rewriteNot(e.child);
    default:
      return { ...e, type: NEGATE[e.type] } as Expression<R, V>;
  }
}

/** Text of an expression for messages and logs, e.g. `(a > 3 and b in (1, 2))`. */
export function expressionToString<R, V>(e: Expression<R, V>): string {
  const term = (t: R) => (typeof t === 'string' ? t : (t as unknown as BoundReference).name);
  const lit = (v: V) =>
    typeof v === 'string' ? `'${v}'` : v instanceof Uint8Array ? `X'${Buffer.from(v).toString('hex')}'` : String(v);
  const sym: Record<string, string> = {
    lt: '<',
    'lt-eq': '<=',
    gt: '>',
    'gt-eq': '>=',
    eq: '=',
    'not-eq': '!=',
    'starts-with': 'starts with',
    'not-starts-with': 'not starts with',
  };
  switch (e.type) {
    case 'true':
    case 'false':
      return e.type;
    case 'and':
    case 'or':
      return `(${expressionToString(e.left)} ${e.type} ${expressionToString(e.right)})`;
    case 'not':
      return `not ${expressionToString(e.child)}`;
    case 'is-null':
    case 'not-null':
    case 'is-nan':
    case 'not-nan':
      return `${term(e.term)} ${e.type.replace('-', ' ').replace('not ', 'is not ').replace('is is', 'is')}`;
    case 'in':
    case 'not-in':
      return `${term(e.term)} ${e.type === 'in' ? 'in' : 'not in'} (${e.values.map(lit).join(', ')})`;
    default:
      return `${term(e.term)} ${sym[e.type]} ${lit(e.value)}`;
  }
}
