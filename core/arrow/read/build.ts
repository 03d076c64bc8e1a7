/**
 * Builds Arrow vectors of an Iceberg type from in-memory values (the forms raw-values.ts reads),
 * writing buffers directly so microseconds, 64-bit ids and unscaled decimals stay exact.
 */
import * as arrow from 'apache-arrow';
import type { IcebergType } from '../../iceberg/spec/types';
import { isList, isMap, isStruct, primitiveKind } from '../../iceberg/spec/types';
import { arrowTypeOf } from '../write/arrow-schema';

const utf8 = new TextEncoder();

function nullBitmap(values: readonly unknown[]): { bitmap: Uint8Array; nullCount: number } {
  const bitmap = new Uint8Array((values.length + 7) >> 3);
  let nullCount = 0;
  values.forEach((v, i) => {
    if (v === null || v === undefined) nullCount++;
    else bitmap[i >> 3] = (bitmap[i >> 3] ?? 0) | (1 << (i & 7));
  });
  return { bitmap, nullCount };
}

/** `8f…-…` → 16 bytes; Uint8Array passes through. */
export function uuidBytes(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  const hex = String(v).replace(/-/g, '');
  return Uint8Array.from({ length: 16 }, (_, i) => Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16));
}

function decimalWords(values: readonly unknown[]): Uint32Array {
  const words = new Uint32Array(values.length * 4);
  values.forEach((v, i) => {
    let x = BigInt.asUintN(128, typeof v === 'bigint' ? v : 0n);
    for (let w = 0; w < 4; w++) {
      words[i * 4 + w] = Number(x & 0xffffffffn);
      x >>= 32n;
    }
  });
  return words;
}

function variableBinary(values: readonly unknown[], text: boolean): { offsets: Int32Array; data: Uint8Array } {
  const parts = values.map((v) => {
    if (v === null || v === undefined) return new Uint8Array(0);
    if (text) return utf8.encode(String(v));
    return v instanceof Uint8Array ? v : utf8.encode(String(v));
  });
  const offsets = new Int32Array(values.length + 1);
  parts.forEach((p, i) => {
    offsets[i + 1] = (offsets[i] as number) + p.length;
  });
  const data = new Uint8Array(offsets[values.length] as number);
  parts.forEach((p, i) => {
    data.set(p, offsets[i] as number);
  });
  return { offsets, data };
}

function primitiveData(t: string, type: arrow.DataType, values: readonly unknown[]): arrow.Data {
  const { bitmap, nullCount } = nullBitmap(values);
  const length = values.length;
  const base = { type, length, nullCount, nullBitmap: bitmap } as const;
  const kind = primitiveKind(t)?.kind;
  const big = (v: unknown) => (v === null || v === undefined ? 0n : BigInt(v as bigint));
  const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
  switch (kind) {
    case 'boolean': {
      const bits = new Uint8Array((length + 7) >> 3);
      values.forEach((v, i) => {
        if (v === true) bits[i >> 3] = (bits[i >> 3] ?? 0) | (1 << (i & 7));
      });
      return arrow.makeData({ ...base, type: type as arrow.Bool, data: bits });
    }
    case 'int':
    case 'date':
      return arrow.makeData({ ...base, type: type as arrow.Int32, data: Int32Array.from(values, num) });
    case 'float':
      return arrow.makeData({ ...base, type: type as arrow.Float32, data: Float32Array.from(values, num) });
    case 'double':
      return arrow.makeData({ ...base, type: type as arrow.Float64, data: Float64Array.from(values, num) });
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
    case 'timestamp_ns':
    case 'timestamptz_ns':
      return arrow.makeData({ ...base, type: type as arrow.Int64, data: BigInt64Array.from(values, big) });
    case 'decimal':
      return arrow.makeData({ ...base, type: type as arrow.Decimal, data: decimalWords(values) });
    case 'uuid':
    case 'fixed': {
      const width = (type as arrow.FixedSizeBinary).byteWidth;
      const data = new Uint8Array(length * width);
      values.forEach((v, i) => {
        if (v !== null && v !== undefined)
          data.set((kind === 'uuid' ? uuidBytes(v) : (v as Uint8Array)).subarray(0, width), i * width);
      });
      return arrow.makeData({ ...base, type: type as arrow.FixedSizeBinary, data });
    }
    default: {
      const { offsets, data } = variableBinary(values, kind === 'string');
      return arrow.makeData({ ...base, type: type as arrow.Utf8, data, valueOffsets: offsets });
    }
  }
}

function listData(type: arrow.DataType, values: readonly unknown[], child: arrow.Data): arrow.Data {
  const { bitmap, nullCount } = nullBitmap(values);
  const offsets = new Int32Array(values.length + 1);
  values.forEach((v, i) => {
    offsets[i + 1] = (offsets[i] as number) + (Array.isArray(v) ? v.length : 0);
  });
  return arrow.makeData({
    type: type as arrow.List,
    length: values.length,
    nullCount,
    nullBitmap: bitmap,
    valueOffsets: offsets,
    child,
  });
}

/** Arrow Data of an Iceberg type from in-memory values (structs as arrays in field order, maps as pairs). */
export function buildData(
  t: IcebergType,
  values: readonly unknown[],
  type: arrow.DataType = arrowTypeOf(t),
): arrow.Data {
  if (isStruct(t)) {
    const { bitmap, nullCount } = nullBitmap(values);
    const children = t.fields.map((f, j) =>
      buildData(
        f.type,
        values.map((v) => (Array.isArray(v) ? v[j] : null) ?? null),
        (type.children[j] as arrow.Field).type,
      ),
    );
    return arrow.makeData({
      type: type as arrow.Struct,
      length: values.length,
      nullCount,
      nullBitmap: bitmap,
      children,
    });
  }
  if (isList(t)) {
    const flat = values.flatMap((v) => (Array.isArray(v) ? v : []));
    return listData(type, values, buildData(t.element, flat, (type.children[0] as arrow.Field).type));
  }
  if (isMap(t)) {
    const pairs = values.flatMap((v) => (Array.isArray(v) ? (v as unknown[][]) : []));
    const entriesType = (type.children[0] as arrow.Field).type as arrow.Struct;
    const entries = buildData(
      {
        type: 'struct',
        fields: [
          { id: t['key-id'], name: 'key', required: true, type: t.key },
          { id: t['value-id'], name: 'value', required: false, type: t.value },
        ],
      },
      pairs,
      entriesType,
    );
    return listData(type, values, entries);
  }
  return primitiveData(t, type, values);
}

/** An Arrow Vector of an Iceberg type from in-memory values. */
export function buildVector(t: IcebergType, values: readonly unknown[]): arrow.Vector {
  return arrow.makeVector(buildData(t, values));
}
