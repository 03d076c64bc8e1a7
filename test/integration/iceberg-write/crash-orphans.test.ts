/**
 * A crash after data files are written and before the commit leaves the table unchanged; remove orphan
 * files then deletes exactly those files. Also: expire snapshots, compaction and manifest rewrite keep rows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { conformTable } from '../../../core/arrow/write/conform';
import { writeDataFiles } from '../../../core/arrow/write/data-file-writer';
import { FileCatalog } from '../../../core/iceberg/catalog/file-catalog';
import { LocalFileIO } from '../../../core/iceberg/io/local';
import { maintainTable, tableFolderCatalog } from '../../../core/iceberg/maintenance';
import {
  expireSnapshots,
  removeOrphanFiles,
  rewriteDataFiles,
  rewriteManifests,
} from '../../../core/iceberg/maintenance/maintenance';
import { writeAddedManifests } from '../../../core/iceberg/transaction/operations';
import { newSnapshotId } from '../../../core/iceberg/transaction/snapshot-producer';
import { ensureTable, writeArrow } from '../../../core/iceberg/transaction/write-arrow';
import { byKey, readRows } from '../../unit/iceberg/transaction/read-back';

const dir = mkdtempSync(join(tmpdir(), 'icefloe-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const rows = (ids: number[]) => new arrow.Table({ id: arrow.makeVector(Int32Array.from(ids)) });

describe('crash before commit and maintenance', () => {
  const catalog = new FileCatalog(dir, new LocalFileIO());
  const id = { namespace: ['m'], name: 't' };

  it('leaves the table unchanged after a crash; orphan removal deletes exactly the crashed files', async () => {
    await ensureTable(catalog, id, rows([0]).schema);
    await writeArrow(catalog, id, rows([1, 2]), { mode: 'append' });
    const before = await catalog.loadTable(id);
    const m = before.metadata;
    const schema = m.schemas[0]!;
    // The "crash": data files and manifests are written, the commit never happens.
    const files = await writeDataFiles(conformTable(rows([7, 8]), schema), {
      io: catalog.io,
      location: m.location,
      schema,
      spec: m['partition-specs'][0]!,
      properties: m.properties,
      prefix: 'crashed',
    });
    const manifests = await writeAddedManifests(catalog, before, files, newSnapshotId());
    const after = await catalog.loadTable(id);
    expect(after.metadataLocation).toBe(before.metadataLocation);
    expect((await readRows(catalog, id)).sort(byKey('id'))).toEqual([{ id: 1 }, { id: 2 }]);
    const removed = await removeOrphanFiles(catalog, id, { olderThanMs: -60_000 });
    expect(removed).toEqual([...files.map((f) => f.filePath), ...manifests.map((x) => x.manifestPath)].sort());
    expect(await readRows(catalog, id)).toHaveLength(2);
    expect(await removeOrphanFiles(catalog, id, { olderThanMs: -60_000 })).toEqual([]);
  });

  it('compacts small files, rewrites manifests and expires old snapshots without losing rows', async () => {
    await writeArrow(catalog, id, rows([3]), { mode: 'append' });
    await writeArrow(catalog, id, rows([4]), { mode: 'append' });
    const compact = await rewriteDataFiles(catalog, id);
    expect(compact).toEqual({ rewritten: 3, added: 1 });
    const rm = await rewriteManifests(catalog, id);
    expect(rm.after).toBe(1);
    expect((await readRows(catalog, id)).map((r) => r.id).sort()).toEqual([1, 2, 3, 4]);
    const exp = await expireSnapshots(catalog, id, { olderThanMs: Date.now() + 1000, retainLast: 1 });
    expect(exp.expired).toHaveLength(4);
    expect(exp.deletedFiles).toBeGreaterThan(3);
    const { metadata } = await catalog.loadTable(id);
    expect(metadata.snapshots).toHaveLength(1);
    expect((await readRows(catalog, id)).map((r) => r.id).sort()).toEqual([1, 2, 3, 4]);
    expect(await removeOrphanFiles(catalog, id, { olderThanMs: -60_000 })).toEqual([]);
  });
});

describe('maintainTable over a table folder', () => {
  it('compacts, rewrites manifests, expires and removes orphans in one call', async () => {
    const catalog = new FileCatalog(dir, new LocalFileIO());
    const id = { namespace: ['m'], name: 'folder' };
    await ensureTable(catalog, id, rows([0]).schema);
    for (const i of [1, 2, 3]) await writeArrow(catalog, id, rows([i]), { mode: 'append' });
    const folder = tableFolderCatalog(`${dir}/m/folder`, new LocalFileIO());
    const report = await maintainTable(folder.catalog, folder.id, {
      compact: true,
      rewriteManifests: true,
      expire: { olderThanMs: Date.now() + 1000, retainLast: 1 },
      removeOrphans: { olderThanMs: -60_000 },
    });
    expect(report.compacted).toEqual({ rewritten: 3, added: 1 });
    expect(report.expired?.snapshots).toHaveLength(4);
    expect(report.orphans).toEqual([]);
    expect((await readRows(catalog, id)).map((r) => r.id).sort()).toEqual([1, 2, 3]);
  });
});
