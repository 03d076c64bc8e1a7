import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { icebergSchemaOf } from '../../../../core/arrow/write/arrow-schema';
import { conformTable } from '../../../../core/arrow/write/conform';
import { writeDataFiles } from '../../../../core/arrow/write/data-file-writer';
import { FileCatalog } from '../../../../core/iceberg/catalog/file-catalog';
import { LocalFileIO } from '../../../../core/iceberg/io/local';
import { appendFiles, replaceAll } from '../../../../core/iceberg/transaction/operations';
import { byKey, readRows } from './read-back';

const dir = mkdtempSync(join(tmpdir(), 'icefloe-append-'));
afterAll(() => (process.env.KEEP_DIR ? undefined : rmSync(dir, { recursive: true, force: true })));
const id = { namespace: ['db'], name: 'events' };

function batch(ids: bigint[], names: string[]): arrow.Table {
  return new arrow.Table({
    id: arrow.makeVector(BigInt64Array.from(ids)),
    name: arrow.vectorFromArray(names, new arrow.Utf8()),
  });
}

describe('append and overwrite through the file catalog', () => {
  it('creates, appends twice, overwrites, and time-travels to every snapshot', async () => {
    const catalog = new FileCatalog(dir, new LocalFileIO());
    await catalog.createNamespace(['db']);
    const first = batch([1n, 2n], ['a', 'b']);
    const schema = icebergSchemaOf(first.schema);
    const created = await catalog.createTable(id, { schema });
    const write = async (t: arrow.Table, prefix: string) => {
      const { metadata: m } = await catalog.loadTable(id);
      return writeDataFiles(conformTable(t, schema), {
        io: catalog.io,
        location: m.location,
        schema,
        spec: m['partition-specs'][0]!,
        properties: m.properties,
        prefix,
      });
    };
    const s1 = await appendFiles(catalog, id, await write(first, 'r1'));
    const s2 = await appendFiles(catalog, id, await write(batch([3n], ['c']), 'r2'));
    const s3 = await replaceAll(catalog, id, await write(batch([9n], ['z']), 'r3'));
    expect(created.metadata.snapshots).toHaveLength(0);
    expect((await readRows(catalog, id, s1.snapshot['snapshot-id'])).sort(byKey('id'))).toEqual([
      { id: 1n, name: 'a' },
      { id: 2n, name: 'b' },
    ]);
    expect(await readRows(catalog, id, s2.snapshot['snapshot-id'])).toHaveLength(3);
    expect(await readRows(catalog, id)).toEqual([{ id: 9n, name: 'z' }]);
    expect(s3.snapshot.summary).toMatchObject({
      operation: 'overwrite',
      'deleted-data-files': '2',
      'deleted-records': '3',
      'total-records': '1',
    });
    const { metadata } = await catalog.loadTable(id);
    expect(metadata['metadata-log']).toHaveLength(3);
    expect(metadata['snapshot-log'].map((e) => e['snapshot-id'])).toEqual(
      [s1, s2, s3].map((s) => s.snapshot['snapshot-id']),
    );
    expect(metadata['last-sequence-number']).toBe(3n);
  });
});

describe('data file layout', () => {
  it('rolls files at write.target-file-size-bytes and spreads them with the object-storage layout', async () => {
    const catalog = new FileCatalog(dir, new LocalFileIO());
    const layoutId = { namespace: ['db'], name: 'layout' };
    const n = 20_000;
    const big = batch(
      Array.from({ length: n }, (_, i) => BigInt(i)),
      Array.from({ length: n }, (_, i) => `name-${i}-${'x'.repeat(i % 50)}`),
    );
    const schema = icebergSchemaOf(big.schema);
    await catalog.createTable(layoutId, {
      schema,
      properties: { 'write.target-file-size-bytes': '65536', 'write.object-storage.enabled': 'true' },
    });
    const { metadata: m } = await catalog.loadTable(layoutId);
    const files = await writeDataFiles(conformTable(big, schema), {
      io: catalog.io,
      location: m.location,
      schema,
      spec: m['partition-specs'][0]!,
      properties: m.properties,
      prefix: 'roll',
    });
    expect(files.length).toBeGreaterThan(3);
    expect(files.reduce((s, f) => s + f.recordCount, 0)).toBe(n);
    for (const f of files)
      expect(f.filePath).toMatch(/\/data\/[01]{4}\/[01]{4}\/[01]{4}\/[01]{8}\/roll-[0-9a-f]{8}-\d{5}\.parquet$/);
    await appendFiles(catalog, layoutId, files);
    expect(await readRows(catalog, layoutId)).toHaveLength(n);
  });
});

describe('metadata file retention', () => {
  it('deletes metadata files beyond write.metadata.previous-versions-max when delete-after-commit is on', async () => {
    const catalog = new FileCatalog(dir, new LocalFileIO());
    const id = { namespace: ['db'], name: 'retention' };
    const t = batch([1n], ['a']);
    const schema = icebergSchemaOf(t.schema);
    await catalog.createTable(id, {
      schema,
      properties: { 'write.metadata.delete-after-commit.enabled': 'true', 'write.metadata.previous-versions-max': '2' },
    });
    for (let i = 0; i < 5; i++)
      await catalog.commitTable({
        identifier: id,
        requirements: [],
        updates: [{ action: 'set-properties', updates: { i: String(i) } }],
      });
    const { metadata } = await catalog.loadTable(id);
    expect(metadata['metadata-log'].map((e) => e['metadata-file'].split('/').pop())).toEqual([
      'v4.metadata.json',
      'v5.metadata.json',
    ]);
    const names: string[] = [];
    for await (const f of catalog.io.list(`${metadata.location}/metadata/`))
      names.push(f.path.split('/').pop() as string);
    expect(names.filter((n) => n.endsWith('.metadata.json')).sort()).toEqual([
      'v4.metadata.json',
      'v5.metadata.json',
      'v6.metadata.json',
    ]);
  });
});
