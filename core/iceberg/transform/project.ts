/**
 * Inclusive projection (format/spec.md "Scan Planning"): a predicate on a source column becomes a
 * predicate on partition values that is true for every partition that may hold a matching row.
 * Used to prune manifests and data files by partition.
 */
import type { BoundExpression, BoundReference, Predicate } from '../scan/expression';
import { and, or, rewriteNot, TRUE } from '../scan/expression';
import type { PartitionField, PartitionSpec } from '../spec/partition-spec';
import type { Schema } from '../spec/schema';
import { findFieldById } from '../spec/schema';
import type { PrimitiveType, PrimitiveValue } from '../spec/types';
import { isPrimitive, primitiveKind } from '../spec/types';
import type { Transform } from './transform';
import { parseTransform, transformFn, transformResultType } from './transform';

type Leaf = Predicate<BoundReference, PrimitiveValue>;

/** A partition field's reference for predicates on partition tuples. */
export interface PartitionRef extends BoundReference {
  /** Position of the field in the partition tuple. */
  index: number;
}

/** References to each partition field of a spec, typed by the transform's result type. */
export function partitionRefs(spec: PartitionSpec, schema: Schema): PartitionRef[] {
  return spec.fields.map((f, index) => {
    const src = findFieldById(schema, f['source-id']);
    const srcType = src && isPrimitive(src.type) ? src.type : 'string';
    const type: PrimitiveType = transformResultType(parseTransform(f.transform), srcType);
    return {
      fieldId: f['field-id'],
      name: f.name,
      type,
      kind: primitiveKind(type) ?? { kind: 'string' },
      path: [f.name],
      repeated: false,
      index,
    };
  });
}

/** Projects a bound expression onto a spec's partition tuple; TRUE when nothing can be said. */
export function projectInclusive(e: BoundExpression, spec: PartitionSpec, schema: Schema): BoundExpression {
  const refs = partitionRefs(spec, schema);
  const go = (x: BoundExpression): BoundExpression => {
    switch (x.type) {
      case 'true':
      case 'false':
        return x;
      case 'and':
        return and(go(x.left), go(x.right));
      case 'or':
        return or(go(x.left), go(x.right));
      case 'not':
        return go(rewriteNot(x));
      default:
        return projectLeaf(x, spec.fields, refs);
    }
  };
  return go(rewriteNot(e));
}

function projectLeaf(p: Leaf, fields: PartitionField[], refs: PartitionRef[]): BoundExpression {
  let out: BoundExpression = TRUE;
  fields.forEach((f, i) => {
    const ref = refs[i];
    if (f['source-id'] !== p.term.fieldId || !ref) return;
    out = and(out, projectWith(p, parseTransform(f.transform), ref) ?? TRUE);
  });
  return out;
}

/** The projection of one predicate through one transform; undefined when it cannot be projected. */
export function projectWith(p: Leaf, t: Transform, ref: BoundReference): BoundExpression | undefined {
  if (t.kind === 'void' || t.kind === 'unknown') return undefined;
  if (p.type === 'is-null' || p.type === 'not-null') return { type: p.type, term: ref };
  if (t.kind === 'identity') return { ...p, term: ref } as BoundExpression;
  if (
    p.type === 'is-nan' ||
    p.type === 'not-nan' ||
    p.type === 'not-eq' ||
    p.type === 'not-in' ||
    p.type === 'not-starts-with'
  )
    return undefined;
  const fn = transformFn(t, p.term.type);
  const apply = (v: PrimitiveValue) => fn(v) as PrimitiveValue;
  if (p.type === 'in') return { type: 'in', term: ref, values: dedupe(p.values.map(apply)) };
  if (p.type === 'eq') return { type: 'eq', term: ref, value: apply(p.value) };
  if (t.kind === 'bucket') return undefined;
  if (p.type === 'starts-with') return projectStartsWith(p.value as string, t, ref, apply);
  const k = p.term.kind.kind;
  const stepped = k === 'string' || k === 'binary' || k === 'fixed' ? undefined : step;
  switch (p.type) {
    case 'lt':
      return { type: 'lt-eq', term: ref, value: apply(stepped ? stepped(p.value, -1) : p.value) };
    case 'lt-eq':
      return { type: 'lt-eq', term: ref, value: apply(p.value) };
    case 'gt':
      return { type: 'gt-eq', term: ref, value: apply(stepped ? stepped(p.value, 1) : p.value) };
    case 'gt-eq':
      return { type: 'gt-eq', term: ref, value: apply(p.value) };
    default:
      return undefined;
  }
}

/** The next/previous value of an integral type (int, long, decimal unscaled, date, time, timestamps). */
function step(v: PrimitiveValue, d: number): PrimitiveValue {
  return typeof v === 'bigint' ? v + BigInt(d) : Number(v) + d;
}

function projectStartsWith(
  prefix: string,
  t: Transform,
  ref: BoundReference,
  apply: (v: PrimitiveValue) => PrimitiveValue,
): BoundExpression | undefined {
  if (t.kind !== 'truncate') return undefined;
  const cps = [...prefix].length;
  // A prefix at least as long as the width fixes the partition value; a shorter one is a prefix of it.
  return cps >= t.width
    ? { type: 'eq', term: ref, value: apply(prefix) }
    : { type: 'starts-with', term: ref, value: prefix };
}

function dedupe(values: PrimitiveValue[]): PrimitiveValue[] {
  const seen = new Set<unknown>();
  return values.filter((v) => {
    const key = v instanceof Uint8Array ? Buffer.from(v).toString('hex') : typeof v === 'bigint' ? `${v}n` : v;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Strict projection of one predicate through one transform: a predicate on the partition value
 * that, when true, guarantees every row of the partition satisfies the source predicate (used for
 * residuals). Relies on the transform being monotone (truncate, year/month/day/hour) for ranges,
 * and on `f(x) != f(v) ⇒ x != v` for any transform. Undefined when nothing can be guaranteed.
 */
export function projectStrictWith(p: Leaf, t: Transform, ref: BoundReference): BoundExpression | undefined {
  if (t.kind === 'void' || t.kind === 'unknown') return undefined;
  if (p.type === 'is-null' || p.type === 'not-null') return { type: p.type, term: ref };
  if (t.kind === 'identity') return { ...p, term: ref } as BoundExpression;
  if (
    p.type !== 'lt' &&
    p.type !== 'lt-eq' &&
    p.type !== 'gt' &&
    p.type !== 'gt-eq' &&
    p.type !== 'not-eq' &&
    p.type !== 'not-in'
  )
    return undefined;
  const fn = transformFn(t, p.term.type);
  const apply = (v: PrimitiveValue) => fn(v) as PrimitiveValue;
  if (p.type === 'not-in') return { type: 'not-in', term: ref, values: dedupe(p.values.map(apply)) };
  if (p.type === 'not-eq') return { type: 'not-eq', term: ref, value: apply(p.value) };
  if (t.kind === 'bucket') return undefined;
  const k = p.term.kind.kind;
  const integral = !(k === 'string' || k === 'binary' || k === 'fixed');
  switch (p.type) {
    case 'lt':
      return { type: 'lt', term: ref, value: apply(p.value) };
    case 'lt-eq':
      return { type: 'lt', term: ref, value: apply(integral ? step(p.value, 1) : p.value) };
    case 'gt':
      return { type: 'gt', term: ref, value: apply(p.value) };
    case 'gt-eq':
      return { type: 'gt', term: ref, value: apply(integral ? step(p.value, -1) : p.value) };
    default:
      return undefined;
  }
}
