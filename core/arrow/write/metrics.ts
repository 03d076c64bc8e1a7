/**
 * Column metrics of a data file for its manifest entry (format/spec.md "Manifests": value_counts,
 * null_value_counts, nan_value_counts, lower_bounds, upper_bounds). Computed from the Arrow data being
 * written; column sizes come from the written Parquet footer (see parquet-writer.ts).
 *
 * Bounds are kept for primitive columns outside lists and maps (as Iceberg Java's default metrics mode
 * `truncate(16)`); strings and binary are truncated to 16 characters/bytes, the upper bound incremented
 * so it stays an upper bound (spec: "Truncated upper bounds must be greater than ... all values").
 */
import * as arrow from 'apache-arrow';
import { indexSchema, type Schema } from '../../iceberg/spec/schema';
import type { IcebergType, NestedField, PrimitiveValue } from '../../iceberg/spec/types';
import { isList, isMap, isStruct, primitiveKind } from '../../iceberg/spec/types';
import { uuidFromBytes } from '../../iceberg/spec/values';

export const TRUNCATE_LENGTH = 16;

export interface ColumnMetrics {
  valueCount: number;
  nullCount: number;
  nanCount?: number;
  lower?: PrimitiveValue;
  upper?: PrimitiveValue;
}

/** field id → metrics, for every leaf column. */
export type FileMetrics = Map<number, ColumnMetrics>;

type Valid = (i: number) => boolean;

/** Computes metrics of every leaf column of `table` (written with `schema`'s field ids and order). */
export function computeMetrics(table: arrow.Table, schema: Schema): FileMetrics {
  const acc = new MetricsAccumulator(schema);
  for (const batch of table.batches) acc.add(batch);
  return acc.finish();
}

/**
 * Metrics of a file written batch by batch: `add` each record batch (conformed to `schema`) as it is
 * written, `finish` once at the end (bounds are truncated only then, so they are exact across batches).
 */
export class MetricsAccumulator {
  private readonly out: FileMetrics = new Map();

  constructor(private readonly schema: Schema) {}

  add(batch: arrow.RecordBatch): void {
    this.schema.fields.forEach((f, i) => {
      const child = batch.data.children[i];
      if (child) visitField(this.out, f, child, ALL_VALID, false);
    });
  }

  /** The file's metrics (call once: truncates the bounds in place). */
  finish(): FileMetrics {
    const kinds = new Map<number, string | undefined>();
    for (const [id, f] of indexSchema(this.schema).byId)
      if (typeof f.field.type === 'string') kinds.set(id, primitiveKind(f.field.type)?.kind);
    for (const [id, m] of this.out) finishBounds(m, kinds.get(id));
    return this.out;
  }
}

function visitField(out: FileMetrics, f: NestedField, data: arrow.Data, parent: Valid, repeated: boolean): void {
  visitType(out, f.id, f.type, data, parent, repeated);
}

function visitType(out: FileMetrics, id: number, t: IcebergType, data: arrow.Data, parent: Valid, rep: boolean): void {
  if (isStruct(t)) {
    const valid: Valid = (i) => parent(i) && data.getValid(i);
    t.fields.forEach((f, j) => {
      const child = data.children[j];
      if (child) visitField(out, f, child, valid, rep);
    });
    return;
  }
  if (isList(t) || isMap(t)) {
    const child = data.children[0];
    const offsets = data.valueOffsets as Int32Array;
    if (!child || !offsets) return;
    const start = offsets[0] ?? 0;
    const inner = child.slice(start, (offsets[data.length] ?? start) - start);
    const all: Valid = () => true;
    if (isList(t)) visitType(out, t['element-id'], t.element, inner, all, true);
    else {
      visitType(out, t['key-id'], t.key, inner.children[0] as arrow.Data, all, true);
      visitType(out, t['value-id'], t.value, inner.children[1] as arrow.Data, all, true);
    }
    return;
  }
  leafMetrics(metricsFor(out, id), t, data, parent, rep);
}

function metricsFor(out: FileMetrics, id: number): ColumnMetrics {
  let m = out.get(id);
  if (!m) {
    m = { valueCount: 0, nullCount: 0 };
    out.set(id, m);
  }
  return m;
}

const ALL_VALID: Valid = () => true;

function leafMetrics(m: ColumnMetrics, t: string, data: arrow.Data, parent: Valid, repeated: boolean): void {
  const kind = primitiveKind(t)?.kind;
  if (parent === ALL_VALID && !repeated && fastLeafMetrics(m, kind, data)) return;
  const read = readerFor(kind, data);
  const isFloat = kind === 'float' || kind === 'double';
  if (isFloat) m.nanCount ??= 0;
  const n = data.length;
  m.valueCount += n;
  for (let i = 0; i < n; i++) {
    if (!parent(i) || !data.getValid(i)) {
      m.nullCount++;
      continue;
    }
    if (repeated || !read) continue;
    const v = read(i);
    if (isFloat && Number.isNaN(v)) {
      m.nanCount = (m.nanCount ?? 0) + 1;
      continue;
    }
    if (m.lower === undefined || compare(v, m.lower) < 0) m.lower = v;
    if (m.upper === undefined || compare(v, m.upper) > 0) m.upper = v;
  }
}

/** Validity of row i from the raw bitmap (no per-row method call). */
function validAt(data: arrow.Data): (i: number) => boolean {
  const bm = data.nullBitmap;
  if (data.nullCount === 0 || !bm || bm.length === 0)
    return data.nullCount === data.length && data.length > 0 ? () => false : () => true;
  const off = data.offset;
  return (i) => (((bm[(off + i) >> 3] as number) >> ((off + i) & 7)) & 1) === 1;
}

/** Tight loops over raw buffers for the common top-level columns; false when the kind has none. */
function fastLeafMetrics(m: ColumnMetrics, kind: string | undefined, data: arrow.Data): boolean {
  const n = data.length;
  const valid = validAt(data);
  if (kind === 'int' || kind === 'date' || kind === 'float' || kind === 'double') {
    const v = data.values as Int32Array | Float32Array | Float64Array;
    const isFloat = kind === 'float' || kind === 'double';
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    let nulls = 0;
    let nans = 0;
    for (let i = 0; i < n; i++) {
      if (!valid(i)) nulls++;
      else {
        const x = v[i] as number;
        if (Number.isNaN(x)) nans++;
        else {
          if (x < lo) lo = x;
          if (x > hi) hi = x;
        }
      }
    }
    merge(m, n, nulls, lo <= hi ? lo : undefined, lo <= hi ? hi : undefined);
    if (isFloat) m.nanCount = (m.nanCount ?? 0) + nans;
    return true;
  }
  if (
    kind === 'long' ||
    kind === 'time' ||
    kind === 'timestamp' ||
    kind === 'timestamptz' ||
    kind === 'timestamp_ns' ||
    kind === 'timestamptz_ns'
  ) {
    // 64-bit values compared as (signed high, unsigned low) 32-bit halves: no BigInt per row
    const v = data.values as BigInt64Array;
    const w = new Int32Array(v.buffer, v.byteOffset, v.length * 2);
    let lo = -1;
    let hi = -1;
    let nulls = 0;
    for (let i = 0; i < n; i++) {
      if (!valid(i)) nulls++;
      else if (lo < 0) lo = hi = i;
      else {
        const h = w[2 * i + 1] as number;
        const l = (w[2 * i] as number) >>> 0;
        const lh = w[2 * lo + 1] as number;
        if (h < lh || (h === lh && l < (w[2 * lo] as number) >>> 0)) lo = i;
        const hh = w[2 * hi + 1] as number;
        if (h > hh || (h === hh && l > (w[2 * hi] as number) >>> 0)) hi = i;
      }
    }
    merge(m, n, nulls, lo < 0 ? undefined : (v[lo] as bigint), hi < 0 ? undefined : (v[hi] as bigint));
    return true;
  }
  if (kind === 'decimal' && (data.values as Uint32Array).length >= 4 * n) {
    // 128-bit little-endian two's complement: compare the signed top word, then the others unsigned
    const words = data.values as Uint32Array;
    const cmp = (a: number, b: number): number => {
      const ta = (words[4 * a + 3] as number) | 0;
      const tb = (words[4 * b + 3] as number) | 0;
      if (ta !== tb) return ta < tb ? -1 : 1;
      for (let k = 2; k >= 0; k--) {
        const x = words[4 * a + k] as number;
        const y = words[4 * b + k] as number;
        if (x !== y) return x < y ? -1 : 1;
      }
      return 0;
    };
    let lo = -1;
    let hi = -1;
    let nulls = 0;
    for (let i = 0; i < n; i++) {
      if (!valid(i)) nulls++;
      else if (lo < 0) lo = hi = i;
      else {
        if (cmp(i, lo) < 0) lo = i;
        if (cmp(i, hi) > 0) hi = i;
      }
    }
    merge(m, n, nulls, lo < 0 ? undefined : decimalAt(words, lo), hi < 0 ? undefined : decimalAt(words, hi));
    return true;
  }
  if (kind === 'string' || kind === 'binary') {
    const offs = data.valueOffsets as Int32Array;
    const bytes = data.values as Uint8Array;
    let lo = -1;
    let hi = -1;
    let nulls = 0;
    for (let i = 0; i < n; i++) {
      if (!valid(i)) nulls++;
      else {
        if (lo < 0 || compareRanges(bytes, offs, i, lo) < 0) lo = i;
        if (hi < 0 || compareRanges(bytes, offs, i, hi) > 0) hi = i;
      }
    }
    const at = (i: number) => bytes.subarray(offs[i] as number, offs[i + 1] as number);
    const dec = (b: Uint8Array) => (kind === 'string' ? new TextDecoder().decode(b) : b.slice());
    merge(m, n, nulls, lo < 0 ? undefined : dec(at(lo)), hi < 0 ? undefined : dec(at(hi)));
    return true;
  }
  return false;
}

/** Unsigned byte order of values a and b (UTF-8 byte order is code point order). */
function compareRanges(bytes: Uint8Array, offs: Int32Array, a: number, b: number): number {
  let i = offs[a] as number;
  const ae = offs[a + 1] as number;
  let j = offs[b] as number;
  const be = offs[b + 1] as number;
  for (; i < ae && j < be; i++, j++) {
    const d = (bytes[i] as number) - (bytes[j] as number);
    if (d !== 0) return d;
  }
  return ae - i - (be - j);
}

function merge(
  m: ColumnMetrics,
  n: number,
  nulls: number,
  lo: PrimitiveValue | undefined,
  hi: PrimitiveValue | undefined,
): void {
  m.valueCount += n;
  m.nullCount += nulls;
  if (lo !== undefined && (m.lower === undefined || compare(lo, m.lower) < 0)) m.lower = lo;
  if (hi !== undefined && (m.upper === undefined || compare(hi, m.upper) > 0)) m.upper = hi;
}

/** Reads value i of a primitive column in the in-memory form of spec/types.ts PrimitiveValue. */
function readerFor(kind: string | undefined, data: arrow.Data): ((i: number) => PrimitiveValue) | undefined {
  const values = data.values as ArrayLike<number | bigint>;
  switch (kind) {
    case 'boolean': {
      const vec = arrow.makeVector(data);
      return (i) => Boolean(vec.get(i));
    }
    case 'int':
    case 'date':
    case 'float':
    case 'double':
      return (i) => Number(values[i]);
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
    case 'timestamp_ns':
    case 'timestamptz_ns':
      return (i) => BigInt(values[i] as bigint);
    case 'decimal':
      return (i) => decimalAt(data.values as Uint32Array, i);
    case 'string':
    case 'binary':
    case 'fixed': {
      const vec = arrow.makeVector(data);
      return (i) => vec.get(i) as string | Uint8Array;
    }
    case 'uuid': {
      const vec = arrow.makeVector(data);
      return (i) => uuidFromBytes(vec.get(i) as Uint8Array);
    }
    default:
      return undefined;
  }
}

/** The unscaled value of a 128-bit little-endian two's complement decimal. */
export function decimalAt(words: Uint32Array, i: number): bigint {
  let v = 0n;
  for (let w = 3; w >= 0; w--) v = (v << 32n) | BigInt(words[i * 4 + w] ?? 0);
  return BigInt.asIntN(128, v);
}

/** Orders two values of one column; strings by code point, bytes unsigned lexicographically. */
export function compare(a: PrimitiveValue, b: PrimitiveValue): number {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b);
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b);
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  // UTF-16 order equals code point order except around surrogates; fall back to exact order then.
  if (!/[\ud800-\udfff]/.test(a + b)) return a < b ? -1 : 1;
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function finishBounds(m: ColumnMetrics, kind: string | undefined): void {
  if (kind === 'uuid' || kind === 'fixed') return;
  if (typeof m.lower === 'string') m.lower = [...m.lower].slice(0, TRUNCATE_LENGTH).join('');
  if (typeof m.upper === 'string') {
    const up = truncateStringUpper(m.upper);
    if (up === undefined) delete m.upper;
    else m.upper = up;
  }
  if (m.lower instanceof Uint8Array && m.lower.length > TRUNCATE_LENGTH) m.lower = m.lower.slice(0, TRUNCATE_LENGTH);
  if (m.upper instanceof Uint8Array && m.upper.length > TRUNCATE_LENGTH) {
    const up = truncateBinaryUpper(m.upper);
    if (up === undefined) delete m.upper;
    else m.upper = up;
  }
}

/** Truncates to 16 code points and increments the last one that can be; undefined if none can. */
export function truncateStringUpper(s: string): string | undefined {
  const cps = [...s];
  if (cps.length <= TRUNCATE_LENGTH) return s;
  const kept = cps.slice(0, TRUNCATE_LENGTH);
  for (let i = kept.length - 1; i >= 0; i--) {
    let cp = (kept[i] as string).codePointAt(0) as number;
    cp++;
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xe000;
    if (cp <= 0x10ffff) return kept.slice(0, i).join('') + String.fromCodePoint(cp);
  }
  return undefined;
}

/** Truncates to 16 bytes and increments the last byte that is not 0xff; undefined if all are. */
export function truncateBinaryUpper(b: Uint8Array): Uint8Array | undefined {
  const kept = b.slice(0, TRUNCATE_LENGTH);
  for (let i = kept.length - 1; i >= 0; i--) {
    if ((kept[i] as number) < 0xff) {
      kept[i] = (kept[i] as number) + 1;
      return kept.slice(0, i + 1);
    }
  }
  return undefined;
}

/** Reads row i of a primitive column of Iceberg type `t` as a PrimitiveValue (null when null). */
export function valueReader(t: string, data: arrow.Data): (i: number) => PrimitiveValue | null {
  const read = readerFor(primitiveKind(t)?.kind, data);
  return (i) => (read && data.getValid(i) ? read(i) : null);
}
