/**
 * Partition transforms (format/spec.md "Partition Transforms"): parsing `bucket[16]` and friends,
 * result types, and applying a transform to a source value.
 */
import { InvalidTransformError } from '../errors';
import type { PrimitiveKind, PrimitiveType, PrimitiveValue } from '../spec/types';
import { primitiveKind } from '../spec/types';
import { bucketValue } from './bucket';
import { dayOf, hourOf, monthOf, yearOf } from './temporal';
import { truncateValue } from './truncate';

export type Transform =
  | { kind: 'identity' }
  | { kind: 'bucket'; n: number }
  | { kind: 'truncate'; width: number }
  | { kind: 'year' }
  | { kind: 'month' }
  | { kind: 'day' }
  | { kind: 'hour' }
  | { kind: 'void' }
  /** A transform this reader does not know: it can read the partition value but never prune on it. */
  | { kind: 'unknown'; text: string };

const PARAM = /^(bucket|truncate)\[\s*(\d+)\s*\]$/i;

/**
 * Parses transform text; unknown names give `{ kind: 'unknown' }` (spec: readers must tolerate them).
 * @example parseTransform('bucket[16]') // { kind: 'bucket', n: 16 }
 */
export function parseTransform(text: string): Transform {
  const t = text.trim().toLowerCase();
  const p = PARAM.exec(t);
  if (p) {
    const n = Number(p[2]);
    if (n <= 0) throw new InvalidTransformError(`bad transform '${text}': the parameter must be positive`);
    return p[1] === 'bucket' ? { kind: 'bucket', n } : { kind: 'truncate', width: n };
  }
  switch (t) {
    case 'identity':
    case 'void':
      return { kind: t };
    case 'year':
    case 'years':
      return { kind: 'year' };
    case 'month':
    case 'months':
      return { kind: 'month' };
    case 'day':
    case 'days':
      return { kind: 'day' };
    case 'hour':
    case 'hours':
      return { kind: 'hour' };
    default:
      return { kind: 'unknown', text };
  }
}

/** The canonical transform text, e.g. `bucket[16]`. */
export function transformToString(t: Transform): string {
  if (t.kind === 'bucket') return `bucket[${t.n}]`;
  if (t.kind === 'truncate') return `truncate[${t.width}]`;
  if (t.kind === 'unknown') return t.text;
  return t.kind;
}

const TEMPORAL_SOURCES = new Set(['date', 'timestamp', 'timestamptz', 'timestamp_ns', 'timestamptz_ns']);
const BUCKET_SOURCES = new Set([
  'int',
  'long',
  'decimal',
  'date',
  'time',
  'timestamp',
  'timestamptz',
  'timestamp_ns',
  'timestamptz_ns',
  'string',
  'uuid',
  'fixed',
  'binary',
]);
const TRUNCATE_SOURCES = new Set(['int', 'long', 'decimal', 'string', 'binary']);

/** Whether the transform accepts this source type (spec's transform table). */
export function canTransform(t: Transform, source: PrimitiveType): boolean {
  const k = primitiveKind(source)?.kind;
  if (k === undefined) return false;
  switch (t.kind) {
    case 'identity':
      return !['variant', 'geometry', 'geography'].includes(k);
    case 'void':
      return true;
    case 'bucket':
      return BUCKET_SOURCES.has(k);
    case 'truncate':
      return TRUNCATE_SOURCES.has(k);
    case 'year':
    case 'month':
    case 'day':
      return TEMPORAL_SOURCES.has(k);
    case 'hour':
      return TEMPORAL_SOURCES.has(k) && k !== 'date';
    default:
      return false;
  }
}

/**
 * The type of the partition value (spec: bucket → int, year/month/hour → int, day → date,
 * identity/truncate → the source type, void → the source type).
 */
export function transformResultType(t: Transform, source: PrimitiveType): PrimitiveType {
  switch (t.kind) {
    case 'bucket':
    case 'year':
    case 'month':
    case 'hour':
      return 'int';
    case 'day':
      return 'date';
    default:
      return source;
  }
}

/** A function applying the transform to values of `source`; null maps to null. */
export function transformFn(t: Transform, source: PrimitiveType): (v: PrimitiveValue | null) => PrimitiveValue | null {
  const k = primitiveKind(source);
  if (!k || !canTransform(t, source)) {
    throw new InvalidTransformError(`transform ${transformToString(t)} cannot be applied to type ${source}`);
  }
  const fn = valueFn(t, k);
  return (v) => (v === null || v === undefined ? null : fn(v));
}

function valueFn(t: Transform, k: PrimitiveKind): (v: PrimitiveValue) => PrimitiveValue | null {
  switch (t.kind) {
    case 'identity':
      return (v) => v;
    case 'void':
      return () => null;
    case 'bucket':
      return (v) => bucketValue(k, v, t.n);
    case 'truncate':
      return (v) => truncateValue(k, v, t.width);
    case 'year':
      return (v) => yearOf(k, v);
    case 'month':
      return (v) => monthOf(k, v);
    case 'day':
      return (v) => dayOf(k, v);
    case 'hour':
      return (v) => hourOf(k, v);
    default:
      throw new InvalidTransformError(`unknown transform '${t.text}'`);
  }
}

/** Whether the transform preserves order (so bounds on the source bound the partition values). */
export function preservesOrder(t: Transform): boolean {
  return t.kind !== 'bucket' && t.kind !== 'void' && t.kind !== 'unknown';
}
