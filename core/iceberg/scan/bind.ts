/**
 * Binding a filter to a schema: names → field ids and types (case-sensitive or not), literals →
 * typed values, operators adjusted for literals between two values of the type.
 */
import { InvalidExpressionError } from '../errors';
import { indexSchema } from '../spec/schema';
import type { StructType } from '../spec/types';
import { isList, isMap, isPrimitive, primitiveKind, typeToString } from '../spec/types';
import type { BoundExpression, BoundReference, CompareOp, Expression, Literal, Predicate } from './expression';
import { and, FALSE, not, or, TRUE } from './expression';
import { convertLiteral } from './literals';

export interface BindOptions {
  /** @default true */
  caseSensitive?: boolean;
}

/** Resolves a column name to a reference; InvalidExpressionError naming the column when absent. */
export function bindReference(schema: StructType, name: string, caseSensitive = true): BoundReference {
  const idx = indexSchema(schema);
  const hit = caseSensitive ? idx.byName.get(name) : idx.byLowerName.get(name.toLowerCase());
  if (!hit) throw new InvalidExpressionError(`unknown column '${name}' in filter`);
  const { field } = hit;
  if (!isPrimitive(field.type))
    throw new InvalidExpressionError(`cannot filter on column '${hit.name}' of type ${typeToString(field.type)}`);
  const kind = primitiveKind(field.type);
  if (!kind) throw new InvalidExpressionError(`cannot filter on column '${hit.name}' of type ${field.type}`);
  const parents = hit.parents.map((id) => idx.byId.get(id)?.field);
  const repeated = parents.some((p) => p && (isList(p.type) || isMap(p.type)));
  const path = [...parents.map((p) => p?.name ?? ''), field.name];
  return { fieldId: field.id, name: hit.name, type: field.type, kind, path, repeated };
}

/**
 * Binds an unbound expression to a schema.
 * @example bindExpression(parseExpression('id > 3'), schema)
 */
export function bindExpression(e: Expression, schema: StructType, opts: BindOptions = {}): BoundExpression {
  const cs = opts.caseSensitive ?? true;
  const go = (x: Expression): BoundExpression => {
    switch (x.type) {
      case 'true':
        return TRUE;
      case 'false':
        return FALSE;
      case 'and':
        return and(go(x.left), go(x.right));
      case 'or':
        return or(go(x.left), go(x.right));
      case 'not':
        return not(go(x.child));
      default:
        return bindPredicate(x, bindReference(schema, x.term, cs));
    }
  };
  return go(e);
}

function bad(ref: BoundReference, lit: Literal): never {
  const shown = lit instanceof Uint8Array ? 'binary value' : `'${String(lit)}'`;
  throw new InvalidExpressionError(`cannot compare column '${ref.name}' of type ${ref.type} with ${shown}`);
}

function bindPredicate(p: Predicate<string, Literal>, ref: BoundReference): BoundExpression {
  switch (p.type) {
    case 'is-null':
    case 'not-null':
      return { type: p.type, term: ref };
    case 'is-nan':
    case 'not-nan':
      if (ref.kind.kind !== 'float' && ref.kind.kind !== 'double') {
        // NaN exists only in floating columns: is-nan is never true, not-nan is "not null".
        return p.type === 'is-nan' ? FALSE : { type: 'not-null', term: ref };
      }
      return { type: p.type, term: ref };
    case 'in':
    case 'not-in': {
      const values = p.values.flatMap((v) => {
        const c = convertLiteral(ref.kind, v);
        if (!c) return bad(ref, v);
        return 'exact' in c ? [c.exact] : [];
      });
      if (values.length === 0) return p.type === 'in' ? FALSE : { type: 'not-null', term: ref };
      return { type: p.type, term: ref, values };
    }
    case 'starts-with':
    case 'not-starts-with':
      if (ref.kind.kind !== 'string')
        throw new InvalidExpressionError(`starts-with needs a string column, '${ref.name}' is ${ref.type}`);
      return { type: p.type, term: ref, value: String(p.value) };
    default:
      return bindComparison(p.type, p.value, ref);
  }
}

function bindComparison(op: CompareOp, lit: Literal, ref: BoundReference): BoundExpression {
  const c = convertLiteral(ref.kind, lit);
  if (!c) return bad(ref, lit);
  const notNull: BoundExpression = { type: 'not-null', term: ref };
  if ('exact' in c) return { type: op, term: ref, value: c.exact };
  if ('above' in c) return op === 'lt' || op === 'lt-eq' || op === 'not-eq' ? notNull : FALSE;
  if ('below' in c) return op === 'gt' || op === 'gt-eq' || op === 'not-eq' ? notNull : FALSE;
  // The literal lies strictly between floor and ceil.
  switch (op) {
    case 'lt':
    case 'lt-eq':
      return { type: 'lt-eq', term: ref, value: c.floor };
    case 'gt':
    case 'gt-eq':
      return { type: 'gt-eq', term: ref, value: c.ceil };
    case 'eq':
      return FALSE;
    default:
      return notNull;
  }
}

/** The field ids an expression refers to (for projection of extra columns when filtering). */
export function referencedFieldIds(e: BoundExpression): Set<number> {
  const out = new Set<number>();
  const go = (x: BoundExpression): void => {
    if (x.type === 'and' || x.type === 'or') {
      go(x.left);
      go(x.right);
    } else if (x.type === 'not') go(x.child);
    else if ('term' in x) out.add(x.term.fieldId);
  };
  go(e);
  return out;
}
