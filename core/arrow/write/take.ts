/**
 * Row selection on Arrow data (`take`), used to split a batch by partition. Copies raw buffers, so
 * 64-bit values and timestamps keep full precision (arrow-js row accessors round timestamps to ms).
 */
import * as arrow from 'apache-arrow';

/** The rows `idx` (global row numbers across batches) of a table, in that order, as one batch. */
export function takeTable(table: arrow.Table, idx: Int32Array): arrow.Table {
  const batches = table.batches.map((b) => b.data);
  const starts: number[] = [];
  let s = 0;
  for (const b of batches) {
    starts.push(s);
    s += b.length;
  }
  const locate: Src = (i) => {
    const g = idx[i] as number;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= g) lo = mid;
      else hi = mid - 1;
    }
    return [batches[lo] as arrow.Data, g - (starts[lo] as number)];
  };
  const data = gather(new arrow.Struct(table.schema.fields), idx.length, locate);
  return new arrow.Table([new arrow.RecordBatch(table.schema, data as arrow.Data<arrow.Struct>)]);
}

/** The rows `idx` of one Data chunk, as a fresh single chunk. */
export function takeData(data: arrow.Data, idx: Int32Array): arrow.Data {
  return gather(data.type, idx.length, (i) => [data, idx[i] as number]);
}

type Src = (i: number) => [arrow.Data, number];

function bitmap(n: number, src: Src): { nullBitmap: Uint8Array | undefined; nullCount: number } {
  const bm = new Uint8Array(Math.ceil(n / 8));
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    const [d, j] = src(i);
    if (d.getValid(j)) bm[i >> 3] = (bm[i >> 3] as number) | (1 << (i & 7));
    else nulls++;
  }
  return { nullBitmap: nulls === 0 ? undefined : bm, nullCount: nulls };
}

function gather(type: arrow.DataType, n: number, src: Src): arrow.Data {
  const { nullBitmap, nullCount } = bitmap(n, src);
  const base = { type, length: n, nullCount, nullBitmap } as Record<string, unknown>;
  if (arrow.DataType.isStruct(type)) {
    const children = type.children.map((_, ci) =>
      gather(type.children[ci]?.type as arrow.DataType, n, (i) => {
        const [d, j] = src(i);
        return [d.children[ci] as arrow.Data, j];
      }),
    );
    return arrow.makeData({ ...base, children } as never);
  }
  if (arrow.DataType.isList(type) || arrow.DataType.isMap(type)) {
    const valueOffsets = new Int32Array(n + 1);
    const childIdx: [arrow.Data, number][] = [];
    for (let i = 0; i < n; i++) {
      const [d, j] = src(i);
      const o = d.valueOffsets as Int32Array;
      for (let k = o[j] as number; k < (o[j + 1] as number); k++) childIdx.push([d.children[0] as arrow.Data, k]);
      valueOffsets[i + 1] = childIdx.length;
    }
    const childType = (type.children[0] as arrow.Field).type;
    const child = gather(childType, childIdx.length, (i) => childIdx[i] as [arrow.Data, number]);
    return arrow.makeData({ ...base, valueOffsets, child } as never);
  }
  if (arrow.DataType.isUtf8(type) || arrow.DataType.isBinary(type)) {
    const valueOffsets = new Int32Array(n + 1);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const [d, j] = src(i);
      const o = d.valueOffsets as Int32Array;
      total += (o[j + 1] as number) - (o[j] as number);
      valueOffsets[i + 1] = total;
    }
    const bytes = new Uint8Array(total);
    for (let i = 0; i < n; i++) {
      const [d, j] = src(i);
      const o = d.valueOffsets as Int32Array;
      bytes.set((d.values as Uint8Array).subarray(o[j] as number, o[j + 1] as number), valueOffsets[i] as number);
    }
    return arrow.makeData({ ...base, valueOffsets, data: bytes } as never);
  }
  if (arrow.DataType.isBool(type)) {
    const bits = new Uint8Array(Math.ceil(n / 8));
    for (let i = 0; i < n; i++) {
      const [d, j] = src(i);
      const k = d.offset + j;
      if (((d.values as Uint8Array)[k >> 3] as number) & (1 << (k & 7)))
        bits[i >> 3] = (bits[i >> 3] as number) | (1 << (i & 7));
    }
    return arrow.makeData({ ...base, data: bits } as never);
  }
  const sample = n > 0 ? (src(0)[0].values as ArrayLike<unknown>) : undefined;
  const stride = strideOf(type);
  const Ctor = (sample?.constructor ?? Uint8Array) as unknown as new (n: number) => { [k: number]: unknown };
  const out = new Ctor(n * stride);
  for (let i = 0; i < n; i++) {
    const [d, j] = src(i);
    const vals = d.values as ArrayLike<unknown>;
    for (let s = 0; s < stride; s++) out[i * stride + s] = vals[j * stride + s];
  }
  return arrow.makeData({ ...base, data: out } as never);
}

function strideOf(type: arrow.DataType): number {
  if (arrow.DataType.isDecimal(type)) return type.bitWidth / 32;
  if (arrow.DataType.isFixedSizeBinary(type)) return type.byteWidth;
  if (arrow.DataType.isInterval(type)) return 2;
  return 1;
}
