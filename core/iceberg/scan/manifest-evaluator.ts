/**
 * Prunes manifests by the partition field summaries of the manifest list (format/spec.md
 * "Manifest Lists": contains_null, contains_nan, lower_bound, upper_bound per partition field).
 * Works on an inclusive partition projection with no `not` left. True = the manifest may match.
 */
import type { FieldSummary } from '../spec/manifest';
import type { PrimitiveValue } from '../spec/types';
import { compareValues, fromBytes } from '../spec/values';
import type { PartitionRef } from '../transform/project';
import type { BoundExpression, BoundReference } from './expression';

interface Stats {
  summary: FieldSummary | undefined;
  lower: PrimitiveValue | undefined;
  upper: PrimitiveValue | undefined;
}

/** Whether a manifest with these summaries may contain files matching the partition expression. */
export function manifestMightMatch(e: BoundExpression, summaries: FieldSummary[] | undefined): boolean {
  if (e.type === 'true') return true;
  if (e.type === 'false') return false;
  if (!summaries) return true;
  const cache = new Map<number, Stats>();
  const stats = (ref: BoundReference): Stats => {
    const i = (ref as PartitionRef).index;
    let s = cache.get(i);
    if (!s) {
      const summary = summaries[i];
      s = { summary, lower: decode(ref, summary?.lowerBound), upper: decode(ref, summary?.upperBound) };
      cache.set(i, s);
    }
    return s;
  };
  return evalSummary(e, stats);
}

function decode(ref: BoundReference, b: Uint8Array | undefined): PrimitiveValue | undefined {
  if (!b) return undefined;
  try {
    return fromBytes(ref.kind, b);
  } catch {
    return undefined; // an unreadable bound prunes nothing
  }
}

function evalSummary(e: BoundExpression, stats: (ref: BoundReference) => Stats): boolean {
  switch (e.type) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'and':
      return evalSummary(e.left, stats) && evalSummary(e.right, stats);
    case 'or':
      return evalSummary(e.left, stats) || evalSummary(e.right, stats);
    case 'not':
      return true;
    default:
      break;
  }
  const { summary, lower, upper } = stats(e.term);
  if (!summary) return true;
  const floating = e.term.kind.kind === 'float' || e.term.kind.kind === 'double';
  // All null: nulls present, no bound, and (for floats) known to hold no NaN either.
  const allNull = summary.containsNull && lower === undefined && (!floating || summary.containsNaN === false);
  switch (e.type) {
    case 'is-null':
      return summary.containsNull;
    case 'not-null':
      return !allNull;
    case 'is-nan':
      return summary.containsNaN !== false;
    case 'not-nan':
      return true;
    case 'not-eq':
    case 'not-in':
    case 'not-starts-with':
      return true;
  }
  // Comparisons never match null; without bounds nothing else can be said.
  if (lower === undefined || upper === undefined) return !allNull;
  if (floating && (Number.isNaN(lower) || Number.isNaN(upper))) return true;
  switch (e.type) {
    case 'lt':
      return compareValues(lower, e.value) < 0;
    case 'lt-eq':
      return compareValues(lower, e.value) <= 0;
    case 'gt':
      return compareValues(upper, e.value) > 0;
    case 'gt-eq':
      return compareValues(upper, e.value) >= 0;
    case 'eq':
      return compareValues(lower, e.value) <= 0 && compareValues(upper, e.value) >= 0;
    case 'in':
      return e.values.some((v) => compareValues(lower, v) <= 0 && compareValues(upper, v) >= 0);
    case 'starts-with':
      return prefixInRange(String(e.value), String(lower), String(upper));
    default:
      return true;
  }
}

/** Whether some string with this prefix can lie within [lower, upper]. */
export function prefixInRange(prefix: string, lower: string, upper: string): boolean {
  const lo = lower.slice(0, prefix.length);
  const hi = upper.slice(0, prefix.length);
  return compareValues(lo, prefix) <= 0 && compareValues(hi, prefix) >= 0;
}
