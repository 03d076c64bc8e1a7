/**
 * DataFile entries as JSON, for `StagedChunk.detail` (crosses Step Functions / worker boundaries):
 * maps become `{ "<field id>": value }`, bounds and key metadata base64, bigint values strings tagged
 * by a `$big` wrapper so they survive JSON.
 */
import type { DataFile } from '../../iceberg/spec/manifest';
import type { PrimitiveValue } from '../../iceberg/spec/types';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const mapOut = <V>(m: Map<number, V> | undefined, f: (v: V) => Json): Json =>
  m ? Object.fromEntries([...m].map(([k, v]) => [String(k), f(v)])) : null;
const mapIn = <V>(o: unknown, f: (v: Json) => V): Map<number, V> | undefined =>
  o && typeof o === 'object'
    ? new Map(Object.entries(o as Record<string, Json>).map(([k, v]) => [Number(k), f(v)]))
    : undefined;
const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');
const unb64 = (s: Json): Uint8Array => new Uint8Array(Buffer.from(String(s), 'base64'));

function valueOut(v: PrimitiveValue | null): Json {
  if (v === null) return null;
  if (typeof v === 'bigint') return { $big: v.toString() };
  if (v instanceof Uint8Array) return { $bytes: b64(v) };
  return v;
}

function valueIn(v: Json): PrimitiveValue | null {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    if ('$big' in v) return BigInt(String(v.$big));
    if ('$bytes' in v) return unb64(v.$bytes as Json);
  }
  return v as PrimitiveValue | null;
}

/** A DataFile as plain JSON. */
export function dataFileToJson(f: DataFile): Json {
  return {
    content: f.content,
    filePath: f.filePath,
    fileFormat: f.fileFormat,
    partition: f.partition.map(valueOut),
    recordCount: f.recordCount,
    fileSizeInBytes: f.fileSizeInBytes,
    columnSizes: mapOut(f.columnSizes, (v) => v),
    valueCounts: mapOut(f.valueCounts, (v) => v),
    nullValueCounts: mapOut(f.nullValueCounts, (v) => v),
    nanValueCounts: mapOut(f.nanValueCounts, (v) => v),
    lowerBounds: mapOut(f.lowerBounds, b64),
    upperBounds: mapOut(f.upperBounds, b64),
    splitOffsets: f.splitOffsets ?? null,
    equalityIds: f.equalityIds ?? null,
    sortOrderId: f.sortOrderId ?? null,
  };
}

/** The inverse of {@link dataFileToJson}. */
export function dataFileFromJson(j: unknown): DataFile {
  const o = j as Record<string, Json>;
  const num = (v: Json) => Number(v);
  const f: DataFile = {
    content: Number(o.content),
    filePath: String(o.filePath),
    fileFormat: String(o.fileFormat),
    partition: (o.partition as Json[]).map(valueIn),
    recordCount: Number(o.recordCount),
    fileSizeInBytes: Number(o.fileSizeInBytes),
  };
  const set = <K extends keyof DataFile>(k: K, v: DataFile[K] | undefined) => {
    if (v !== undefined) f[k] = v;
  };
  set('columnSizes', mapIn(o.columnSizes, num));
  set('valueCounts', mapIn(o.valueCounts, num));
  set('nullValueCounts', mapIn(o.nullValueCounts, num));
  set('nanValueCounts', mapIn(o.nanValueCounts, num));
  set('lowerBounds', mapIn(o.lowerBounds, unb64));
  set('upperBounds', mapIn(o.upperBounds, unb64));
  if (Array.isArray(o.splitOffsets)) f.splitOffsets = o.splitOffsets.map(num);
  if (Array.isArray(o.equalityIds)) f.equalityIds = o.equalityIds.map(num);
  if (o.sortOrderId !== null && o.sortOrderId !== undefined) f.sortOrderId = Number(o.sortOrderId);
  return f;
}
