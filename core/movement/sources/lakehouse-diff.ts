/**
 * What changed in an Iceberg table between two snapshots, for a merge sink: the data files to upsert and the
 * keys deleted. A data file is "changed" when it is new, gone, or has other delete files attached. Rows of new
 * files are upserted (as of the current snapshot); a key is deleted when it was live in a changed file of the
 * previous snapshot and is live in no changed file of the current one (unchanged files cannot gain keys).
 * Exact for merge-on-read (position, equality deletes, deletion vectors) and copy-on-write history alike.
 */
import type * as arrow from 'apache-arrow';
import { tupleKey } from '../../arrow/read/deletes';
import type { FileScanTask, ScanPlan } from '../../iceberg/scan/plan';

/** A delete chunk: keys live in `prevFiles` at `prevSnapshot` and in none of `curFiles` at `curSnapshot`. */
export interface DeletedKeysSpec {
  kind: 'deleted-keys';
  table: string;
  key: string[];
  prevSnapshot: string;
  curSnapshot: string;
  prevFiles: string[];
  curFiles: string[];
}

const signature = (t: FileScanTask) =>
  t.deletes
    .map((d) => `${d.file.filePath}@${d.file.contentOffset ?? ''}`)
    .sort()
    .join('|');

/** The changed files of two scan plans of the same table. */
export function changedFiles(prev: ScanPlan, cur: ScanPlan) {
  const prevBy = new Map(prev.tasks.map((t) => [t.dataFile.filePath, signature(t)]));
  const curBy = new Map(cur.tasks.map((t) => [t.dataFile.filePath, signature(t)]));
  return {
    added: cur.tasks.filter((t) => !prevBy.has(t.dataFile.filePath)),
    prevChanged: prev.tasks
      .filter((t) => curBy.get(t.dataFile.filePath) !== signature(t))
      .map((t) => t.dataFile.filePath),
    curChanged: cur.tasks
      .filter((t) => prevBy.get(t.dataFile.filePath) !== signature(t))
      .map((t) => t.dataFile.filePath),
  };
}

function keyOf(batch: arrow.RecordBatch, key: string[], i: number): string {
  return tupleKey(key.map((k) => batch.getChild(k)?.get(i)));
}

/** Collects the keys of live rows. */
export async function liveKeys(batches: AsyncIterable<arrow.RecordBatch>, key: string[]): Promise<Set<string>> {
  const keys = new Set<string>();
  for await (const b of batches) for (let i = 0; i < b.numRows; i++) keys.add(keyOf(b, key, i));
  return keys;
}

/** The rows (key columns) of `old` whose key is not in `live`, as slices of the old batches. */
export async function* deletedRows(
  old: AsyncIterable<arrow.RecordBatch>,
  live: Set<string>,
  key: string[],
): AsyncIterable<arrow.RecordBatch> {
  for await (const b of old) {
    let start = -1;
    for (let i = 0; i <= b.numRows; i++) {
      const gone = i < b.numRows && !live.has(keyOf(b, key, i));
      if (gone && start < 0) start = i;
      if (!gone && start >= 0) {
        yield b.slice(start, i);
        start = -1;
      }
    }
  }
}
