/**
 * Row selection on Arrow data (`take`), used to split a batch by partition and to keep the surviving
 * rows of a copy-on-write rewrite. Copies raw buffers, so 64-bit values and timestamps keep full
 * precision (arrow-js row accessors round timestamps to ms). Positions are two typed arrays (chunk,
 * row) so large takes allocate nothing per value.
 */
import * as arrow from 'apache-arrow';

interface Pos {
  chunks: arrow.Data[];
  chunk: Int32Array;
  row: Int32Array;
}

/** The rows `idx` (global row numbers across batches) of a table, in that order, as one batch. */
export function takeTable(table: arrow.Table, idx: Int32Array): arrow.Table {
  const chunks = table.batches.map((b) => b.data as arrow.Data);
  const starts = new Int32Array(chunks.length);
  let s = 0;
  chunks.forEach((c, i) => {
    starts[i] = s;
    s += c.length;
  });
  const chunk = new Int32Array(idx.length);
  const row = new Int32Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    const g = idx[i] as number;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= g) lo = mid;
      else hi = mid - 1;
    }
    chunk[i] = lo;
    row[i] = g - (starts[lo] as number);
  }
  const data = gather(new arrow.Struct(table.schema.fields), { chunks, chunk, row });
  return new arrow.Table([new arrow.RecordBatch(table.schema, data as arrow.Data<arrow.Struct>)]);
}

/** The rows `idx` of one Data chunk, as a fresh single chunk. */
export function takeData(data: arrow.Data, idx: Int32Array): arrow.Data {
  return gather(data.type, { chunks: [data], chunk: new Int32Array(idx.length), row: idx });
}

function bitmap(p: Pos): { nullBitmap: Uint8Array | undefined; nullCount: number } {
  const n = p.row.length;
  const bm = new Uint8Array(Math.ceil(n / 8));
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    if ((p.chunks[p.chunk[i] as number] as arrow.Data).getValid(p.row[i] as number))
      bm[i >> 3] = (bm[i >> 3] as number) | (1 << (i & 7));
    else nulls++;
  }
  return { nullBitmap: nulls === 0 ? undefined : bm, nullCount: nulls };
}

function gather(type: arrow.DataType, p: Pos): arrow.Data {
  const n = p.row.length;
  const noNulls = p.chunks.every((c) => c.nullCount === 0);
  const { nullBitmap, nullCount } = noNulls ? { nullBitmap: undefined, nullCount: 0 } : bitmap(p);
  const base = { type, length: n, nullCount, nullBitmap } as Record<string, unknown>;
  if (arrow.DataType.isStruct(type)) {
    const children = type.children.map((f, ci) =>
      gather(f.type, { ...p, chunks: p.chunks.map((c) => c.children[ci] as arrow.Data) }),
    );
    return arrow.makeData({ ...base, children } as never);
  }
  if (arrow.DataType.isList(type) || arrow.DataType.isMap(type)) return gatherList(type, p, base);
  if (arrow.DataType.isUtf8(type) || arrow.DataType.isBinary(type)) return gatherBytes(p, base);
  if (arrow.DataType.isBool(type)) {
    const bits = new Uint8Array(Math.ceil(n / 8));
    for (let i = 0; i < n; i++) {
      const d = p.chunks[p.chunk[i] as number] as arrow.Data;
      const k = d.offset + (p.row[i] as number);
      if (((d.values as Uint8Array)[k >> 3] as number) & (1 << (k & 7)))
        bits[i >> 3] = (bits[i >> 3] as number) | (1 << (i & 7));
    }
    return arrow.makeData({ ...base, data: bits } as never);
  }
  const stride = strideOf(type);
  const sample = p.chunks[0]?.values as { constructor: new (n: number) => { [k: number]: unknown } } | undefined;
  const Ctor = (sample?.constructor ?? Uint8Array) as new (n: number) => { [k: number]: unknown };
  const out = new Ctor(n * stride);
  const vals = p.chunks.map((c) => c.values as ArrayLike<unknown>);
  for (let i = 0; i < n; i++) {
    const v = vals[p.chunk[i] as number] as ArrayLike<unknown>;
    const j = (p.row[i] as number) * stride;
    if (stride === 1) out[i] = v[j];
    else for (let s = 0; s < stride; s++) out[i * stride + s] = v[j + s];
  }
  return arrow.makeData({ ...base, data: out } as never);
}

/** The value offsets of the taken rows of a variable-length column, and the source offsets of each chunk. */
function gatherOffsets(p: Pos): { n: number; valueOffsets: Int32Array; offs: Int32Array[]; total: number } {
  const n = p.row.length;
  const valueOffsets = new Int32Array(n + 1);
  const offs = p.chunks.map((c) => c.valueOffsets as Int32Array);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const o = offs[p.chunk[i] as number] as Int32Array;
    const j = p.row[i] as number;
    total += (o[j + 1] as number) - (o[j] as number);
    valueOffsets[i + 1] = total;
  }
  return { n, valueOffsets, offs, total };
}

function gatherBytes(p: Pos, base: Record<string, unknown>): arrow.Data {
  const { n, valueOffsets, offs, total } = gatherOffsets(p);
  const bytes = new Uint8Array(total);
  const vals = p.chunks.map((c) => c.values as Uint8Array);
  for (let i = 0; i < n; i++) {
    const c = p.chunk[i] as number;
    const o = offs[c] as Int32Array;
    const j = p.row[i] as number;
    bytes.set((vals[c] as Uint8Array).subarray(o[j] as number, o[j + 1] as number), valueOffsets[i] as number);
  }
  return arrow.makeData({ ...base, valueOffsets, data: bytes } as never);
}

function gatherList(type: arrow.DataType, p: Pos, base: Record<string, unknown>): arrow.Data {
  const { n, valueOffsets, offs, total } = gatherOffsets(p);
  const chunk = new Int32Array(total);
  const row = new Int32Array(total);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const c = p.chunk[i] as number;
    const o = offs[c] as Int32Array;
    const j = p.row[i] as number;
    for (let r = o[j] as number; r < (o[j + 1] as number); r++, k++) {
      chunk[k] = c;
      row[k] = r;
    }
  }
  const childType = (type.children[0] as arrow.Field).type;
  const child = gather(childType, { chunks: p.chunks.map((c) => c.children[0] as arrow.Data), chunk, row });
  return arrow.makeData({ ...base, valueOffsets, child } as never);
}

function strideOf(type: arrow.DataType): number {
  if (arrow.DataType.isDecimal(type)) return type.bitWidth / 32;
  if (arrow.DataType.isFixedSizeBinary(type)) return type.byteWidth;
  if (arrow.DataType.isInterval(type)) return 2;
  return 1;
}
