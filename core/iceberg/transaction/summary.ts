/**
 * Snapshot summaries (format/spec.md "Snapshots" → summary; Iceberg Java's SnapshotSummary keys):
 * added/deleted files, records and sizes, and running totals carried from the parent.
 */
import { type DataFile, DataFileContent } from '../spec/manifest';

/** The summary of a snapshot that adds `added` and removes `removed`. */
export function buildSummary(
  operation: string,
  added: DataFile[],
  removed: DataFile[],
  parent: Record<string, string> | undefined,
  extra: Record<string, string> = {},
): Record<string, string> & { operation: string } {
  const of = (files: DataFile[], c: DataFileContent) => files.filter((f) => f.content === c);
  const rows = (files: DataFile[]) => files.reduce((n, f) => n + f.recordCount, 0);
  const size = (files: DataFile[]) => files.reduce((n, f) => n + f.fileSizeInBytes, 0);
  const addData = of(added, DataFileContent.Data);
  const addEq = of(added, DataFileContent.EqualityDeletes);
  const addPos = of(added, DataFileContent.PositionDeletes);
  const remData = of(removed, DataFileContent.Data);
  const remDel = removed.filter((f) => f.content !== DataFileContent.Data);
  const s: Record<string, string> = { operation };
  const put = (k: string, v: number) => {
    if (v > 0) s[k] = String(v);
  };
  put('added-data-files', addData.length);
  put('added-records', rows(addData));
  put('added-files-size', size(added));
  put('added-delete-files', addEq.length + addPos.length);
  put('added-equality-delete-files', addEq.length);
  put('added-equality-deletes', rows(addEq));
  put('added-position-delete-files', addPos.length);
  put('added-position-deletes', rows(addPos));
  put('deleted-data-files', remData.length);
  put('deleted-records', rows(remData));
  put('removed-files-size', size(removed));
  put('removed-delete-files', remDel.length);
  const changed = new Set(
    added.map((f) => JSON.stringify(f.partition, (_k, v) => (typeof v === 'bigint' ? String(v) : v))),
  );
  s['changed-partition-count'] = String(changed.size);
  const total = (key: string, delta: number) => {
    const prev = parent ? Number(parent[key] ?? 0) : 0;
    s[key] = String(Math.max(0, prev + delta));
  };
  total('total-records', rows(addData) - rows(remData));
  total('total-files-size', size(added) - size(removed));
  total('total-data-files', addData.length - remData.length);
  total('total-delete-files', addEq.length + addPos.length - remDel.length);
  total(
    'total-equality-deletes',
    rows(addEq) - rows(remDel.filter((f) => f.content === DataFileContent.EqualityDeletes)),
  );
  total(
    'total-position-deletes',
    rows(addPos) - rows(remDel.filter((f) => f.content === DataFileContent.PositionDeletes)),
  );
  return { ...s, ...extra, operation };
}
