/**
 * The commit protocol: a retry reuses the data files and manifests prepared once and writes only a new
 * manifest list; giving up deletes every file the commit wrote; an unknown outcome deletes nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import type { Catalog } from '../../../../core/iceberg/catalog/catalog';
import { CommitConflictError, CommitStateUnknownError } from '../../../../core/iceberg/catalog/errors';
import { FileCatalog } from '../../../../core/iceberg/catalog/file-catalog';
import type { CommitTableRequest } from '../../../../core/iceberg/catalog/updates';
import { LocalFileIO } from '../../../../core/iceberg/io/local';
import { readManifestList } from '../../../../core/iceberg/transaction/manifest-io';
import { ensureTable, writeArrow } from '../../../../core/iceberg/transaction/write-arrow';

const dir = mkdtempSync(join(tmpdir(), 'icefloe-retry-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const rows = (ids: number[]) => new arrow.Table({ id: arrow.makeVector(Int32Array.from(ids)) });

/** A catalog whose first `failures` commits fail with `error`. */
function flaky(inner: Catalog, failures: number, error: () => Error): Catalog & { requests: CommitTableRequest[] } {
  let left = failures;
  const requests: CommitTableRequest[] = [];
  return Object.assign(Object.create(inner) as Catalog, {
    requests,
    async commitTable(req: CommitTableRequest) {
      requests.push(req);
      if (left-- > 0) throw error();
      return inner.commitTable(req);
    },
  });
}

async function files(prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const f of new LocalFileIO().list(prefix)) out.push(f.path);
  return out.sort();
}

const fast = { 'commit.retry.min-wait-ms': '1', 'commit.retry.max-wait-ms': '5' };

describe('commit retries', () => {
  const base = new FileCatalog(dir, new LocalFileIO());

  it('retries a conflict reusing the prepared manifests (only the manifest list is rewritten)', async () => {
    const id = { namespace: ['r'], name: 'reuse' };
    await ensureTable(base, id, rows([0]).schema, { properties: fast });
    const catalog = flaky(base, 2, () => new CommitConflictError('someone else won'));
    const out = await writeArrow(catalog, id, rows([1, 2]), { mode: 'append' });
    expect(out.attempts).toBe(3);
    const lists = catalog.requests.map(
      (r) =>
        (r.updates.find((u) => u.action === 'add-snapshot') as { snapshot: { 'manifest-list': string } }).snapshot[
          'manifest-list'
        ],
    );
    expect(new Set(lists).size).toBe(3);
    const manifests = await Promise.all(lists.slice(2).map((l) => readManifestList(base.io, l)));
    const { metadata } = await base.loadTable(id);
    expect(metadata.snapshots).toHaveLength(1);
    // The failed attempts' manifest lists are gone; the manifest itself was written once.
    const listsOnDisk = (await files(`${metadata.location}/metadata/`)).filter((p) => p.includes('/snap-'));
    expect(listsOnDisk).toEqual([lists[2]]);
    expect(manifests[0]).toHaveLength(1);
    const written = (await files(`${metadata.location}/metadata/`)).filter((p) => p.endsWith('-m0.avro'));
    expect(written).toEqual([manifests[0]?.[0]?.manifestPath]);
  });

  it('gives up after commit.retry.num-retries with a named error and deletes every file it wrote', async () => {
    const id = { namespace: ['r'], name: 'give_up' };
    const t = await ensureTable(base, id, rows([0]).schema, {
      properties: { ...fast, 'commit.retry.num-retries': '2' },
    });
    const before = await files(`${t.metadata.location}/`);
    const catalog = flaky(base, 10, () => new CommitConflictError('always'));
    await expect(writeArrow(catalog, id, rows([1]), { mode: 'append' })).rejects.toMatchObject({
      name: 'CommitRetriesExhaustedError',
    });
    expect(catalog.requests).toHaveLength(3);
    expect(await files(`${t.metadata.location}/`)).toEqual(before);
  });

  it('keeps the files when the outcome of the commit is unknown', async () => {
    const id = { namespace: ['r'], name: 'unknown' };
    const t = await ensureTable(base, id, rows([0]).schema, { properties: fast });
    const catalog = flaky(base, 1, () => new CommitStateUnknownError('server answered 503'));
    await expect(writeArrow(catalog, id, rows([1]), { mode: 'append' })).rejects.toBeInstanceOf(
      CommitStateUnknownError,
    );
    const after = await files(`${t.metadata.location}/`);
    expect(after.some((p) => p.endsWith('.parquet'))).toBe(true);
  });

  it('merges small manifests once commit.manifest.min-count-to-merge is reached', async () => {
    const id = { namespace: ['r'], name: 'merge_manifests' };
    await ensureTable(base, id, rows([0]).schema, { properties: { 'commit.manifest.min-count-to-merge': '3' } });
    for (let i = 0; i < 5; i++) await writeArrow(base, id, rows([i]), { mode: 'append' });
    const { metadata } = await base.loadTable(id);
    const current = metadata.snapshots.find((s) => s['snapshot-id'] === metadata['current-snapshot-id']);
    const list = await readManifestList(base.io, current?.['manifest-list'] as string);
    expect(list.length).toBeLessThan(3);
    expect(list.reduce((n, m) => n + (m.addedRowsCount ?? 0) + (m.existingRowsCount ?? 0), 0)).toBe(5);
  });
});
