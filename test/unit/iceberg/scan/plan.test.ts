import { NotFoundError } from '../../../../core/errors';
import { planFiles, rowEvaluator } from '../../../../core/iceberg/scan';
import {
  type DataFile,
  DataFileContent,
  ManifestContent,
  type PartitionSpec,
  type Schema,
  toBytes,
} from '../../../../core/iceberg/spec';
import { file, MemoryTable } from './memory-table';

const schema: Schema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'cat', required: false, type: 'string' },
    { id: 3, name: 'x', required: false, type: 'double' },
  ],
};
const byCat: PartitionSpec = {
  'spec-id': 0,
  fields: [{ 'source-id': 2, 'field-id': 1000, name: 'cat', transform: 'identity' }],
};
const unpartitioned: PartitionSpec = { 'spec-id': 1, fields: [] };

type Row = { id: bigint; cat: string | null; x: number | null };

/** 40 files in 4 categories (2 manifests per category); file k holds ids 10k .. 10k+9. */
function buildTable(): { table: MemoryTable; rows: Map<string, Row[]> } {
  const table = new MemoryTable(schema, [byCat, unpartitioned]);
  const rows = new Map<string, Row[]>();
  const cats = ['a', 'b', 'c', null];
  const manifests = [];
  for (let m = 0; m < 8; m++) {
    const cat = cats[m % 4] as string | null;
    const files = [];
    for (let j = 0; j < 5; j++) {
      const k = m * 5 + j;
      const path = `mem://t/data/f${k}.parquet`;
      const fileRows: Row[] = Array.from({ length: 10 }, (_, i) => ({
        id: BigInt(10 * k + i),
        cat,
        x: k % 3 === 0 ? null : i / 2,
      }));
      rows.set(path, fileRows);
      const nulls = fileRows.filter((r) => r.x === null).length;
      files.push({
        seq: 1n,
        file: file(path, [cat], {
          valueCounts: new Map([
            [1, 10],
            [3, 10],
          ]),
          nullValueCounts: new Map([
            [1, 0],
            [3, nulls],
          ]),
          lowerBounds: new Map([
            [1, toBytes('long', BigInt(10 * k))],
            ...(nulls < 10 ? ([[3, toBytes('double', 0)]] as [number, Uint8Array][]) : []),
          ]),
          upperBounds: new Map([
            [1, toBytes('long', BigInt(10 * k + 9))],
            ...(nulls < 10 ? ([[3, toBytes('double', 4.5)]] as [number, Uint8Array][]) : []),
          ]),
        }),
      });
    }
    manifests.push(table.manifest(0, files));
  }
  table.commit(manifests, 1_000);
  return { table, rows };
}

describe('planFiles pruning', () => {
  const { table, rows } = buildTable();
  const meta = table.metadata();
  const all = [...rows.values()].flat();

  it.each([
    ["cat = 'b'", { manifestsSkipped: 6, skippedByPartition: 0, skippedByBounds: 0, resultFiles: 10 }],
    ['id >= 395', { manifestsSkipped: 0, skippedByPartition: 0, skippedByBounds: 39, resultFiles: 1 }],
    ["cat = 'a' and id < 25", { manifestsSkipped: 6, skippedByBounds: 7, resultFiles: 3 }],
    ['cat is null', { manifestsSkipped: 6, resultFiles: 10 }],
    // null != 'a' is unknown: the null partition is skipped too
    ["cat != 'a'", { manifestsSkipped: 0, skippedByPartition: 20, resultFiles: 20 }],
    ['x > 4.5', { skippedByBounds: 40, resultFiles: 0 }],
    ['x is null', { resultFiles: 14 }],
    ['x is not null', { skippedByBounds: 14, resultFiles: 26 }],
    ['id in (5, 205, 999)', { skippedByBounds: 38, resultFiles: 2 }],
    // cat has no column bounds, so the or-branch keeps every file of the other categories
    ["id in (5, 205) or cat = 'zzz'", { resultFiles: 40 }],
    ["not (cat = 'a' or cat = 'b')", { resultFiles: 10 }],
    ['true', { resultFiles: 40 }],
  ])('%s', async (where, expected) => {
    const plan = await planFiles(meta, table.readFile, { filter: where });
    expect(plan.metrics).toMatchObject({ manifests: 8, dataFiles: expect.any(Number), ...expected });
    // Soundness: the planned files, filtered by their residuals, give what a full scan gives.
    const full = all.filter(rowEvaluator(plan.filter));
    const planned = plan.tasks.flatMap((t) => (rows.get(t.dataFile.filePath) ?? []).filter(rowEvaluator(t.residual)));
    expect(planned.map((r) => r.id).sort()).toEqual(full.map((r) => r.id).sort());
    expect(plan.metrics.skippedByPartition + plan.metrics.skippedByBounds + plan.metrics.resultFiles).toBe(
      plan.metrics.dataFiles,
    );
  });

  it('leaves no residual where the identity partition decides the predicate', async () => {
    const plan = await planFiles(meta, table.readFile, { filter: "cat = 'b' and id > 3" });
    expect(plan.tasks.every((t) => t.residual.type === 'gt')).toBe(true);
    const only = await planFiles(meta, table.readFile, { filter: "cat = 'b'" });
    expect(only.tasks.every((t) => t.residual.type === 'true')).toBe(true);
  });

  it('keeps task order equal to manifest order', async () => {
    const plan = await planFiles(meta, table.readFile, { concurrency: 3 });
    expect(plan.tasks.map((t) => t.dataFile.filePath)).toEqual([...rows.keys()]);
  });

  it('binds case-insensitively when asked, and rejects unknown columns', async () => {
    await expect(planFiles(meta, table.readFile, { filter: "CAT = 'b'" })).rejects.toThrow(/unknown column 'CAT'/);
    const plan = await planFiles(meta, table.readFile, { filter: "CAT = 'b'", caseSensitive: false });
    expect(plan.tasks).toHaveLength(10);
  });
});

describe('snapshot selection in planning', () => {
  const table = new MemoryTable(schema, [byCat, unpartitioned]);
  const m1 = table.manifest(0, [{ file: file('mem://t/data/1.parquet', ['a']), seq: 1n }]);
  const s1 = table.commit([m1], 1_000);
  const m2 = table.manifest(0, [{ file: file('mem://t/data/2.parquet', ['b']), seq: 2n }]);
  const s2 = table.commit([m1, m2], 2_000);
  const meta = table.metadata();

  it('plans the current snapshot, one by id, by ref, and as of a time', async () => {
    expect((await planFiles(meta, table.readFile)).tasks).toHaveLength(2);
    expect((await planFiles(meta, table.readFile, { snapshotId: s1 })).tasks).toHaveLength(1);
    expect((await planFiles(meta, table.readFile, { ref: 'main' })).snapshot?.['snapshot-id']).toBe(s2);
    expect((await planFiles(meta, table.readFile, { asOf: 1_500 })).snapshot?.['snapshot-id']).toBe(s1);
    expect((await planFiles(meta, table.readFile, { asOf: new Date(2_000) })).tasks).toHaveLength(2);
  });

  it('fails with NotFoundError naming an unknown snapshot', async () => {
    await expect(planFiles(meta, table.readFile, { snapshotId: 1234n })).rejects.toThrow(NotFoundError);
    await expect(planFiles(meta, table.readFile, { snapshotId: 1234n })).rejects.toThrow(/snapshot 1234 not found/);
  });

  it('plans nothing for a table without snapshots', async () => {
    const empty = new MemoryTable(schema, [byCat]).metadata();
    expect((await planFiles(empty, async () => new Uint8Array())).tasks).toEqual([]);
  });

  it('names a corrupt manifest in the error', async () => {
    const broken = new MemoryTable(schema, [byCat]);
    const m = broken.manifest(0, [{ file: file('mem://t/data/1.parquet', ['a']), seq: 1n }]);
    broken.commit([m], 1);
    broken.files.set(m.manifestPath, Uint8Array.of(1, 2, 3));
    await expect(planFiles(broken.metadata(), broken.readFile)).rejects.toThrow(
      /invalid avro file mem:\/\/t\/metadata\/m0\.avro/,
    );
  });
});

describe('delete files attached by sequence number and partition', () => {
  const pos = (path: string, partition: DataFile['partition'], extra: Partial<DataFile> = {}) =>
    file(path, partition, { content: DataFileContent.PositionDeletes, ...extra });
  const eq = (path: string, partition: DataFile['partition']) =>
    file(path, partition, { content: DataFileContent.EqualityDeletes, equalityIds: [1] });
  const pathBound = (p: string) => new Map([[2147483546, toBytes('string', p)]]);

  const table = new MemoryTable(schema, [byCat, unpartitioned], 3);
  const data = table.manifest(0, [
    { file: file('mem://t/data/a1', ['a']), seq: 1n },
    { file: file('mem://t/data/a3', ['a']), seq: 3n },
    { file: file('mem://t/data/b1', ['b']), seq: 1n },
    { file: file('mem://t/data/c1', ['c']), seq: 1n },
  ]);
  const deletesA = table.manifest(
    0,
    [
      { file: pos('mem://t/data/pos-a2', ['a']), seq: 2n },
      { file: eq('mem://t/data/eq-a3', ['a']), seq: 3n },
      { file: pos('mem://t/data/pos-a3-scoped', ['a'], { referencedDataFile: 'mem://t/data/a3' }), seq: 3n },
      {
        file: pos('mem://t/data/pos-b-bounds', ['b'], {
          lowerBounds: pathBound('mem://t/data/b1'),
          upperBounds: pathBound('mem://t/data/b1'),
        }),
        seq: 5n,
      },
      {
        file: pos('mem://t/data/pos-b-other', ['b'], {
          lowerBounds: pathBound('mem://t/data/b9'),
          upperBounds: pathBound('mem://t/data/b9'),
        }),
        seq: 5n,
      },
      {
        file: pos('mem://t/data/dv-c1', ['c'], {
          fileFormat: 'PUFFIN',
          referencedDataFile: 'mem://t/data/c1',
          contentOffset: 4,
          contentSizeInBytes: 40,
        }),
        seq: 4n,
      },
      { file: pos('mem://t/data/pos-c-ignored-by-dv', ['c']), seq: 4n },
      { file: pos('mem://t/data/dangling', ['z']), seq: 9n },
    ],
    ManifestContent.Deletes,
  );
  const globalEq = table.manifest(1, [{ file: eq('mem://t/data/eq-global', []), seq: 2n }], ManifestContent.Deletes);
  table.commit([data, deletesA, globalEq], 1);
  const meta = table.metadata();

  it('applies the spec rules', async () => {
    const plan = await planFiles(meta, table.readFile);
    const attached = Object.fromEntries(
      plan.tasks.map((t) => [
        t.dataFile.filePath.split('/').pop(),
        t.deletes.map((d) => d.file.filePath.split('/').pop()).sort(),
      ]),
    );
    expect(attached).toEqual({
      // pos deletes need delete seq >= data seq; equality deletes need delete seq > data seq
      a1: ['eq-a3', 'eq-global', 'pos-a2'],
      a3: ['pos-a3-scoped'],
      // file_path bounds scope a position delete file to one data file
      b1: ['eq-global', 'pos-b-bounds'],
      // a deletion vector replaces the position delete files of its data file
      c1: ['dv-c1', 'eq-global'],
    });
    expect(plan.metrics.deleteFiles).toBe(9);
    expect(plan.metrics.deleteFilesUnused).toBe(3);
  });
});

describe('partition spec evolution', () => {
  // Spec 1 (unpartitioned) files were written before the table was partitioned by cat (spec 0).
  const table = new MemoryTable(schema, [byCat, unpartitioned]);
  const old = table.manifest(1, [
    { file: file('mem://t/data/old-1', []), seq: 1n },
    {
      file: file('mem://t/data/old-2', [], {
        lowerBounds: new Map([[1, toBytes('long', 100n)]]),
        upperBounds: new Map([[1, toBytes('long', 200n)]]),
      }),
      seq: 1n,
    },
  ]);
  const cur = table.manifest(0, [
    { file: file('mem://t/data/new-a', ['a']), seq: 2n },
    { file: file('mem://t/data/new-b', ['b']), seq: 2n },
  ]);
  table.commit([old, cur], 1);
  const meta = table.metadata();

  it('prunes each file by the spec it was written with', async () => {
    const plan = await planFiles(meta, table.readFile, { filter: "cat = 'a' and id < 50" });
    expect(plan.tasks.map((t) => [t.dataFile.filePath.split('/').pop(), t.specId])).toEqual([
      ['old-1', 1],
      ['new-a', 0],
    ]);
    expect(plan.metrics).toMatchObject({ skippedByPartition: 1, skippedByBounds: 1 });
    // the old file still needs the whole filter; the new one only the id part
    expect(plan.tasks.map((t) => t.residual.type)).toEqual(['and', 'lt']);
  });
});

describe('equality deletes and column ranges', () => {
  const range = (lo: bigint, hi: bigint, nulls = 0): Partial<DataFile> => ({
    lowerBounds: new Map([[1, toBytes('long', lo)]]),
    upperBounds: new Map([[1, toBytes('long', hi)]]),
    nullValueCounts: new Map([[1, nulls]]),
  });
  const eqDel = (path: string, extra: Partial<DataFile>) =>
    file(path, [], { content: DataFileContent.EqualityDeletes, equalityIds: [1], ...extra });
  const table = new MemoryTable(schema, [unpartitioned, byCat]);
  const data = table.manifest(1, [{ file: file('mem://t/data/low', ['a'], range(0n, 99n)), seq: 1n }]);
  const dels = table.manifest(
    1,
    [
      {
        file: file('mem://t/data/del-far', ['a'], {
          content: DataFileContent.EqualityDeletes,
          equalityIds: [1],
          ...range(500n, 600n),
        }),
        seq: 2n,
      },
      {
        file: file('mem://t/data/del-near', ['a'], {
          content: DataFileContent.EqualityDeletes,
          equalityIds: [1],
          ...range(50n, 60n),
        }),
        seq: 2n,
      },
    ],
    ManifestContent.Deletes,
  );
  const global = table.manifest(
    0,
    [{ file: eqDel('mem://t/data/global-far', range(1000n, 2000n)), seq: 2n }],
    ManifestContent.Deletes,
  );
  table.commit([data, dels, global], 1);

  it('attaches only equality deletes whose ranges can overlap the data file', async () => {
    const plan = await planFiles(table.metadata(), table.readFile);
    expect(plan.tasks[0]?.deletes.map((d) => d.file.filePath.split('/').pop())).toEqual(['del-near']);
  });
});

describe('string prefixes', () => {
  const t = new MemoryTable(schema, [unpartitioned]);
  const strBounds = (lo: string, hi: string): Partial<DataFile> => ({
    lowerBounds: new Map([[2, toBytes('string', lo)]]),
    upperBounds: new Map([[2, toBytes('string', hi)]]),
  });
  const m = t.manifest(1, [
    { file: file('mem://t/data/ab', [], strBounds('aba', 'abz')), seq: 1n },
    { file: file('mem://t/data/mixed', [], strBounds('aaa', 'abz')), seq: 1n },
    { file: file('mem://t/data/cd', [], strBounds('cda', 'cdz')), seq: 1n },
  ]);
  t.commit([m], 1);
  const names = async (where: string) =>
    (await planFiles(t.metadata(), t.readFile, { filter: where })).tasks.map((x) =>
      x.dataFile.filePath.split('/').pop(),
    );

  it('prunes by prefix in both directions', async () => {
    expect(await names("cat like 'ab%'")).toEqual(['ab', 'mixed']);
    expect(await names("cat not like 'ab%'")).toEqual(['mixed', 'cd']);
  });
});
