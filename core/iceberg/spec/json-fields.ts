/**
 * Typed field access on lossless JSON objects, with one-line errors naming the file and the field.
 * @internal
 */
import { InvalidIcebergError } from '../errors';
import type { JsonValue } from './json';

export type JsonObject = { [key: string]: JsonValue };

/** Where a value came from, for error messages: `table metadata s3://…/v3.metadata.json`. */
export class FieldReader {
  constructor(readonly what: string) {}

  fail(msg: string): never {
    throw new InvalidIcebergError(`invalid ${this.what}: ${msg}`);
  }

  object(v: JsonValue | undefined, field: string): JsonObject {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(`'${field}' must be an object`);
    return v as JsonObject;
  }

  array(o: JsonObject, key: string, field = key): JsonValue[] {
    const v = o[key];
    if (!Array.isArray(v)) this.fail(v === undefined ? `missing '${field}'` : `'${field}' must be an array`);
    return v;
  }

  optArray(o: JsonObject, key: string): JsonValue[] | undefined {
    return o[key] === undefined || o[key] === null ? undefined : this.array(o, key);
  }

  string(o: JsonObject, key: string, field = key): string {
    const v = o[key];
    if (typeof v !== 'string') this.fail(v === undefined ? `missing '${field}'` : `'${field}' must be a string`);
    return v;
  }

  optString(o: JsonObject, key: string): string | undefined {
    return o[key] === undefined || o[key] === null ? undefined : this.string(o, key);
  }

  int(o: JsonObject, key: string, field = key): number {
    const v = o[key];
    if (typeof v !== 'number' || !Number.isInteger(v))
      this.fail(v === undefined ? `missing '${field}'` : `'${field}' must be an integer, got ${String(v)}`);
    return v;
  }

  optInt(o: JsonObject, key: string): number | undefined {
    return o[key] === undefined || o[key] === null ? undefined : this.int(o, key);
  }

  long(o: JsonObject, key: string, field = key): bigint {
    const v = o[key];
    if (typeof v === 'bigint') return v;
    if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
    return this.fail(v === undefined ? `missing '${field}'` : `'${field}' must be an integer, got ${String(v)}`);
  }

  optLong(o: JsonObject, key: string): bigint | undefined {
    return o[key] === undefined || o[key] === null ? undefined : this.long(o, key);
  }

  bool(o: JsonObject, key: string, field = key): boolean {
    const v = o[key];
    if (typeof v !== 'boolean') this.fail(v === undefined ? `missing '${field}'` : `'${field}' must be a boolean`);
    return v;
  }

  stringMap(o: JsonObject, key: string): Record<string, string> {
    const v = o[key];
    if (v === undefined || v === null) return {};
    const obj = this.object(v, key);
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(obj)) out[k] = typeof x === 'string' ? x : String(x);
    return out;
  }
}
