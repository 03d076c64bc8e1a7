/**
 * Scan tasks as JSON, for chunk pointers that cross process boundaries (Step Functions payloads,
 * staging files). Lossless: bigint, bytes, Maps and non-finite numbers are tagged objects
 * (`{"$bigint": "…"}`, `{"$bytes": "<base64>"}`, `{"$map": [[k, v], …]}`, `{"$num": "NaN"}`).
 */
import { InvalidInputError } from '../../errors';
import type { FileScanTask } from './plan';

/** A JSON-safe copy of any value built from plain objects, arrays, bigint, bytes, Maps and numbers. */
export function toTaggedJson(v: unknown): unknown {
  if (typeof v === 'bigint') return { $bigint: v.toString() };
  if (typeof v === 'number' && !Number.isFinite(v)) return { $num: String(v) };
  if (v instanceof Uint8Array) return { $bytes: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  if (v instanceof Map) return { $map: Array.from(v, ([k, x]) => [toTaggedJson(k), toTaggedJson(x)]) };
  if (Array.isArray(v)) return v.map(toTaggedJson);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = toTaggedJson(x);
    return out;
  }
  return v;
}

/** The inverse of {@link toTaggedJson}. */
export function fromTaggedJson(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(fromTaggedJson);
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1) {
    if (typeof o.$bigint === 'string') return BigInt(o.$bigint);
    if (typeof o.$num === 'string') return Number(o.$num);
    if (typeof o.$bytes === 'string') return new Uint8Array(Buffer.from(o.$bytes, 'base64'));
    if (Array.isArray(o.$map))
      return new Map((o.$map as [unknown, unknown][]).map(([k, x]) => [fromTaggedJson(k), fromTaggedJson(x)]));
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = fromTaggedJson(o[k]);
  return out;
}

/**
 * JSON text of scan tasks.
 * @example await io.write(key, Buffer.from(tasksToJson(chunk.tasks)))
 */
export function tasksToJson(tasks: FileScanTask[]): string {
  return JSON.stringify(toTaggedJson(tasks));
}

/** Scan tasks from {@link tasksToJson} text; InvalidInputError when it is not such text. */
export function tasksFromJson(text: string, source = 'scan tasks'): FileScanTask[] {
  let v: unknown;
  try {
    v = fromTaggedJson(JSON.parse(text));
  } catch (e) {
    throw new InvalidInputError(`invalid ${source}: ${(e as Error).message.toLowerCase()}`);
  }
  if (!Array.isArray(v) || v.some((t) => typeof (t as FileScanTask)?.dataFile?.filePath !== 'string')) {
    throw new InvalidInputError(`invalid ${source}: not a list of scan tasks`);
  }
  return v as FileScanTask[];
}
