/**
 * Rows of Arrow batches as JSON-ready values, by Iceberg type (DESIGN.md, `icefloe table scan
 * --format jsonl`): longs beyond 2^53 and decimals as strings, dates `YYYY-MM-DD`, times and
 * timestamps ISO-8601 with microseconds (`Z` for timestamptz), uuid canonical, binary and fixed as
 * hex, structs as objects, lists as arrays, maps as objects (string keys) or `[{key, value}]`.
 */
import type { RecordBatch, Vector } from 'apache-arrow';
import { formatDecimal } from '../../iceberg/spec/json-values';
import { formatDate, formatTime, formatTimestamp } from '../../iceberg/spec/temporal';
import type { IcebergType, NestedField } from '../../iceberg/spec/types';
import { isList, isMap, isStruct, primitiveKind } from '../../iceberg/spec/types';
import { uuidFromBytes } from '../../iceberg/spec/values';
import { vectorGetter } from './raw-values';

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** The shortest decimal that reads back as the same float32 (what Java's Float.toString prints). */
export function shortestFloat32(v: number): number {
  const f = Math.fround(v);
  for (let p = 1; p <= 9; p++) {
    const candidate = Number(f.toPrecision(p));
    if (Math.fround(candidate) === f) return candidate;
  }
  return f;
}

/** A JSON-ready value of an in-memory value of type `t`. */
export function jsonValue(t: IcebergType, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (isStruct(t)) {
    const arr = v as unknown[];
    return Object.fromEntries(t.fields.map((f, i) => [f.name, jsonValue(f.type, arr[i])]));
  }
  if (isList(t)) return (v as unknown[]).map((e) => jsonValue(t.element, e));
  if (isMap(t)) {
    const pairs = v as unknown[][];
    const stringKeys = primitiveKind(typeof t.key === 'string' ? t.key : '')?.kind === 'string';
    if (stringKeys) return Object.fromEntries(pairs.map(([k, x]) => [String(k), jsonValue(t.value, x)]));
    return pairs.map(([k, x]) => ({ key: jsonValue(t.key, k), value: jsonValue(t.value, x) }));
  }
  return primitiveJson(t, v);
}

function primitiveJson(t: string, v: unknown): unknown {
  const k = primitiveKind(t);
  switch (k?.kind) {
    case 'long':
      return (v as bigint) > SAFE || (v as bigint) < -SAFE ? String(v) : Number(v);
    case 'decimal':
      return formatDecimal(v as bigint, k.scale);
    case 'date':
      return formatDate(v as number);
    case 'time':
      return formatTime(v as bigint);
    case 'timestamp':
      return formatTimestamp(v as bigint, 'us', false);
    case 'timestamptz':
      return formatTimestamp(v as bigint, 'us', true);
    case 'timestamp_ns':
      return formatTimestamp(v as bigint, 'ns', false);
    case 'timestamptz_ns':
      return formatTimestamp(v as bigint, 'ns', true);
    case 'uuid':
      return v instanceof Uint8Array ? uuidFromBytes(v) : String(v);
    case 'fixed':
    case 'binary':
      return v instanceof Uint8Array ? hex(v) : v;
    case 'float':
      return Number.isFinite(v as number) ? shortestFloat32(v as number) : String(v);
    case 'double':
      return Number.isFinite(v as number) ? v : String(v);
    default:
      return typeof v === 'bigint' ? String(v) : v;
  }
}

/** The rows of a batch as JSON-ready objects keyed by column name, typed by `fields`. */
export function* batchRows(batch: RecordBatch, fields: NestedField[]): Iterable<Record<string, unknown>> {
  const getters = fields.map((f, i) => {
    const g = vectorGetter(batch.getChildAt(i) as Vector);
    const t = f.type;
    return (row: number) => jsonValue(t, g(row));
  });
  for (let r = 0; r < batch.numRows; r++) {
    const row: Record<string, unknown> = {};
    fields.forEach((f, i) => {
      row[f.name] = (getters[i] as (n: number) => unknown)(r);
    });
    yield row;
  }
}

/** A CSV cell (RFC 4180 quoting); nested values are JSON text. */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
