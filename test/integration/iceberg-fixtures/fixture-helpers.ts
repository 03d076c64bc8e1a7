/**
 * Shared helpers of the fixture acceptance tests: a case is one fixture table of
 * shared/fixtures/iceberg with every expected answer its INDEX.md entry states, written against
 * an `Opener` so the same case runs on the local folder and through s3rver + the S3 FileIO.
 */
import { join } from 'node:path';
import { batchRows } from '../../../core/arrow/read/render';
import type { FileIO } from '../../../core/iceberg/io/file-io';
import { openTable, type ScanOptions, type Table, type TableScan } from '../../../core/iceberg/table';

/** The fixtures folder, read in place (never copied, never written). */
export const FIXTURES = join(__dirname, '../../../../shared/fixtures/iceberg');

/** Opens a fixture table by its path below the fixtures folder (a folder or a metadata file). */
export type Opener = (relPath: string) => Promise<Table>;

export type Row = Record<string, unknown>;

/** One fixture's acceptance test. `failing` (with the reason) marks a case we cannot pass yet. */
export interface FixtureCase {
  name: string;
  failing?: string;
  run(open: Opener): Promise<void>;
}

/** Opens fixtures from the local folder, with `--allow-moved-paths`. */
export function localOpener(): Opener {
  return (rel) => openTable(join(FIXTURES, rel), { allowMovedPaths: true });
}

/** Opens fixtures uploaded below `root` (e.g. `s3://bucket/fixtures`) with the given FileIO. */
export function ioOpener(root: string, io: FileIO): Opener {
  return (rel) => openTable(`${root}/${rel}`, { allowMovedPaths: true, io });
}

/** All rows of a scan as JSON-ready objects (the `--format jsonl` rendering). */
export async function scanRows(table: Table, options: ScanOptions = {}): Promise<Row[]> {
  const scan = await table.scan(options);
  return collect(scan);
}

/** The rows of a planned scan. */
export async function collect(scan: TableScan): Promise<Row[]> {
  const out: Row[] = [];
  for await (const batch of scan.batches()) for (const row of batchRows(batch, scan.fields)) out.push(row);
  return out;
}

/** Number of rows of a scan. */
export async function count(table: Table, options: ScanOptions = {}): Promise<number> {
  let n = 0;
  for await (const batch of (await table.scan(options)).batches()) n += batch.numRows;
  return n;
}

/** Rows as arrays of the given columns (order kept). */
export function tuples(rows: Row[], columns: string[]): unknown[][] {
  return rows.map((r) => columns.map((c) => r[c]));
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : 1;
}

/** Tuples sorted by every column in order (nulls first), for answers stated without an order. */
export function sorted(rows: unknown[][]): unknown[][] {
  return [...rows].sort((x, y) => {
    for (let i = 0; i < x.length; i++) {
      const c = compare(x[i], y[i]);
      if (c !== 0) return c;
    }
    return 0;
  });
}

/** Values of one column, sorted. */
export function column(rows: Row[], name: string): unknown[] {
  return sorted(rows.map((r) => [r[name]])).map((r) => r[0]);
}

/** Count of rows per value of a column. */
export function groupCounts(rows: Row[], name: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) out[String(r[name])] = (out[String(r[name])] ?? 0) + 1;
  return out;
}
