/**
 * Optimistic concurrency: 8 writers appending to one table at once all land (8 snapshots, no file lost);
 * a copy-on-write merge racing an overwrite of the same rows either wins or fails cleanly. Run on local
 * files and on the S3-compatible server with conditional writes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import type { Catalog } from '../../../core/iceberg/catalog/catalog';
import { FileCatalog } from '../../../core/iceberg/catalog/file-catalog';
import { LocalFileIO } from '../../../core/iceberg/io/local';
import { S3FileIO } from '../../../core/iceberg/io/s3';
import { ensureTable, writeArrow } from '../../../core/iceberg/transaction/write-arrow';
import { s3ConfigFor, startS3Server } from '../../helpers/s3-server';
import { byKey, readRows } from '../../unit/iceberg/transaction/read-back';

const rows = (ids: number[], v: string) =>
  new arrow.Table({
    id: arrow.makeVector(Int32Array.from(ids)),
    v: arrow.vectorFromArray(
      ids.map(() => v),
      new arrow.Utf8(),
    ),
  });

async function eightWriters(catalog: Catalog): Promise<void> {
  const id = { namespace: ['c'], name: 'appends' };
  await ensureTable(catalog, id, rows([0], 'x').schema, {
    properties: {
      'commit.retry.num-retries': '20',
      'commit.retry.min-wait-ms': '5',
      'commit.retry.max-wait-ms': '200',
    },
  });
  const outs = await Promise.all(
    Array.from({ length: 8 }, (_, w) =>
      writeArrow(catalog, id, rows([w * 10, w * 10 + 1], `w${w}`), { mode: 'append', prefix: `w${w}` }),
    ),
  );
  const { metadata } = await catalog.loadTable(id);
  expect(metadata.snapshots).toHaveLength(8);
  expect(new Set(metadata.snapshots.map((s) => s['sequence-number'])).size).toBe(8);
  expect(outs.some((o) => o.attempts > 1)).toBe(true);
  const got = await readRows(catalog, id);
  expect(got).toHaveLength(16);
  expect(new Set(got.map((r) => r.v)).size).toBe(8);
  const current = metadata.snapshots.find((s) => s['snapshot-id'] === metadata['current-snapshot-id']);
  expect(current?.summary['total-records']).toBe('16');
}

async function mergeRacesOverwrite(catalog: Catalog): Promise<void> {
  const id = { namespace: ['c'], name: 'race' };
  await ensureTable(catalog, id, rows([0], 'x').schema, { properties: { 'write.merge.mode': 'copy-on-write' } });
  await writeArrow(catalog, id, rows([1, 2, 3], 'base'), { mode: 'append' });
  const results = await Promise.allSettled([
    writeArrow(catalog, id, rows([2], 'merged'), { mode: 'merge', keys: ['id'] }),
    writeArrow(catalog, id, rows([1, 2, 3], 'over'), { mode: 'overwrite' }),
  ]);
  const got = (await readRows(catalog, id)).sort(byKey('id'));
  const [merge] = results;
  if (merge?.status === 'rejected') {
    expect((merge.reason as Error).name).toMatch(/CommitValidationError|CommitRetriesExhaustedError/);
    expect(got.map((r) => r.v)).toEqual(['over', 'over', 'over']);
  } else {
    // The merge committed first (or re-validated cleanly), then the overwrite replaced everything.
    expect(got.map((r) => r.v).sort()).toEqual(['over', 'over', 'over']);
  }
  expect(results[1]?.status).toBe('fulfilled');
}

/** Merge-on-read: both commits land (a retried row delta stays correct); the later one decides key 2. */
async function morMergeRacesOverwrite(catalog: Catalog): Promise<void> {
  const id = { namespace: ['c'], name: 'race_mor' };
  await ensureTable(catalog, id, rows([0], 'x').schema, { properties: { 'commit.retry.min-wait-ms': '5' } });
  await writeArrow(catalog, id, rows([1, 2, 3], 'base'), { mode: 'append' });
  const [merge, over] = await Promise.all([
    writeArrow(catalog, id, rows([2], 'merged'), { mode: 'merge', keys: ['id'] }),
    writeArrow(catalog, id, rows([1, 2, 3], 'over'), { mode: 'overwrite' }),
  ]);
  const got = (await readRows(catalog, id)).sort(byKey('id')).map((r) => `${r.id}:${r.v}`);
  const mergeLast = (merge.snapshot['sequence-number'] ?? 0n) > (over.snapshot['sequence-number'] ?? 0n);
  expect(got).toEqual(mergeLast ? ['1:over', '2:merged', '3:over'] : ['1:over', '2:over', '3:over']);
}

describe('concurrent writers on local files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'icefloe-conc-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const catalog = new FileCatalog(dir, new LocalFileIO());
  beforeAll(() => catalog.createNamespace(['c']));
  it('8 appenders → 8 snapshots, every row kept', () => eightWriters(catalog));
  it('a merge racing an overwrite of the same rows: one wins, the other fails cleanly or re-applies', () =>
    mergeRacesOverwrite(catalog));
  it('a merge-on-read upsert racing an overwrite: both land, the later commit decides the key', () =>
    morMergeRacesOverwrite(catalog));
});

describe('concurrent writers on S3 (s3rver + If-None-Match)', () => {
  let stop: () => Promise<void>;
  let catalog: Catalog;
  beforeAll(async () => {
    const s3 = await startS3Server();
    stop = s3.stop;
    catalog = new FileCatalog(`s3://${s3.bucket}/wh`, new S3FileIO(s3ConfigFor(s3.endpoint)));
    await catalog.createNamespace(['c']);
  });
  afterAll(() => stop());
  // s3rver is a single slow process: under a loaded machine 8 racing writers take tens of seconds.
  it('8 appenders → 8 snapshots, every row kept', () => eightWriters(catalog), 180_000);
  it(
    'a merge racing an overwrite of the same rows: one wins, the other fails cleanly or re-applies',
    () => mergeRacesOverwrite(catalog),
    120_000,
  );
});
