/**
 * Rewriting one data file without some of its rows (copy-on-write merges and deletes): the kept rows, and a
 * rewrite that copies the row groups holding no dropped row as bytes (core/arrow/write/parquet-splice.ts),
 * encoding again only the kept rows of the touched row groups. Updates usually touch a few row groups of a file
 * (recent keys, one partition's day), so most of a large file is copied instead of decoded and encoded again.
 */
import { createHash } from 'node:crypto';
import * as arrow from 'apache-arrow';
import { type DataFileWriterOptions, parquetOptionsOf, storeDataFile } from '../../arrow/write/data-file-writer';
import { MetricsAccumulator } from '../../arrow/write/metrics';
import { fetchFooter, readFooter, spliceBlocker, spliceParquet } from '../../arrow/write/parquet-splice';
import { footerFacts, writeParquet } from '../../arrow/write/parquet-writer';
import { takeTable } from '../../arrow/write/take';
import type { FileScanTask } from '../scan/plan';
import type { DataFile } from '../spec/manifest';
import { pathResolver } from './live-rows';

/**
 * The rows not marked in `drop`: zero-copy slices when they form few runs (updates of recent keys
 * leave long runs), else one gathered batch.
 */
export function keptRows(rows: arrow.Table, drop: Uint8Array, dropped: number): arrow.Table | undefined {
  const n = rows.numRows;
  const keep = n - dropped;
  if (keep === 0) return undefined;
  const runs: number[] = [];
  for (let i = 0; i < n; ) {
    while (i < n && drop[i]) i++;
    if (i >= n) break;
    const start = i;
    while (i < n && !drop[i]) i++;
    runs.push(start, i);
  }
  if (runs.length / 2 <= Math.max(16, keep / 256)) {
    const batches: arrow.RecordBatch[] = [];
    for (let r = 0; r < runs.length; r += 2) batches.push(...rows.slice(runs[r], runs[r + 1]).batches);
    return new arrow.Table(rows.schema, batches);
  }
  const idx = new Int32Array(keep);
  for (let i = 0, k = 0; i < n; i++) if (!drop[i]) idx[k++] = i;
  return takeTable(rows, idx);
}

/** Where and how the rewritten file is written (its spec must be the table's current one). */
export type RewriteOptions = Pick<
  DataFileWriterOptions,
  'io' | 'location' | 'schema' | 'spec' | 'properties' | 'prefix'
>;

/** What a splice rewrite did (for tests and logs). */
export interface SpliceStats {
  copiedGroups: number;
  encodedGroups: number;
  encodedRows: number;
}

/**
 * Rewrites `task`'s file without the rows marked in `drop` by copying its untouched row groups and encoding the
 * kept rows of the others into the same new file, in the file's partition. `rows` must be the file's rows in file
 * order, conformed to the schema (so the file has no delete files). Returns undefined, having written nothing,
 * when the file cannot be rewritten that way (other spec, delete files, one row group, a Parquet schema other
 * than ours, no untouched row group, or a footer that does not match `rows`): the caller rewrites the kept rows
 * as before.
 */
export async function rewriteBySplice(
  task: FileScanTask,
  rows: arrow.Table,
  drop: Uint8Array,
  o: RewriteOptions,
  stats?: SpliceStats,
): Promise<DataFile | undefined> {
  if (task.deletes.length > 0 || task.specId !== o.spec['spec-id']) return undefined;
  if (task.dataFile.fileFormat.toUpperCase() !== 'PARQUET') return undefined;
  // one row group (the manifest's split offsets say so): nothing could be copied, so the footer is not read
  if (task.dataFile.splitOffsets && task.dataFile.splitOffsets.length < 2) return undefined;
  const path = pathResolver(o.io)(task.dataFile.filePath);
  const size = (await o.io.stat(path)).size;
  const read = (offset: number, length: number) => o.io.read(path, { offset, length });
  const footer = await fetchFooter(read, size).catch(() => undefined);
  if (!footer || footer.groups.reduce((n, g) => n + g.rows, 0) !== rows.numRows) return undefined;

  const copy: number[] = [];
  const touched: [number, number][] = [];
  let at = 0;
  footer.groups.forEach((g, i) => {
    const end = at + g.rows;
    if (drop.subarray(at, end).includes(1)) touched.push([at, end]);
    else copy.push(i);
    at = end;
  });
  if (copy.length === 0) return undefined;

  // the kept rows of the touched row groups, encoded as a file of their own (zero rows: only its footer is used)
  const encode: arrow.RecordBatch[] = [];
  for (const [a, b] of touched) {
    const part = drop.subarray(a, b);
    const kept = keptRows(
      rows.slice(a, b),
      part,
      part.reduce((n, x) => n + x, 0),
    );
    if (kept) encode.push(...kept.batches);
  }
  const encodedRows = encode.reduce((n, b) => n + b.numRows, 0);
  const fresh = await writeParquet(new arrow.Table(rows.schema, encode), o.schema, parquetOptionsOf(o.properties));
  const freshFooter = readFooter(fresh.bytes);
  if (spliceBlocker(footer, freshFooter)) return undefined;

  const copied = copy.map((i) => footer.groups[i] as (typeof footer.groups)[number]);
  // one ranged read per run of consecutive copied row groups (the touched ones between them are not read)
  const runs: number[][] = [];
  for (const i of copy) {
    const last = runs.at(-1);
    if (last && last.at(-1) === i - 1) last.push(i);
    else runs.push([i]);
  }
  const parts = await Promise.all(
    runs.map(async (groups) => {
      const lo = footer.groups[groups[0] as number]?.start as number;
      const hi = Math.max(...groups.map((i) => footer.groups[i]?.end as number));
      return { bytes: await read(lo, hi - lo), base: lo, footer, groups };
    }),
  );
  const out = spliceParquet(
    [
      ...parts,
      { bytes: fresh.bytes, footer: freshFooter, groups: encodedRows > 0 ? freshFooter.groups.map((_, i) => i) : [] },
    ],
    freshFooter,
  );

  // metrics over every row of the new file: the copied row groups' rows and the encoded ones
  const metrics = new MetricsAccumulator(o.schema);
  at = 0;
  footer.groups.forEach((g, i) => {
    if (copy.includes(i)) for (const b of rows.slice(at, at + g.rows).batches) metrics.add(b);
    at += g.rows;
  });
  for (const b of encode) metrics.add(b);
  const facts = await footerFacts(out, rows.schema);
  const expected = copied.reduce((n, g) => n + g.rows, 0) + encodedRows;
  if (facts.rows !== expected)
    throw new Error(`rewrite of ${path}: the file holds ${facts.rows} rows, not ${expected}`);
  const name = `${o.prefix}-rw-${createHash('sha1').update(task.dataFile.filePath).digest('hex').slice(0, 8)}.parquet`;
  const file = await storeDataFile(
    {
      bytes: out,
      rows: expected,
      metrics: metrics.finish(),
      columnSizes: facts.columnSizes,
      splitOffsets: facts.splitOffsets,
    },
    o,
    task.dataFile.partition,
    name,
  );
  if (stats) {
    stats.copiedGroups += copy.length;
    stats.encodedGroups += encodedRows > 0 ? freshFooter.groups.length : 0;
    stats.encodedRows += encodedRows;
  }
  return file;
}
