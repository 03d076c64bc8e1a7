/**
 * Nested Arrow values (struct, map, lists of nested values) as JSON text for `jsonb` columns. 64-bit integers
 * keep every digit (jsonb numbers are arbitrary precision); binary becomes a hex string.
 */
import { type Data, makeVector } from 'apache-arrow';
import type { ByteWriter } from './byte-writer';
import type { EncodeMode, ValueEncoder } from './copy-encoder';

const ENC = new TextEncoder();

/** Encoder writing each value as JSON (or, with `asText`, as its plain string form, for dictionaries). */
export function jsonEncoder(data: Data, mode: EncodeMode, asText = false): ValueEncoder {
  const vector = makeVector(data);
  return (w: ByteWriter, i: number) => {
    const v = vector.get(i);
    const text = asText ? String(v) : jsonText(v);
    if (mode === 'raw') w.utf8(text);
    else {
      const bytes = ENC.encode(text);
      w.copyEscaped(bytes, 0, bytes.length);
    }
  };
}

/** JSON text of an Arrow value (StructRow, MapRow, Vector, bigint, Uint8Array, …). */
export function jsonText(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'bigint':
      return v.toString();
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'string':
      return JSON.stringify(v);
    default:
      return objectJson(v as object);
  }
}

function objectJson(v: object): string {
  if (v instanceof Uint8Array) return `"${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}"`;
  if (v instanceof Date) return JSON.stringify(v.toISOString());
  if (Array.isArray(v)) return `[${v.map(jsonText).join(',')}]`;
  const asVector = v as { toArray?: () => unknown; type?: unknown; [Symbol.iterator]?: unknown };
  if (asVector.type !== undefined && typeof asVector.toArray === 'function') {
    return `[${Array.from(v as Iterable<unknown>, jsonText).join(',')}]`;
  }
  const row = v as { toJSON?: () => unknown };
  const plain = typeof row.toJSON === 'function' ? row.toJSON() : v;
  if (plain instanceof Map) {
    return `{${Array.from(plain.entries(), ([k, x]) => `${JSON.stringify(String(k))}:${jsonText(x)}`).join(',')}}`;
  }
  if (typeof plain !== 'object' || plain === null) return jsonText(plain);
  return `{${Object.entries(plain)
    .map(([k, x]) => `${JSON.stringify(k)}:${jsonText(x)}`)
    .join(',')}}`;
}
