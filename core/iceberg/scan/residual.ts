/**
 * Residual filters (format/spec.md "Scan Planning"): what of the filter still has to be checked
 * on the rows of a file, given its partition tuple. A predicate on an identity-partitioned column
 * is decided by the partition value; one whose inclusive projection fails is false; one whose
 * strict projection holds (e.g. `ts >= '2024-01-01'` in partition day 2024-01-02) is true.
 */
import type { PartitionValues } from '../spec/manifest';
import type { PartitionSpec } from '../spec/partition-spec';
import type { PrimitiveValue } from '../spec/types';
import type { PartitionRef } from '../transform/project';
import { projectStrictWith, projectWith } from '../transform/project';
import { parseTransform } from '../transform/transform';
import { evaluate } from './evaluator';
import type { BoundExpression, BoundReference, Predicate } from './expression';
import { and, FALSE, or, rewriteNot, TRUE } from './expression';

type Leaf = Predicate<BoundReference, PrimitiveValue>;

/** The residual of `e` for a file in partition `values` of `spec` (`refs` from partitionRefs). */
export function residualFor(
  e: BoundExpression,
  spec: PartitionSpec,
  refs: PartitionRef[],
  values: PartitionValues,
): BoundExpression {
  if (spec.fields.length === 0) return e;
  const get = (ref: BoundReference) => values[(ref as PartitionRef).index] ?? null;
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
        return leaf(x);
    }
  };
  const leaf = (p: Leaf): BoundExpression => {
    for (let i = 0; i < spec.fields.length; i++) {
      const f = spec.fields[i];
      const ref = refs[i];
      if (!f || !ref || f['source-id'] !== p.term.fieldId) continue;
      const t = parseTransform(f.transform);
      if (t.kind === 'identity') return evaluate({ ...p, term: ref } as BoundExpression, get) === true ? TRUE : FALSE;
      const projected = projectWith(p, t, ref);
      if (projected && evaluate(projected, get) !== true) return FALSE;
      const strict = projectStrictWith(p, t, ref);
      if (strict && evaluate(strict, get) === true) return TRUE;
    }
    return p;
  };
  return go(rewriteNot(e));
}
