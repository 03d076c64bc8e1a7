/**
 * Column masking (`mask: { column: function }` in the source or sink options), applied by Move to every batch
 * before the sink sees it, and by Plan to the schema the sink prepares:
 * - `hash`: SHA-256 (hex) of the value's text; the column becomes a string (joins on it still work);
 * - `redact`: strings become `****`, other types null;
 * - `null`: every value null.
 * Nulls stay null. Field metadata (Iceberg field ids) is kept.
 */
import { createHash } from 'node:crypto';
import * as arrow from 'apache-arrow';
import { InvalidInputError } from '../errors';
import type { Endpoint } from '../manifest/types';

export type MaskFunction = 'hash' | 'redact' | 'null';
export const MASK_FUNCTIONS: readonly MaskFunction[] = ['hash', 'redact', 'null'];
const REDACTED = '****';

/** The masks of a job (sink options override source options), checked. */
export function masksOf(source: Endpoint, sink: Endpoint): Map<string, MaskFunction> {
  const merged = { ...source.options.mask, ...sink.options.mask };
  const out = new Map<string, MaskFunction>();
  for (const [column, fn] of Object.entries(merged)) {
    const f = fn.trim().toLowerCase();
    if (!(MASK_FUNCTIONS as readonly string[]).includes(f)) {
      throw new InvalidInputError(
        `mask of column ${column}: unknown function '${fn}'; use one of ${MASK_FUNCTIONS.join(', ')}`,
      );
    }
    out.set(column, f as MaskFunction);
  }
  return out;
}

function maskedType(t: arrow.DataType, fn: MaskFunction): arrow.DataType {
  return fn === 'hash' || (fn === 'redact' && arrow.DataType.isUtf8(t)) ? new arrow.Utf8() : t;
}

/** The schema after masking; every masked column named must exist. */
export function maskSchema(schema: arrow.Schema, masks: Map<string, MaskFunction>): arrow.Schema {
  if (masks.size === 0) return schema;
  for (const column of masks.keys()) {
    if (!schema.fields.some((f) => f.name === column))
      throw new InvalidInputError(`mask: column ${column} is not in the source`);
  }
  return new arrow.Schema(
    schema.fields.map((f) => {
      const fn = masks.get(f.name);
      return fn ? new arrow.Field(f.name, maskedType(f.type, fn), true, f.metadata) : f;
    }),
    schema.metadata,
  );
}

function text(v: unknown): string {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (typeof v === 'object') return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? String(x) : x));
  return String(v);
}

function maskVector(v: arrow.Vector, fn: MaskFunction): arrow.Vector {
  const values: unknown[] = new Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = v.get(i);
    if (x === null || x === undefined || fn === 'null') values[i] = null;
    else if (fn === 'hash') values[i] = createHash('sha256').update(text(x)).digest('hex');
    else values[i] = arrow.DataType.isUtf8(v.type) ? REDACTED : null;
  }
  return arrow.vectorFromArray(values, maskedType(v.type, fn) as never);
}

/** One batch masked (columns absent from the batch, e.g. in a deleted-keys batch, are skipped). */
export function maskBatch(batch: arrow.RecordBatch, masks: Map<string, MaskFunction>): arrow.RecordBatch {
  if (masks.size === 0 || !batch.schema.fields.some((f) => masks.has(f.name))) return batch;
  const schema = maskSchema(new arrow.Schema(batch.schema.fields.filter((f) => masks.has(f.name))), masks);
  const fields = batch.schema.fields.map((f) => schema.fields.find((m) => m.name === f.name) ?? f);
  const children = batch.schema.fields.map((f, i) => {
    const col = batch.getChildAt(i) as arrow.Vector;
    const fn = masks.get(f.name);
    return (fn ? maskVector(col, fn) : col).data[0] as arrow.Data;
  });
  const out = new arrow.Schema(fields, batch.schema.metadata);
  return new arrow.RecordBatch(
    out,
    arrow.makeData({ type: new arrow.Struct(fields), length: batch.numRows, children }),
  );
}

/** Masks a stream of batches. */
export async function* maskBatches(batches: AsyncIterable<arrow.RecordBatch>, masks: Map<string, MaskFunction>) {
  for await (const b of batches) yield maskBatch(b, masks);
}
