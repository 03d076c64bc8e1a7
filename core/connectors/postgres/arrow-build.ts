/**
 * Builds Arrow columns from the source's text projection (see `selectExpr`): fixed-width values go straight
 * into typed arrays, strings into one UTF-8 buffer; arrays are parsed from PostgreSQL's array literal.
 */
import { type Data, type Field, makeBuilder, makeData, RecordBatch, type Schema, Struct } from 'apache-arrow';
import { InvalidInputError } from '../../errors';
import { quoteIdent } from './ident';
import { parseArrayLiteral } from './pg-array';
import type { SourceColumn } from './pg-to-arrow';

const ENC = new TextEncoder();

function validity(valid: boolean[]): { nullBitmap: Uint8Array; nullCount: number } {
  const nullBitmap = new Uint8Array(Math.ceil(valid.length / 8) || 1);
  let nullCount = 0;
  for (let i = 0; i < valid.length; i++) {
    if (valid[i]) nullBitmap[i >> 3] = (nullBitmap[i >> 3] as number) | (1 << (i & 7));
    else nullCount++;
  }
  return { nullBitmap, nullCount };
}

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.replace(/-/g, ''), 'hex'));
}

/** The error for a value the column's Iceberg type cannot hold (infinite dates/timestamps, NaN or infinite decimals). */
export function unrepresentable(where: string, c: SourceColumn, value: string): InvalidInputError {
  return new InvalidInputError(
    `postgres source ${where} column ${quoteIdent(c.name)}: ${value} cannot be stored in an Iceberg ${c.iceberg} (map it in a query: source)`,
  );
}

/** Text values that are not finite (`infinity`, `-infinity`, `NaN`, `Infinity`). */
function firstNonFinite(values: (string | null)[]): string | undefined {
  for (const v of values) {
    if (v === null) continue;
    const ch = v.charCodeAt(v[0] === '-' ? 1 : 0);
    if (ch === 105 || ch === 73 || ch === 78) return v; // i, I, N
  }
  return undefined;
}

/** numeric text → unscaled integer at `scale` (PostgreSQL already rounded it to the column's scale). */
export function unscaled(text: string, scale: number, column: string): bigint {
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m) throw new InvalidInputError(`column ${column}: numeric value ${text} cannot be a decimal`);
  const frac = (m[3] ?? '').padEnd(scale, '0').slice(0, scale);
  const v = BigInt(`${m[2] || '0'}${frac}`);
  return m[1] ? -v : v;
}

/** Scalar conversion of one text value (also used for array elements). */
export function scalarValue(kind: string, text: string): unknown {
  switch (kind) {
    case 'int32':
    case 'float32':
    case 'float64':
    case 'date':
      return Number(text);
    case 'int64':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      return BigInt(text);
    case 'bool':
      return text === 'true' || text === 't';
    default:
      return text;
  }
}

/**
 * Builds one column's Data from text values (null = SQL NULL).
 * @param where names the source in errors (`"s"."t"` or `query`)
 */
export function buildColumn(c: SourceColumn, field: Field, values: (string | null)[], where = 'query'): Data {
  const n = values.length;
  if (c.kind === 'date' || c.kind === 'timestamp' || c.kind === 'timestamptz' || c.kind === 'decimal') {
    const bad = firstNonFinite(values);
    if (bad !== undefined) throw unrepresentable(where, c, c.kind === 'decimal' ? `numeric ${bad}` : bad);
  }
  const valid = values.map((v) => v !== null);
  const bits = validity(valid);
  const fixed = (arr: { [i: number]: unknown }, f: (t: string) => unknown) => {
    values.forEach((v, i) => {
      if (v !== null) arr[i] = f(v);
    });
    return makeData({ type: field.type, length: n, data: arr as never, ...bits } as never);
  };
  switch (c.kind) {
    case 'int32':
    case 'date':
      return fixed(new Int32Array(n), Number);
    case 'int64':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      return makeData({ type: field.type, length: n, data: int64Array(values), ...bits } as never);
    case 'float32':
      return fixed(new Float32Array(n), Number);
    case 'float64':
      return fixed(new Float64Array(n), Number);
    case 'bool': {
      const data = new Uint8Array(Math.ceil(n / 8) || 1);
      values.forEach((v, i) => {
        if (v === 'true' || v === 't') data[i >> 3] = (data[i >> 3] as number) | (1 << (i & 7));
      });
      return makeData({ type: field.type, length: n, data, ...bits } as never);
    }
    case 'decimal':
      return decimalData(c, field, values, bits);
    case 'uuid': {
      const data = new Uint8Array(n * 16);
      values.forEach((v, i) => {
        if (v !== null) data.set(hexBytes(v), i * 16);
      });
      return makeData({ type: field.type, length: n, data, ...bits } as never);
    }
    case 'bytea':
      return variableData(
        field,
        values.map((v) => (v === null ? null : hexBytes(v))),
        bits,
      );
    case 'array':
      return listData(c, field, values);
    default:
      return variableData(
        field,
        values.map((v) => (v === null ? null : ENC.encode(v))),
        bits,
      );
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Writes a safe integer as two little-endian 32-bit words (two's complement) at word `k`. */
function putInt64(u32: Uint32Array, k: number, x: number): void {
  const hi = Math.floor(x / 4294967296);
  u32[k] = x - hi * 4294967296;
  u32[k + 1] = hi >>> 0;
}

/** 64-bit integers from decimal text; short values skip BigInt (15 digits are always safe). */
function int64Array(values: (string | null)[]): BigInt64Array {
  const arr = new BigInt64Array(values.length);
  const u32 = new Uint32Array(arr.buffer);
  values.forEach((v, i) => {
    if (v === null) return;
    if (LITTLE_ENDIAN && v.length <= 15) putInt64(u32, 2 * i, Number(v));
    else arr[i] = BigInt(v);
  });
  return arr;
}

function decimalData(
  c: SourceColumn,
  field: Field,
  values: (string | null)[],
  bits: ReturnType<typeof validity>,
): Data {
  const words = new Uint32Array(values.length * 4);
  const scale = c.scale ?? 0;
  values.forEach((v, i) => {
    if (v === null) return;
    if (LITTLE_ENDIAN && v.length <= 15) {
      // Short values (PostgreSQL prints every digit of the scale): the unscaled integer is a safe number.
      const x = Math.round(Number(v) * 10 ** scale);
      if (Number.isSafeInteger(x) && Math.abs(x) < 1e15) {
        putInt64(words, i * 4, x);
        const fill = x < 0 ? 0xffffffff : 0;
        words[i * 4 + 2] = fill;
        words[i * 4 + 3] = fill;
        return;
      }
    }
    let x = BigInt.asUintN(128, unscaled(v, scale, c.name));
    for (let k = 0; k < 4; k++) {
      words[i * 4 + k] = Number(x & 0xffffffffn);
      x >>= 32n;
    }
  });
  return makeData({ type: field.type, length: values.length, data: words, ...bits } as never);
}

function variableData(field: Field, parts: (Uint8Array | null)[], bits: ReturnType<typeof validity>): Data {
  const offsets = new Int32Array(parts.length + 1);
  let total = 0;
  parts.forEach((p, i) => {
    total += p ? p.length : 0;
    offsets[i + 1] = total;
  });
  const data = new Uint8Array(total);
  parts.forEach((p, i) => {
    if (p) data.set(p, offsets[i] as number);
  });
  return makeData({ type: field.type, length: parts.length, valueOffsets: offsets, data, ...bits } as never);
}

export function listData(c: SourceColumn, field: Field, values: (string | null)[]): Data {
  const b = makeBuilder({ type: field.type, nullValues: [null] });
  for (const v of values) {
    if (v === null) b.append(null);
    else b.append(parseArrayLiteral(v).map((e) => (e === null ? null : scalarValue(c.element ?? 'text', e))) as never);
  }
  return b.finish().toVector().data[0] as Data;
}

/** One record batch from rows of text values (column order = `columns`). */
export function buildBatch(
  schema: Schema,
  columns: SourceColumn[],
  rows: (string | null)[][],
  where = 'query',
): RecordBatch {
  const children = columns.map((c, j) =>
    buildColumn(
      c,
      schema.fields[j] as Field,
      rows.map((r) => r[j] ?? null),
      where,
    ),
  );
  const data = makeData({ type: new Struct(schema.fields), length: rows.length, children });
  return new RecordBatch(schema, data);
}
