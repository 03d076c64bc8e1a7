import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { FileCatalog } from '../../../../core/iceberg/catalog/file-catalog';
import { LocalFileIO } from '../../../../core/iceberg/io/local';
import { deleteWhere } from '../../../../core/iceberg/transaction/delete';
import { ensureTable, writeArrow } from '../../../../core/iceberg/transaction/write-arrow';
import { byKey, readRows } from './read-back';

const dir = mkdtempSync(join(tmpdir(), 'icefloe-merge-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function rows(ids: number[], v: string): arrow.Table {
  return new arrow.Table({
    id: arrow.makeVector(BigInt64Array.from(ids.map(BigInt))),
    v: arrow.vectorFromArray(
      ids.map((i) => `${v}${i}`),
      new arrow.Utf8(),
    ),
  });
}

describe.each(['merge-on-read', 'copy-on-write'] as const)('merge on key (%s)', (mergeMode) => {
  it('upserts: updates matching keys, inserts new ones, keeps the rest; duplicates keep the last', async () => {
    const catalog = new FileCatalog(dir, new LocalFileIO());
    const id = { namespace: ['m'], name: mergeMode.replace(/-/g, '_') };
    await ensureTable(catalog, id, rows([1], 'a').schema);
    await writeArrow(catalog, id, rows([1, 2, 3, 4], 'old'), { mode: 'append' });
    const dup = new arrow.Table({
      id: arrow.makeVector(BigInt64Array.from([2n, 5n, 2n])),
      v: arrow.vectorFromArray(['x', 'new5', 'new2'], new arrow.Utf8()),
    });
    const out = await writeArrow(catalog, id, dup, { mode: 'merge', keys: ['id'], mergeMode });
    expect((await readRows(catalog, id)).sort(byKey('id'))).toEqual([
      { id: 1n, v: 'old1' },
      { id: 2n, v: 'new2' },
      { id: 3n, v: 'old3' },
      { id: 4n, v: 'old4' },
      { id: 5n, v: 'new5' },
    ]);
    await writeArrow(catalog, id, rows([3], 'again'), { mode: 'merge', keys: ['id'], mergeMode });
    const after = (await readRows(catalog, id)).sort(byKey('id'));
    expect(after.map((r) => r.v)).toEqual(['old1', 'new2', 'again3', 'old4', 'new5']);
    if (mergeMode === 'merge-on-read') expect(out.snapshot.summary['added-equality-deletes']).toBe('2');
    else expect(out.snapshot.summary['deleted-data-files']).toBe('1');
  });
});

describe('schema evolution on write', () => {
  it('adds a new column and promotes int to long', async () => {
    const catalog = new FileCatalog(dir, new LocalFileIO());
    const id = { namespace: ['m'], name: 'evolve' };
    const t1 = new arrow.Table({ n: arrow.vectorFromArray([1, 2], new arrow.Int32()) });
    await ensureTable(catalog, id, t1.schema);
    await writeArrow(catalog, id, t1, { mode: 'append' });
    const t2 = new arrow.Table({
      n: arrow.makeVector(BigInt64Array.from([3n])),
      extra: arrow.vectorFromArray(['e'], new arrow.Utf8()),
    });
    const evolved = await ensureTable(catalog, id, t2.schema);
    const schema = evolved.metadata.schemas.find((s) => s['schema-id'] === evolved.metadata['current-schema-id']);
    expect(schema?.fields.map((f) => [f.id, f.name, f.type])).toEqual([
      [1, 'n', 'long'],
      [2, 'extra', 'string'],
    ]);
    await writeArrow(catalog, id, t2, { mode: 'append' });
    const got = await readRows(catalog, id);
    expect(got).toHaveLength(3);
    expect(got.find((r) => r.n === 3n)).toEqual({ n: 3n, extra: 'e' });
  });
});

describe('delete by predicate', () => {
  it('removes whole files, rewrites partial ones, skips files the metrics rule out', async () => {
    const catalog = new FileCatalog(dir, new LocalFileIO());
    const id = { namespace: ['m'], name: 'deletes' };
    await ensureTable(catalog, id, rows([1], 'a').schema);
    await writeArrow(catalog, id, rows([1, 2, 3], 'a'), { mode: 'append' });
    await writeArrow(catalog, id, rows([10, 11], 'b'), { mode: 'append' });
    await writeArrow(catalog, id, rows([20, 21], 'c'), { mode: 'append' });
    await writeArrow(catalog, id, rows([2], 'u'), { mode: 'merge', keys: ['id'] });
    const out = await deleteWhere(catalog, id, 'id >= 3 and id <= 11');
    expect(out?.snapshot.summary).toMatchObject({
      operation: 'overwrite',
      'deleted-data-files': '2',
      'added-data-files': '1',
    });
    expect((await readRows(catalog, id)).map((r) => `${r.id}${r.v}`).sort()).toEqual(['1a1', '20c20', '21c21', '2u2']);
    expect(await deleteWhere(catalog, id, 'id > 100')).toBeUndefined();
    const all = await deleteWhere(catalog, id, "v = 'c20' or v = 'c21'");
    expect(all?.snapshot.summary.operation).toBe('delete');
    expect((await readRows(catalog, id)).map((r) => `${r.id}${r.v}`).sort()).toEqual(['1a1', '2u2']);
  });
});

describe('partition spec evolution on write', () => {
  it('adds a new default spec when partition-by changes; old files keep theirs', async () => {
    const catalog = new FileCatalog(dir, new LocalFileIO());
    const id = { namespace: ['m'], name: 'spec_evolution' };
    const t = (ids: number[]) =>
      new arrow.Table({
        id: arrow.makeVector(BigInt64Array.from(ids.map(BigInt))),
        v: arrow.vectorFromArray(
          ids.map((i) => `k${i % 3}`),
          new arrow.Utf8(),
        ),
      });
    await ensureTable(catalog, id, t([1]).schema, { partitionBy: [{ column: 'v', type: 'identity' }] });
    await writeArrow(catalog, id, t([1, 2, 3]), { mode: 'append' });
    expect(
      (await ensureTable(catalog, id, t([1]).schema, { partitionBy: [{ column: 'v', type: 'identity' }] })).metadata[
        'partition-specs'
      ],
    ).toHaveLength(1);
    const evolved = await ensureTable(catalog, id, t([1]).schema, {
      partitionBy: [{ column: 'id', type: 'bucket', bucketCount: 2 }],
    });
    expect(evolved.metadata['default-spec-id']).toBe(1);
    expect(evolved.metadata['partition-specs'][1]?.fields).toEqual([
      { 'source-id': 1, 'field-id': 1001, name: 'id_bucket', transform: 'bucket[2]' },
    ]);
    expect(evolved.metadata['last-partition-id']).toBe(1001);
    await writeArrow(catalog, id, t([4, 5]), { mode: 'append' });
    expect((await readRows(catalog, id)).map((r) => r.id).sort()).toEqual([1n, 2n, 3n, 4n, 5n]);
  });
});

describe('copy-on-write merge: pruning and row selection', () => {
  const ids = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

  it('reads and rewrites only the files of the touched buckets, keeps every other row', async () => {
    class CountingIO extends LocalFileIO {
      reads: string[] = [];
      override read(location: string, range?: Parameters<LocalFileIO['read']>[1]) {
        this.reads.push(location);
        return super.read(location, range);
      }
    }
    const io = new CountingIO();
    const catalog = new FileCatalog(dir, io);
    const id = { namespace: ['m'], name: 'cow_buckets' };
    await ensureTable(catalog, id, rows([1], 'a').schema, {
      partitionBy: [{ column: 'id', type: 'bucket', bucketCount: 8 }],
      properties: { 'write.merge.mode': 'copy-on-write' },
    });
    await writeArrow(
      catalog,
      id,
      rows(
        ids(200, (i) => i),
        'old',
      ),
      { mode: 'append' },
    );
    const before = await catalog.loadTable(id);
    expect(before.metadata.snapshots.at(-1)?.summary['added-data-files']).toBe('8');
    io.reads = [];
    const out = await writeArrow(catalog, id, rows([3, 500], 'new'), { mode: 'merge', keys: ['id'] });
    expect(out.snapshot.summary['deleted-data-files']).toBe('1');
    const dataReads = io.reads.filter((p) => p.endsWith('.parquet'));
    // 8 files; only those in the buckets of 3 and 500 are read
    expect(dataReads.length).toBeGreaterThanOrEqual(1);
    expect(dataReads.length).toBeLessThanOrEqual(2);
    const got = (await readRows(catalog, id)).sort(byKey('id'));
    expect(got).toHaveLength(201);
    expect(got.filter((r) => String(r.v).startsWith('new')).map((r) => r.id)).toEqual([3n, 500n]);
    expect(new Set(got.map((r) => r.id)).size).toBe(201);
  });

  it('drops scattered rows (gathered) and runs of rows (sliced) alike', async () => {
    const catalog = new FileCatalog(dir, new LocalFileIO());
    const id = { namespace: ['m'], name: 'cow_scatter' };
    await ensureTable(catalog, id, rows([1], 'a').schema, { properties: { 'write.merge.mode': 'copy-on-write' } });
    await writeArrow(
      catalog,
      id,
      rows(
        ids(5000, (i) => i),
        'old',
      ),
      { mode: 'append' },
    );
    // every third key: thousands of short runs (gathered)
    await writeArrow(
      catalog,
      id,
      rows(
        ids(1667, (i) => i * 3),
        'third',
      ),
      { mode: 'merge', keys: ['id'] },
    );
    // one block at the end: a few long runs (sliced)
    await writeArrow(
      catalog,
      id,
      rows(
        ids(600, (i) => 4700 + i),
        'tail',
      ),
      { mode: 'merge', keys: ['id'] },
    );
    const got = await readRows(catalog, id);
    expect(got).toHaveLength(5300);
    const byId = new Map(got.map((r) => [Number(r.id), String(r.v)]));
    expect(byId.size).toBe(5300);
    for (let i = 0; i < 5300; i++) {
      const want = i >= 4700 ? 'tail' : i % 3 === 0 ? 'third' : 'old';
      expect(`${i}:${byId.get(i)}`).toBe(`${i}:${want}${i}`);
    }
  });

  it('matches string and null keys', async () => {
    const catalog = new FileCatalog(dir, new LocalFileIO());
    const id = { namespace: ['m'], name: 'cow_strings' };
    const t = (keys: (string | null)[], v: string) =>
      new arrow.Table({
        k: arrow.vectorFromArray(keys, new arrow.Utf8()),
        v: arrow.vectorFromArray(
          keys.map((k) => `${v}${k}`),
          new arrow.Utf8(),
        ),
      });
    await ensureTable(catalog, id, t(['a'], 'x').schema, { properties: { 'write.merge.mode': 'copy-on-write' } });
    await writeArrow(catalog, id, t(['a', 'b', null, 'ü'], 'old'), { mode: 'append' });
    await writeArrow(catalog, id, t([null, 'ü', 'c'], 'new'), { mode: 'merge', keys: ['k'] });
    const got = (await readRows(catalog, id)).map((r) => `${r.k}=${r.v}`).sort();
    expect(got).toEqual(['a=olda', 'b=oldb', 'c=newc', 'null=newnull', 'ü=newü']);
  });
});

describe('copy-on-write merge over evolved schemas', () => {
  it('rewrites files written before a rename (columns matched by id) and before int → long', async () => {
    const catalog = new FileCatalog(dir, new LocalFileIO());
    const id = { namespace: ['m'], name: 'cow_evolved' };
    const t1 = new arrow.Table({
      k: arrow.vectorFromArray([1, 2, 3], new arrow.Int32()),
      v: arrow.vectorFromArray(['a', 'b', 'c'], new arrow.Utf8()),
    });
    await ensureTable(catalog, id, t1.schema, { properties: { 'write.merge.mode': 'copy-on-write' } });
    await writeArrow(catalog, id, t1, { mode: 'append' });
    const { metadata: m } = await catalog.loadTable(id);
    await catalog.commitTable({
      identifier: id,
      requirements: [{ type: 'assert-current-schema-id', 'current-schema-id': m['current-schema-id'] }],
      updates: [
        {
          action: 'add-schema',
          schema: {
            type: 'struct',
            'schema-id': 1,
            fields: [
              { id: 1, name: 'k', required: false, type: 'long' },
              { id: 2, name: 'w', required: false, type: 'string' },
            ],
          },
        },
        { action: 'set-current-schema', 'schema-id': -1 },
      ],
    });
    const t2 = new arrow.Table({
      k: arrow.makeVector(BigInt64Array.from([2n, 4n])),
      w: arrow.vectorFromArray(['B', 'D'], new arrow.Utf8()),
    });
    const out = await writeArrow(catalog, id, t2, { mode: 'merge', keys: ['k'] });
    expect(out.snapshot.summary['deleted-data-files']).toBe('1');
    const got = (await readRows(catalog, id)).map((r) => `${r.k}=${r.w}`).sort();
    expect(got).toEqual(['1=a', '2=B', '3=c', '4=D']);
    // the rewritten file has the current types: a second merge reads it as it is
    await writeArrow(catalog, id, t2.slice(0, 1), { mode: 'merge', keys: ['k'] });
    expect((await readRows(catalog, id)).map((r) => `${r.k}=${r.w}`).sort()).toEqual(['1=a', '2=B', '3=c', '4=D']);
  });
});
