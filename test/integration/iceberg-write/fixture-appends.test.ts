/**
 * Appends and merges into COPIES of real-engine tables (v1 and v2, partitioned, with equality deletes),
 * read back with icefloe's reader. The fixtures are never written: each is copied to a temp folder,
 * and paths written by the original machine are resolved onto the copy (`--allow-moved-paths`).
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { FileCatalog } from '../../../core/iceberg/catalog/file-catalog';
import { loadTable, openTable } from '../../../core/iceberg/table';
import { deleteWhere } from '../../../core/iceberg/transaction/delete';
import { writeArrow } from '../../../core/iceberg/transaction/write-arrow';

const FIXTURES = join(__dirname, '../../../../shared/fixtures/iceberg');
const dir = mkdtempSync(join(tmpdir(), 'icefloe-fixw-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function scan(metadataLocation: string, limit?: number): Promise<arrow.Table> {
  const t = await openTable(metadataLocation, { allowMovedPaths: true });
  const s = await t.scan(limit === undefined ? {} : { limit });
  const batches: arrow.RecordBatch[] = [];
  for await (const b of s.batches()) batches.push(b);
  return new arrow.Table(batches);
}

async function copyOf(fixture: string) {
  const root = join(dir, 'fx', fixture.replace(/-/g, '_'));
  cpSync(join(FIXTURES, fixture), root, { recursive: true });
  const loaded = await loadTable(root, { allowMovedPaths: true });
  const catalog = new FileCatalog(dir, loaded.io);
  return {
    catalog,
    id: { namespace: ['fx'], name: fixture.replace(/-/g, '_') },
    format: loaded.metadata['format-version'],
  };
}

describe.each([
  ['glaredb-v1-lineitem-simple', ['l_orderkey', 'l_linenumber'], 1000],
  ['glaredb-v2-lineitem-partitioned', ['l_orderkey', 'l_linenumber'], 1000],
  ['impala-v2-delete-equality', ['id'], 2],
] as const)('copy of %s', (fixture, keys, rows) => {
  it('appends rows, then merges on key, and reads back right', async () => {
    const { catalog, id, format } = await copyOf(fixture);
    const before = await catalog.loadTable(id);
    expect((await scan(before.metadataLocation)).numRows).toBe(rows);
    const two = await scan(before.metadataLocation, 2);
    const appended = await writeArrow(catalog, id, two, { mode: 'append' });
    const afterAppend = await catalog.loadTable(id);
    expect((await scan(afterAppend.metadataLocation)).numRows).toBe(rows + 2);
    expect(afterAppend.metadata['format-version']).toBe(format);
    // The two appended rows duplicate existing keys: the merge replaces both copies with one row each.
    await writeArrow(catalog, id, two, { mode: 'merge', keys: [...keys] });
    const afterMerge = await catalog.loadTable(id);
    expect((await scan(afterMerge.metadataLocation)).numRows).toBe(rows);
    // Time travel to the snapshot of the append still sees its rows.
    const t = await openTable(afterMerge.metadataLocation, { allowMovedPaths: true });
    const s = await t.scan({ snapshotId: appended.snapshot['snapshot-id'] });
    let n = 0;
    for await (const b of s.batches()) n += b.numRows;
    expect(n).toBe(rows + 2);
  });
});

describe('copy-on-write rewrites of a copy of impala-v2-delete-positional', () => {
  it('apply the position deletes while rewriting (deleted rows stay deleted) for a merge and a delete by predicate', async () => {
    const { catalog, id } = await copyOf('impala-v2-delete-positional');
    const before = await catalog.loadTable(id);
    const live = await scan(before.metadataLocation);
    expect(live.numRows).toBe(2);
    const schema = before.metadata.schemas.find((s) => s['schema-id'] === before.metadata['current-schema-id']);
    const key = schema?.fields[0]?.name as string;
    // Upsert the first live row unchanged (copy-on-write): the rewritten file must not bring back the deleted row.
    await writeArrow(catalog, id, await scan(before.metadataLocation, 1), {
      mode: 'merge',
      keys: [key],
      mergeMode: 'copy-on-write',
    });
    const afterMerge = await catalog.loadTable(id);
    expect((await scan(afterMerge.metadataLocation)).numRows).toBe(2);
    const first = live.get(0)?.toJSON() as Record<string, unknown>;
    await deleteWhere(catalog, id, `${key} = ${String(first[key])}`);
    expect((await scan((await catalog.loadTable(id)).metadataLocation)).numRows).toBe(1);
  });
});
