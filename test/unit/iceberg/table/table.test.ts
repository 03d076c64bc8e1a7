import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { batchRows } from '../../../../core/arrow/read/render';
import { InvalidInputError } from '../../../../core/errors';
import { MemoryFileIO } from '../../../../core/iceberg/io';
import { openTable, ResolvingFileIO } from '../../../../core/iceberg/table';

const FIXTURES = join(__dirname, '../../../../../shared/fixtures/iceberg');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** A fixture copied into a memory FileIO under memory://w/<name>. */
async function inMemory(name: string): Promise<MemoryFileIO> {
  const io = new MemoryFileIO();
  const root = join(FIXTURES, name);
  for (const f of walk(root))
    await io.write(`memory://w/${name}/${relative(root, f)}`, new Uint8Array(readFileSync(f)));
  return io;
}

describe('Table over any FileIO (memory)', () => {
  it('opens, describes, lists history and scans with deletes and time travel', async () => {
    const io = await inMemory('icebird-spark-bunnies');
    const t = await openTable('memory://w/icebird-spark-bunnies', { io, allowMovedPaths: true });
    expect(t.loaded.metadataLocation).toBe('memory://w/icebird-spark-bunnies/metadata/v5.metadata.json');
    expect(t.loaded.root).toBe('memory://w/icebird-spark-bunnies');
    const d = t.describe();
    expect([d.formatVersion, d.currentSnapshot?.['snapshot-id'], d.partitionSpec.fields]).toEqual([
      2,
      2701171901096418979n,
      [],
    ]);
    expect(t.history().map((h) => [h.operation, h.isCurrentAncestor])).toEqual([
      ['append', true],
      ['overwrite', true],
      ['overwrite', true],
    ]);
    const scan = await t.scan({ columns: ['Breed Name'] });
    let rows = 0;
    for await (const b of scan.batches()) rows += b.numRows;
    // the position delete of snapshot 2 is older than the data file rewritten in snapshot 3: not attached
    expect([rows, scan.stats.dataFiles, scan.stats.deleteFiles]).toEqual([20, 1, 0]);
    const old = await t.scan({ snapshotId: 7505300640432048841n, limit: 1 });
    const first: unknown[] = [];
    for await (const b of old.batches()) first.push(...batchRows(b, old.fields));
    expect(first).toEqual([expect.objectContaining({ 'Breed Name': 'Holland Lop' })]);
    expect(old.fields.map((f) => f.name)).not.toContain('breed_name_length'); // the snapshot's schema
  });

  it('rejects contradictory selectors and bad limits', async () => {
    const io = await inMemory('impala-v2-no-deletes');
    const t = await openTable('memory://w/impala-v2-no-deletes', { io, allowMovedPaths: true });
    await expect(t.scan({ snapshotId: 1n, asOf: 0 })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(t.scan({ limit: -1 })).rejects.toThrow(/limit must be a non-negative integer/);
    await expect(t.scan({ columns: ['nope'] })).rejects.toThrow(/unknown column 'nope'/);
  });

  it('opens a local table given as a file:// URI', async () => {
    const t = await openTable(`file://${join(FIXTURES, 'impala-v2-no-deletes')}`, { allowMovedPaths: true });
    expect(t.loaded.metadataLocation).toBe(
      `file://${join(FIXTURES, 'impala-v2-no-deletes/metadata/v2.metadata.json')}`,
    );
    let rows = 0;
    for await (const b of (await t.scan()).batches()) rows += b.numRows;
    expect(rows).toBe(3);
  });

  it('ResolvingFileIO resolves every path it is given', async () => {
    const inner = new MemoryFileIO();
    await inner.write('memory://new/t/data/a', Uint8Array.of(1));
    const io = new ResolvingFileIO(inner, (p) => p.replace('hdfs://nn:8020/old', 'memory://new'));
    expect(await io.read('hdfs://nn:8020/old/t/data/a')).toEqual(Uint8Array.of(1));
    expect(await io.exists('hdfs://nn:8020/old/t/data/a')).toBe(true);
  });
});
