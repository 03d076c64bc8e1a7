/**
 * Delete by predicate (copy-on-write): data files whose metrics prove no row can match are untouched;
 * files where every row matches are removed; the others are rewritten without the matching rows (equality
 * deletes that applied to them applied again, see DeleteApplier). One `delete` or `overwrite` snapshot.
 *
 * @example await deleteWhere(catalog, { namespace: ['db'], name: 't' }, "region = 'eu' and ts < '2024-01-01T00:00:00'");
 */
import type * as arrow from 'apache-arrow';
import { conformTable } from '../../arrow/write/conform';
import { writeDataFiles } from '../../arrow/write/data-file-writer';
import { valueReader } from '../../arrow/write/metrics';
import { takeTable } from '../../arrow/write/take';
import type { Catalog } from '../catalog/catalog';
import type { TableIdentifier } from '../catalog/updates';
import { bindExpression } from '../scan/bind';
import { evaluate, normalizeValue } from '../scan/evaluator';
import type { BoundExpression } from '../scan/expression';
import { fileMightMatch } from '../scan/metrics-evaluator';
import { parseExpression } from '../scan/parse-expression';
import type { DataFile } from '../spec/manifest';
import type { Schema } from '../spec/schema';
import { currentSchema, specById } from '../spec/snapshot-select';
import { liveDataTasks, liveRowReader } from './live-rows';
import { type CommitOptions, replaceFiles } from './operations';
import type { CommitOutcome } from './snapshot-producer';

/** Rows of `t` matching `e` (top-level columns). */
function matchingRows(t: arrow.Table, schema: Schema, e: BoundExpression): boolean[] {
  const out: boolean[] = [];
  for (const b of t.batches) {
    const readers = new Map<number, (i: number) => unknown>();
    schema.fields.forEach((f, idx) => {
      if (typeof f.type === 'string') readers.set(f.id, valueReader(f.type, b.data.children[idx] as arrow.Data));
    });
    for (let i = 0; i < b.numRows; i++)
      out.push(evaluate(e, (ref) => normalizeValue(ref.kind, readers.get(ref.fieldId)?.(i) ?? null)) === true);
  }
  return out;
}

/** Deletes the rows matching `where`; undefined when nothing matched (no snapshot is written). */
export async function deleteWhere(
  catalog: Catalog,
  id: TableIdentifier,
  where: string,
  opts: CommitOptions = {},
): Promise<CommitOutcome | undefined> {
  const { metadata: m } = await catalog.loadTable(id);
  const schema = currentSchema(m);
  const spec = specById(m, m['default-spec-id']);
  const bound = bindExpression(parseExpression(where), schema);
  const tasks = await liveDataTasks(catalog.io, m);
  const read = liveRowReader(catalog.io, m, schema);
  const remove: string[] = [];
  const add: DataFile[] = [];
  for (const e of tasks) {
    if (!fileMightMatch(bound, e.dataFile)) continue;
    // Live rows: deletes already applied, so the rewrite (a new sequence number) cannot resurrect rows.
    const rows = conformTable(await read(e), schema);
    const match = matchingRows(rows, schema, bound);
    if (!match.some(Boolean)) continue;
    const keep = match.flatMap((hit, i) => (hit ? [] : [i]));
    remove.push(e.dataFile.filePath);
    if (keep.length === 0) continue;
    const prefix = `delete-${Date.now()}-${remove.length}`;
    add.push(
      ...(await writeDataFiles(takeTable(rows, Int32Array.from(keep)), {
        io: catalog.io,
        location: m.location,
        schema,
        spec,
        properties: m.properties,
        prefix,
      })),
    );
  }
  if (remove.length === 0) return undefined;
  return replaceFiles(catalog, id, remove, add, { ...opts, operation: add.length ? 'overwrite' : 'delete' });
}
