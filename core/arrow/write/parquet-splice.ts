/**
 * Parquet files assembled from whole row groups of other files, without decoding them: the column chunks of a
 * row group are one contiguous byte range whose only absolute references are the offsets in the footer, so a
 * row group can be copied into a new file as bytes and its footer entry shifted by the distance it moved.
 *
 * Copy-on-write merges use it (core/iceberg/transaction/merge.ts): the row groups of a rewritten file that hold no
 * changed key are copied as they are, and only the rows of the touched row groups are encoded again.
 *
 * Copying is only done between files with the same Parquet schema and column orders (byte-equal in the footer),
 * unencrypted, with every column chunk in the file itself. Page indexes (column and offset indexes) and bloom
 * filters live outside the row groups: their footer references are dropped in the assembled file (both are
 * optional; readers fall back to the chunk statistics, which travel with the row group's footer entry).
 *
 * Footer fields: https://github.com/apache/parquet-format/blob/master/src/main/thrift/parquet.thrift
 */
import {
  decodeStruct,
  encodeStruct,
  field,
  intField,
  listField,
  T,
  type TField,
  ThriftError,
  type TStruct,
} from '../parquet/thrift-compact';

const MAGIC = new Uint8Array([0x50, 0x41, 0x52, 0x31]); // PAR1

// FileMetaData
const FM_SCHEMA = 2;
const FM_NUM_ROWS = 3;
const FM_ROW_GROUPS = 4;
const FM_COLUMN_ORDERS = 7;
const FM_ENCRYPTION = 8;
// RowGroup
const RG_COLUMNS = 1;
const RG_NUM_ROWS = 3;
const RG_FILE_OFFSET = 5;
const RG_ORDINAL = 7;
// ColumnChunk
const CC_FILE_PATH = 1;
const CC_FILE_OFFSET = 2;
const CC_META = 3;
const CC_PAGE_INDEX = new Set([4, 5, 6, 7]);
const CC_CRYPTO = new Set([8, 9]);
// ColumnMetaData
const CM_PATH = 3;
const CM_TOTAL_COMPRESSED = 7;
const CM_DATA_PAGE_OFFSET = 9;
const CM_INDEX_PAGE_OFFSET = 10;
const CM_DICTIONARY_PAGE_OFFSET = 11;
const CM_BLOOM = new Set([14, 15]);

/** A row group: its byte range in the file, rows and footer entry. */
export interface RowGroupRange {
  start: number;
  end: number;
  rows: number;
  entry: TStruct;
}

/** A file's footer (`FileMetaData`) and its row groups. */
export interface ParquetFooter {
  meta: TStruct;
  groups: RowGroupRange[];
  /** Where the footer starts (the row groups end before it). */
  footerStart: number;
}

export class ParquetSpliceError extends Error {}

/** Reads the footer of a whole Parquet file in memory; throws ParquetSpliceError when it is not one. */
export function readFooter(bytes: Uint8Array): ParquetFooter {
  if (bytes.length < 12 || !MAGIC.every((m, i) => bytes[i] === m))
    throw new ParquetSpliceError('not a Parquet file (magic bytes)');
  return parseFooter(bytes, bytes.length);
}

/** Bytes read from the end of a file to find its footer (most footers fit: one read). */
const TAIL_BYTES = 64 * 1024;

/**
 * Reads the footer of a Parquet file of `size` bytes through ranged reads: the last 64 KiB, and the whole footer
 * again when it is longer.
 */
export async function fetchFooter(
  read: (offset: number, length: number) => Promise<Uint8Array>,
  size: number,
): Promise<ParquetFooter> {
  if (size < 12) throw new ParquetSpliceError('not a Parquet file (too short)');
  const n = Math.min(size, TAIL_BYTES);
  let tail = await read(size - n, n);
  const len = tail.length >= 8 ? new DataView(tail.buffer, tail.byteOffset + tail.length - 8, 4).getUint32(0, true) : 0;
  if (len + 8 > tail.length && len + 12 <= size) tail = await read(size - len - 8, len + 8);
  return parseFooter(tail, size);
}

/** The footer from `tail`, the last `tail.length` bytes of a file of `size` bytes. */
function parseFooter(tail: Uint8Array, size: number): ParquetFooter {
  const n = tail.length;
  const base = size - n;
  if (n < 8 || !MAGIC.every((m, i) => tail[n - 4 + i] === m))
    throw new ParquetSpliceError('not a Parquet file (magic bytes)');
  const len = new DataView(tail.buffer, tail.byteOffset + n - 8, 4).getUint32(0, true);
  const footerStart = size - 8 - len;
  if (footerStart < 4) throw new ParquetSpliceError('footer length past the start of the file');
  if (footerStart < base) throw new ParquetSpliceError('footer longer than the bytes read');
  let meta: TStruct;
  try {
    const d = decodeStruct(tail.subarray(0, n - 8), footerStart - base);
    if (d.end !== n - 8) throw new ParquetSpliceError('footer length does not match its content');
    meta = d.struct;
  } catch (err) {
    if (err instanceof ThriftError) throw new ParquetSpliceError(`footer: ${err.message}`);
    throw err;
  }
  const groups = field(meta, FM_ROW_GROUPS) ? listField(meta, FM_ROW_GROUPS).items : [];
  return {
    meta,
    footerStart,
    groups: groups.map((g, i) => groupRange(g as TStruct, i, footerStart)),
  };
}

function groupRange(entry: TStruct, index: number, footerStart: number): RowGroupRange {
  let start = Number.POSITIVE_INFINITY;
  let end = 0;
  for (const c of listField(entry, RG_COLUMNS).items as TStruct[]) {
    const md = field(c, CC_META)?.value as TStruct | undefined;
    if (!md) throw new ParquetSpliceError(`row group ${index}: a column chunk without metadata`);
    const offsets = [CM_DICTIONARY_PAGE_OFFSET, CM_INDEX_PAGE_OFFSET, CM_DATA_PAGE_OFFSET]
      .map((id) => intField(md, id))
      .filter((x): x is bigint => x !== undefined && x > 0n)
      .map(Number);
    const size = Number(intField(md, CM_TOTAL_COMPRESSED) ?? -1n);
    if (offsets.length === 0 || size < 0) throw new ParquetSpliceError(`row group ${index}: column chunk offsets`);
    const s = Math.min(...offsets);
    start = Math.min(start, s);
    end = Math.max(end, s + size);
  }
  if (!(start >= 4 && end > start && end <= footerStart))
    throw new ParquetSpliceError(`row group ${index}: byte range ${start}..${end} outside the data`);
  return { start, end, rows: Number(intField(entry, RG_NUM_ROWS) ?? 0n), entry };
}

/** Every column chunk of a footer: its row group, path in the schema and compressed bytes. */
export function columnChunks(footer: ParquetFooter): { group: number; path: string[]; compressedSize: number }[] {
  const out: { group: number; path: string[]; compressedSize: number }[] = [];
  const text = new TextDecoder();
  footer.groups.forEach((g, group) => {
    for (const c of listField(g.entry, RG_COLUMNS).items as TStruct[]) {
      const md = field(c, CC_META)?.value as TStruct;
      const path = listField(md, CM_PATH).items.map((x) => text.decode(x as Uint8Array));
      out.push({ group, path, compressedSize: Number(intField(md, CM_TOTAL_COMPRESSED) ?? 0n) });
    }
  });
  return out;
}

/**
 * Why row groups of `from` cannot be copied into a file with `into`'s schema, or undefined when they can: the
 * same schema and column orders (byte-equal), no encryption, every column chunk in the file.
 */
export function spliceBlocker(from: ParquetFooter, into: ParquetFooter): string | undefined {
  const same = (id: number) => {
    const a = field(from.meta, id);
    const b = field(into.meta, id);
    if (!a || !b) return !a && !b;
    return equalBytes(encodeStruct({ kind: 'struct', fields: [a] }), encodeStruct({ kind: 'struct', fields: [b] }));
  };
  if (!same(FM_SCHEMA)) return 'the Parquet schemas differ';
  if (!same(FM_COLUMN_ORDERS)) return 'the column orders differ';
  if (field(from.meta, FM_ENCRYPTION)) return 'the file is encrypted';
  for (const g of from.groups)
    for (const c of listField(g.entry, RG_COLUMNS).items as TStruct[])
      if (field(c, CC_FILE_PATH) || c.fields.some((f) => CC_CRYPTO.has(f.id)))
        return 'a column chunk is stored elsewhere or encrypted';
  return undefined;
}

/**
 * One source of row groups for `spliceParquet`: bytes of a file (`bytes[0]` is the file's byte `base`, 0 for a
 * whole file) holding the row groups to take, its footer, and the row groups, in order.
 */
export interface SplicePart {
  bytes: Uint8Array;
  base?: number;
  footer: ParquetFooter;
  groups: number[];
}

/**
 * A new Parquet file of the given row groups, copied as bytes in order, with the footer of `schemaFrom` (schema,
 * key-value metadata, created_by, column orders) and the copied row groups' entries shifted to their new offsets.
 * Every part must be compatible with `schemaFrom` (`spliceBlocker`); throws ParquetSpliceError otherwise.
 */
export function spliceParquet(parts: SplicePart[], schemaFrom: ParquetFooter): Uint8Array {
  for (const p of parts) {
    const why = spliceBlocker(p.footer, schemaFrom);
    if (why) throw new ParquetSpliceError(`cannot copy row groups: ${why}`);
  }
  const chunks: Uint8Array[] = [MAGIC];
  const entries: TStruct[] = [];
  let at = MAGIC.length;
  let rows = 0n;
  for (const p of parts) {
    for (const i of p.groups) {
      const g = p.footer.groups[i];
      if (!g) throw new ParquetSpliceError(`no row group ${i}`);
      const base = p.base ?? 0;
      if (g.start < base || g.end - base > p.bytes.length)
        throw new ParquetSpliceError(`row group ${i} (${g.start}..${g.end}) is not in the bytes given`);
      chunks.push(p.bytes.subarray(g.start - base, g.end - base));
      entries.push(moved(g.entry, at - g.start, entries.length));
      at += g.end - g.start;
      rows += BigInt(g.rows);
    }
  }
  const meta: TStruct = {
    kind: 'struct',
    fields: schemaFrom.meta.fields.map((f): TField => {
      if (f.id === FM_NUM_ROWS) return { ...f, value: rows };
      if (f.id === FM_ROW_GROUPS) return { id: f.id, type: T.LIST, value: rowGroupList(entries) };
      return f;
    }),
  };
  if (!field(meta, FM_ROW_GROUPS)) throw new ParquetSpliceError('footer without row groups');
  const footer = encodeStruct(meta);
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, footer.length, true);
  chunks.push(footer, len, MAGIC);
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

function rowGroupList(entries: TStruct[]) {
  return { kind: 'list' as const, type: T.LIST, elemType: T.STRUCT, items: entries };
}

/** A row group entry moved by `delta` bytes, as row group number `ordinal`, without page-index references. */
function moved(entry: TStruct, delta: number, ordinal: number): TStruct {
  const d = BigInt(delta);
  // an offset of 0 stands for "absent" in some writers: kept as it is
  const shift = (f: TField): TField => {
    const v = BigInt(f.value as bigint | number);
    return v > 0n ? { ...f, value: v + d } : f;
  };
  const fields = entry.fields.map((f): TField => {
    if (f.id === RG_FILE_OFFSET) return shift(f);
    if (f.id === RG_ORDINAL) return { ...f, value: ordinal };
    if (f.id !== RG_COLUMNS) return f;
    const columns = (f.value as { items: TStruct[] }).items.map(
      (c): TStruct => ({
        kind: 'struct',
        fields: c.fields
          .filter((x) => !CC_PAGE_INDEX.has(x.id))
          .map((x): TField => {
            if (x.id === CC_FILE_OFFSET) return shift(x);
            if (x.id !== CC_META) return x;
            const md = x.value as TStruct;
            return {
              ...x,
              value: {
                kind: 'struct',
                fields: md.fields
                  .filter((y) => !CM_BLOOM.has(y.id))
                  .map((y) =>
                    y.id === CM_DATA_PAGE_OFFSET || y.id === CM_INDEX_PAGE_OFFSET || y.id === CM_DICTIONARY_PAGE_OFFSET
                      ? shift(y)
                      : y,
                  ),
              },
            };
          }),
      }),
    );
    return { ...f, value: { ...(f.value as object), items: columns } as TField['value'] };
  });
  return { kind: 'struct', fields };
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
