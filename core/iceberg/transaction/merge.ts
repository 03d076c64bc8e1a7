/**
 * Row-level merge on key (upsert). Two strategies, chosen by `write.merge.mode` (Iceberg's property):
 * - `merge-on-read` (default): new rows as data files plus an equality delete file holding their keys
 *   (and partition source columns, so the deletes land in the same partitions); constant memory.
 * - `copy-on-write`: data files whose key bounds may hold an incoming key are read, the matching rows
 *   dropped (equality deletes already in the table applied), and the rest rewritten with the new rows.
 * Incoming rows with duplicate keys keep the last occurrence.
 */
import * as arrow from 'apache-arrow';
import { arrowSchemaOf } from '../../arrow/write/arrow-schema';
import { conformTable } from '../../arrow/write/conform';
import { writeDataFiles } from '../../arrow/write/data-file-writer';
import { valueReader } from '../../arrow/write/metrics';
import { takeTable } from '../../arrow/write/take';
import { InvalidInputError } from '../../errors';
import type { FileIO } from '../io/file-io';
import type { FileScanTask } from '../scan/plan';
import { type DataFile, DataFileContent } from '../spec/manifest';
import type { PartitionSpec } from '../spec/partition-spec';
import type { Schema } from '../spec/schema';
import type { TableMetadata } from '../spec/table-metadata';
import { fromBytes } from '../spec/values';
import { parseTransform, transformFn } from '../transform/transform';
import { keyIndex } from './keys';
import { liveDataTasks, liveRowReader } from './live-rows';
import { keptRows, rewriteBySplice, type SpliceStats } from './rewrite-file';

const pw = require('parquet-wasm') as typeof import('parquet-wasm');

/** Key strings per row of `table` for the key columns `ids`. */
export function rowKeys(table: arrow.Table, schema: Schema, ids: number[]): string[] {
  const cols = ids.map((id) => {
    const idx = schema.fields.findIndex((f) => f.id === id);
    const f = schema.fields[idx];
    if (!f || typeof f.type !== 'string')
      throw new InvalidInputError(`merge key field ${id} must be a top-level primitive column`);
    return { idx, type: f.type };
  });
  const out: string[] = [];
  for (const batch of table.batches) {
    const readers = cols.map((c) => valueReader(c.type, batch.data.children[c.idx] as arrow.Data));
    for (let i = 0; i < batch.numRows; i++) out.push(readers.map((r) => keyText(r(i))).join('\u0000'));
  }
  return out;
}

function keyText(v: unknown): string {
  if (v === null || v === undefined) return '\u0001null';
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  return String(v);
}

/** Keeps the last row of each key (`table` conformed to `schema`). */
export function dedupeByKey(table: arrow.Table, schema: Schema, ids: number[]): arrow.Table {
  const index = keyIndex(schema, ids);
  const entries = new Int32Array(table.numRows);
  if (index?.addRows(table, entries)) {
    if (index.size === table.numRows) return table;
    const last = new Int32Array(index.size);
    for (let row = 0; row < entries.length; row++) last[entries[row] as number] = row;
    return takeTable(table, last.sort());
  }
  const keys = rowKeys(table, schema, ids);
  const last = new Map<string, number>();
  for (let i = 0; i < keys.length; i++) last.set(keys[i] as string, i);
  if (last.size === keys.length) return table;
  return takeTable(table, Int32Array.from([...last.values()].sort((a, b) => a - b)));
}

/** Key field ids of `names` (exact, then case-insensitive). */
export function keyFieldIds(schema: Schema, names: string[]): number[] {
  return names.map((n) => {
    const f =
      schema.fields.find((x) => x.name === n) ?? schema.fields.find((x) => x.name.toLowerCase() === n.toLowerCase());
    if (!f) throw new InvalidInputError(`primary key column ${n} is not in the table`);
    return f.id;
  });
}

export interface MergeWriteOptions {
  io: FileIO;
  metadata: TableMetadata;
  schema: Schema;
  spec: PartitionSpec;
  keyIds: number[];
  prefix: string;
  /** Overrides `write.target-file-size-bytes` for the data files (Nilus `loader-file-size`). */
  targetFileSizeBytes?: number;
}

/**
 * Equality delete files for keys reported deleted (key columns plus partition source columns when the
 * source rows carry them). The partition spec's source columns must be among the keys, or the table
 * unpartitioned, so each delete lands in the partition of the row it deletes.
 */
export async function writeKeyDeletes(keys: arrow.Table, o: MergeWriteOptions): Promise<DataFile[]> {
  const sources = o.spec.fields.filter((f) => f.transform !== 'void').map((f) => f['source-id']);
  if (sources.some((id) => !o.keyIds.includes(id)))
    throw new InvalidInputError('deleting keys from a table partitioned by non-key columns is not supported');
  const delSchema: Schema = { ...o.schema, fields: o.schema.fields.filter((f) => o.keyIds.includes(f.id)) };
  const m = o.metadata;
  return writeDataFiles(conformTable(keys, delSchema), {
    io: o.io,
    location: m.location,
    spec: o.spec,
    properties: m.properties,
    schema: delSchema,
    prefix: `${o.prefix}-keydel`,
    content: DataFileContent.EqualityDeletes,
    equalityIds: o.keyIds,
  });
}

/** Merge-on-read: writes the data files and the equality delete files of an upsert. */
export async function writeMergeOnRead(table: arrow.Table, o: MergeWriteOptions): Promise<DataFile[]> {
  const m = o.metadata;
  const base = { io: o.io, location: m.location, spec: o.spec, properties: m.properties };
  const size = o.targetFileSizeBytes ? { targetFileSizeBytes: o.targetFileSizeBytes } : {};
  const data = await writeDataFiles(table, { ...base, ...size, schema: o.schema, prefix: o.prefix });
  const ids = new Set([...o.keyIds, ...o.spec.fields.map((f) => f['source-id'])]);
  const delSchema: Schema = { ...o.schema, fields: o.schema.fields.filter((f) => ids.has(f.id)) };
  const keysOnly = conformTable(projectColumns(table, delSchema), delSchema);
  const deletes = await writeDataFiles(keysOnly, {
    ...base,
    schema: delSchema,
    prefix: `${o.prefix}-eqdel`,
    content: DataFileContent.EqualityDeletes,
    equalityIds: o.keyIds,
  });
  return [...data, ...deletes];
}

function projectColumns(table: arrow.Table, schema: Schema): arrow.Table {
  return table.select(schema.fields.map((f) => f.name) as never[]) as arrow.Table;
}

/**
 * Copy-on-write: returns the files to remove and the files to add. Files are pruned before reading by
 * their key bounds (single key column) and by the partition values of key-derived partition fields;
 * each file read is matched against the incoming keys as bytes (keys.ts). A matched file's untouched row groups
 * are copied as bytes into its replacement, with the kept rows of its touched row groups (rewrite-file.ts);
 * where that cannot be done, its surviving rows are written with the incoming rows in one pass.
 */
export async function writeCopyOnWrite(
  table: arrow.Table,
  o: MergeWriteOptions,
  /** Keys to delete, as `rowKeys` strings. */
  deleteKeys: Set<string> = new Set(),
  /** Counts of the row groups copied and encoded (for tests and logs). */
  stats?: SpliceStats,
): Promise<{ remove: string[]; add: DataFile[] }> {
  const m = o.metadata;
  const matches = keyMatcher(table, o, deleteKeys);
  const bounds = deleteKeys.size > 0 ? undefined : keyBounds(table, o);
  const inPartition = deleteKeys.size > 0 ? () => true : partitionPruner(table, o);
  // Rows are read with the table's deletes applied: the rewritten file gets a new sequence number, so
  // deletes that applied to the old file would no longer apply to it.
  const tasks = (await liveDataTasks(o.io, m)).filter((t) => mayContain(t.dataFile, o, bounds) && inPartition(t));
  const read = liveRowReader(o.io, m, o.schema);
  const base = { io: o.io, location: m.location, spec: o.spec, properties: m.properties, schema: o.schema };
  const remove: string[] = [];
  const kept: arrow.Table[] = [];
  const rewritten: DataFile[] = [];
  // The next file is read while one is matched (its I/O overlaps the CPU work).
  const start = (i: number) => {
    const t = tasks[i];
    if (!t) return undefined;
    const p = read(t);
    p.catch(() => undefined); // awaited in the loop; this only keeps an early failure from going unhandled
    return p;
  };
  try {
    let next = start(0);
    for (let i = 0; i < tasks.length; i++) {
      const t = tasks[i] as FileScanTask;
      const rows = conformTable(await (next as Promise<arrow.Table>), o.schema);
      next = start(i + 1);
      const hit = matches(rows);
      if (!hit) continue;
      remove.push(t.dataFile.filePath);
      const spliced = await rewriteBySplice(t, rows, hit.drop, { ...base, prefix: o.prefix }, stats);
      if (spliced) {
        rewritten.push(spliced);
        continue;
      }
      const rest = keptRows(rows, hit.drop, hit.count);
      if (rest) kept.push(rest);
    }
    const all = kept.length
      ? new arrow.Table(
          arrowSchemaOf(o.schema),
          [...kept, table].flatMap((t) => t.batches),
        )
      : table;
    const size = o.targetFileSizeBytes ? { targetFileSizeBytes: o.targetFileSizeBytes } : {};
    return { remove, add: [...rewritten, ...(await writeDataFiles(all, { ...base, ...size, prefix: o.prefix }))] };
  } catch (err) {
    await Promise.all(rewritten.map((f) => o.io.delete(f.filePath).catch(() => undefined)));
    throw err;
  }
}

type Matcher = (rows: arrow.Table) => { drop: Uint8Array; count: number } | undefined;

/** Marks the rows of a table whose key is incoming (or deleted); undefined when none is. */
function keyMatcher(table: arrow.Table, o: MergeWriteOptions, deleteKeys: Set<string>): Matcher {
  let strings: Set<string> | undefined;
  const byString: Matcher = (rows) => {
    strings ??= new Set([...rowKeys(table, o.schema, o.keyIds), ...deleteKeys]);
    const incoming = strings;
    const drop = new Uint8Array(rows.numRows);
    let count = 0;
    rowKeys(rows, o.schema, o.keyIds).forEach((k, i) => {
      if (incoming.has(k)) {
        drop[i] = 1;
        count++;
      }
    });
    return count ? { drop, count } : undefined;
  };
  const index = keyIndex(o.schema, o.keyIds);
  if (!index?.addRows(table) || (deleteKeys.size > 0 && !index.addKeyStrings(deleteKeys))) return byString;
  return (rows) => {
    const drop = new Uint8Array(rows.numRows);
    const count = index.markRows(rows, drop);
    if (count < 0) return byString(rows);
    return count ? { drop, count } : undefined;
  };
}

/**
 * Prunes files by the partition fields derived from a key column (identity, bucket, truncate, time
 * transforms of a key): a file whose partition value is none of the incoming keys' cannot hold one.
 */
function partitionPruner(table: arrow.Table, o: MergeWriteOptions): (t: FileScanTask) => boolean {
  const specs = new Map(o.metadata['partition-specs'].map((s) => [s['spec-id'], s]));
  const seen = new Map<string, Set<string> | undefined>();
  const valuesOf = (sourceId: number, transform: string): Set<string> | undefined => {
    const memo = `${sourceId}|${transform}`;
    if (seen.has(memo)) return seen.get(memo);
    let out: Set<string> | undefined;
    const idx = o.schema.fields.findIndex((f) => f.id === sourceId);
    const type = o.schema.fields[idx]?.type;
    if (typeof type === 'string') {
      try {
        const fn = transformFn(parseTransform(transform), type);
        out = new Set<string>();
        for (const b of table.batches) {
          const r = valueReader(type, b.data.children[idx] as arrow.Data);
          for (let i = 0; i < b.numRows; i++) out.add(keyText(fn(r(i))));
        }
      } catch {
        out = undefined;
      }
    }
    seen.set(memo, out);
    return out;
  };
  return (t) => {
    const spec = specs.get(t.specId);
    if (!spec) return true;
    return spec.fields.every((f, i) => {
      if (f.transform === 'void' || !o.keyIds.includes(f['source-id'])) return true;
      if (i >= t.dataFile.partition.length) return true;
      const values = valuesOf(f['source-id'], f.transform);
      return !values || values.has(keyText(t.dataFile.partition[i] ?? null));
    });
  };
}

/** Decodes a whole Parquet file into Arrow. */
export function readParquetTable(bytes: Uint8Array): arrow.Table {
  return readParquet(bytes);
}

function readParquet(bytes: Uint8Array): arrow.Table {
  return arrow.tableFromIPC(pw.readParquet(bytes).intoIPCStream());
}

type Bounds = { lower: unknown; upper: unknown } | undefined;

function keyBounds(table: arrow.Table, o: MergeWriteOptions): Bounds {
  if (o.keyIds.length !== 1) return undefined;
  const idx = o.schema.fields.findIndex((f) => f.id === o.keyIds[0]);
  const t = o.schema.fields[idx]?.type;
  if (typeof t !== 'string' || !/^(int|long|date|string)$/.test(t)) return undefined;
  let lower: unknown;
  let upper: unknown;
  for (const b of table.batches) {
    const r = valueReader(t, b.data.children[idx] as arrow.Data);
    for (let i = 0; i < b.numRows; i++) {
      const v = r(i);
      if (v === null) continue;
      if (lower === undefined || (v as never) < (lower as never)) lower = v;
      if (upper === undefined || (v as never) > (upper as never)) upper = v;
    }
  }
  return lower === undefined ? undefined : { lower, upper };
}

/** False only when the file's key bounds prove it holds no incoming key. */
function mayContain(f: DataFile, o: MergeWriteOptions, b: Bounds): boolean {
  if (!b) return true;
  const id = o.keyIds[0] as number;
  const t = o.schema.fields.find((x) => x.id === id)?.type as string;
  const lo = f.lowerBounds?.get(id);
  const hi = f.upperBounds?.get(id);
  if (!lo || !hi) return true;
  const fl = fromBytes(t, lo) as never;
  const fh = fromBytes(t, hi) as never;
  return !((b.upper as never) < fl || (b.lower as never) > fh);
}
