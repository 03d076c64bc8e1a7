/**
 * Prunes data files by their column metrics (format/spec.md "Manifests": value/null/NaN counts and
 * lower/upper bounds in Appendix D bytes). Inclusive: true = the file may hold a matching row.
 * Bounds of fields below a list or map say nothing about single rows and are not used; NaN is
 * never inside bounds, but old writers put it there, so a NaN bound prunes nothing.
 */
import type { DataFile } from '../spec/manifest';
import type { PrimitiveValue } from '../spec/types';
import { compareValues, fromBytes } from '../spec/values';
import type { BoundExpression, BoundReference } from './expression';
import { rewriteNot } from './expression';
import { prefixInRange } from './manifest-evaluator';

/** More IN values than this are not checked against bounds (as Iceberg Java does). */
const IN_LIMIT = 200;

/** Whether the file may contain rows matching `e` (bound to the table schema). */
export function fileMightMatch(e: BoundExpression, file: DataFile): boolean {
  return evalMetrics(rewriteNot(e), file);
}

function evalMetrics(e: BoundExpression, f: DataFile): boolean {
  switch (e.type) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'and':
      return evalMetrics(e.left, f) && evalMetrics(e.right, f);
    case 'or':
      return evalMetrics(e.left, f) || evalMetrics(e.right, f);
    case 'not':
      return true;
    default:
      return leaf(e, f);
  }
}

function bound(f: DataFile, ref: BoundReference, which: 'lower' | 'upper'): PrimitiveValue | undefined {
  if (ref.repeated) return undefined;
  const b = (which === 'lower' ? f.lowerBounds : f.upperBounds)?.get(ref.fieldId);
  if (!b) return undefined;
  try {
    const v = fromBytes(ref.kind, b);
    return typeof v === 'number' && Number.isNaN(v) ? undefined : v;
  } catch {
    return undefined;
  }
}

function leaf(e: Exclude<BoundExpression, { type: 'true' | 'false' | 'and' | 'or' | 'not' }>, f: DataFile): boolean {
  const id = e.term.fieldId;
  const values = e.term.repeated ? undefined : f.valueCounts?.get(id);
  const nulls = e.term.repeated ? undefined : f.nullValueCounts?.get(id);
  const nans = e.term.repeated ? undefined : f.nanValueCounts?.get(id);
  const onlyNulls = values !== undefined && nulls !== undefined && values === nulls;
  const onlyNaN = values !== undefined && nans !== undefined && values === nans;
  switch (e.type) {
    case 'is-null':
      return nulls !== 0;
    case 'not-null':
      return !onlyNulls;
    case 'is-nan':
      return nans !== 0 && !onlyNulls;
    case 'not-nan':
      return !onlyNaN;
    case 'not-eq':
    case 'not-in':
      return true;
    case 'not-starts-with': {
      // Strings with a prefix form one interval: bounds both inside it put every value inside.
      const lo = bound(f, e.term, 'lower');
      const hi = bound(f, e.term, 'upper');
      const p = String(e.value);
      return onlyNulls
        ? false
        : !(typeof lo === 'string' && typeof hi === 'string' && lo.startsWith(p) && hi.startsWith(p));
    }
  }
  if (onlyNulls || onlyNaN) return false;
  const lower = bound(f, e.term, 'lower');
  const upper = bound(f, e.term, 'upper');
  switch (e.type) {
    case 'lt':
      return lower === undefined || compareValues(lower, e.value) < 0;
    case 'lt-eq':
      return lower === undefined || compareValues(lower, e.value) <= 0;
    case 'gt':
      return upper === undefined || compareValues(upper, e.value) > 0;
    case 'gt-eq':
      return upper === undefined || compareValues(upper, e.value) >= 0;
    case 'eq':
      return (
        (lower === undefined || compareValues(lower, e.value) <= 0) &&
        (upper === undefined || compareValues(upper, e.value) >= 0)
      );
    case 'in':
      if (e.values.length > IN_LIMIT) return true;
      return e.values.some(
        (v) =>
          (lower === undefined || compareValues(lower, v) <= 0) &&
          (upper === undefined || compareValues(upper, v) >= 0),
      );
    case 'starts-with':
      return lower === undefined || upper === undefined || prefixInRange(String(e.value), String(lower), String(upper));
    default:
      return true;
  }
}
