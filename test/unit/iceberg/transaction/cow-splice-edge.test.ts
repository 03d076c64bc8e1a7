/**
 * Edge cases of copy-on-write rewrites that copy untouched row groups as bytes (rewrite-file.ts, parquet-splice.ts):
 * nested and logical types, partitioned tables and spec evolution, key deletes that empty a row group, touched row
 * groups that keep no row, files of the old 1M-row-group layout and of other row-group sizes, a codec change between
 * files, and a table written by another engine (Hive / parquet-mr). Every result is read back by DuckDB over the live
 * data files and compared with the rows expected; the rewritten file's metrics are compared with a from-scratch write.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as arrow from 'apache-arrow';
import { arrowSchemaOf } from '../../../../core/arrow/write/arrow-schema';
import { conformTable } from '../../../../core/arrow/write/conform';
import { storeDataFile, writeDataFiles } from '../../../../core/arrow/write/data-file-writer';
import { readFooter, spliceBlocker } from '../../../../core/arrow/write/parquet-splice';
import { ROW_GROUP_ROWS, writeParquet } from '../../../../core/arrow/write/parquet-writer';
import { takeTable } from '../../../../core/arrow/write/take';
import type { Catalog } from '../../../../core/iceberg/catalog/catalog';
import { FileCatalog } from '../../../../core/iceberg/catalog/file-catalog';
import type { TableIdentifier } from '../../../../core/iceberg/catalog/updates';
import { LocalFileIO } from '../../../../core/iceberg/io/local';
import { type DataFile, DataFileContent } from '../../../../core/iceberg/spec/manifest';
import type { PartitionSpec } from '../../../../core/iceberg/spec/partition-spec';
import type { Schema } from '../../../../core/iceberg/spec/schema';
import { loadTable, openTable, type ResolvingFileIO } from '../../../../core/iceberg/table';
import { keyFieldIds, rowKeys, writeCopyOnWrite } from '../../../../core/iceberg/transaction/merge';
import { appendFiles, replaceFiles } from '../../../../core/iceberg/transaction/operations';
import type { SpliceStats } from '../../../../core/iceberg/transaction/rewrite-file';
import { ensureTable, writeArrow } from '../../../../core/iceberg/transaction/write-arrow';
import { duckRows } from '../../../helpers/duckdb';
import { current, expectScratchMetrics, liveFiles } from './cow-helpers';

const FIXTURES = join(__dirname, '../../../../../shared/fixtures/iceberg');
const dir = mkdtempSync(join(tmpdir(), 'icefloe-cow-edge-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RG = ROW_GROUP_ROWS;
const N = 2 * RG + 10_000; // three row groups: 131,072 + 131,072 + 10,000
const NW = RG + 8_000; // two row groups (the tables of many columns)

const pathOf = (f: DataFile) => f.filePath.replace(/^file:\/\//, '');
const parquetList = (files: DataFile[]) =>
  `[${files
    .filter((f) => f.content === DataFileContent.Data)
    .map((f) => `'${pathOf(f)}'`)
    .join(', ')}]`;

/**
 * Writes `want` from scratch (one file per partition) and checks with DuckDB that the live data files hold exactly
 * the same rows (multiset equality over every column, nested ones included).
 */
async function expectTableRows(catalog: Catalog, id: TableIdentifier, want: arrow.Table, tag: string) {
  const { metadata: m } = await catalog.loadTable(id);
  const { schema } = current(m);
  const unpartitioned: PartitionSpec = { 'spec-id': 0, fields: [] };
  const scratch = await writeDataFiles(conformTable(want, schema), {
    io: new LocalFileIO(),
    location: join(dir, 'scratch', tag),
    schema,
    spec: unpartitioned,
    properties: {},
    prefix: 'want',
  });
  const live = parquetList(await liveFiles(catalog, id));
  const exp = parquetList(scratch);
  const [[extra, missing, count]] = (await duckRows(
    `SELECT (SELECT count(*) FROM (SELECT * FROM read_parquet(${live}, hive_partitioning = false) EXCEPT ALL SELECT * FROM read_parquet(${exp}, hive_partitioning = false))),
            (SELECT count(*) FROM (SELECT * FROM read_parquet(${exp}, hive_partitioning = false) EXCEPT ALL SELECT * FROM read_parquet(${live}, hive_partitioning = false))),
            (SELECT count(*) FROM read_parquet(${live}, hive_partitioning = false))`,
  )) as unknown[][] as [[bigint, bigint, bigint]];
  expect([Number(extra), Number(missing), Number(count)]).toEqual([0, 0, want.numRows]);
}

/** Row groups of `b` equal byte for byte to row groups of `a` (pairs of indexes). */
function expectCopied(a: Uint8Array, b: Uint8Array, pairs: [number, number][]) {
  const fa = readFooter(a);
  const fb = readFooter(b);
  for (const [i, j] of pairs) {
    const x = fa.groups[i] as (typeof fa.groups)[number];
    const y = fb.groups[j] as (typeof fb.groups)[number];
    expect(Buffer.from(b.subarray(y.start, y.end)).equals(Buffer.from(a.subarray(x.start, x.end)))).toBe(true);
  }
}

const cat = (...ts: arrow.Table[]) => new arrow.Table(ts.flatMap((t) => t.batches));

// ---------------------------------------------------------------------------------------------------------------
// 1. nested and logical types

const wideSchema: Schema = {
  type: 'struct',
  'schema-id': 0,
  'identifier-field-ids': [],
  fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'flag', required: false, type: 'boolean' },
    { id: 3, name: 'amount', required: false, type: 'decimal(12, 2)' },
    { id: 4, name: 'day', required: false, type: 'date' },
    { id: 5, name: 'ts', required: false, type: 'timestamptz' },
    { id: 6, name: 'u', required: false, type: 'uuid' },
    { id: 7, name: 'fx', required: false, type: 'fixed[4]' },
    { id: 8, name: 'bin', required: false, type: 'binary' },
    {
      id: 9,
      name: 's',
      required: false,
      type: {
        type: 'struct',
        fields: [
          { id: 12, name: 'a', required: false, type: 'int' },
          { id: 13, name: 'b', required: false, type: 'string' },
        ],
      },
    },
    {
      id: 10,
      name: 'l',
      required: false,
      type: { type: 'list', 'element-id': 14, element: 'long', 'element-required': false },
    },
    {
      id: 11,
      name: 'm',
      required: false,
      type: { type: 'map', 'key-id': 15, key: 'string', 'value-id': 16, value: 'int', 'value-required': false },
    },
  ],
};

function wideRows(from: number, to: number, tag: number): arrow.Table {
  const n = to - from;
  const schema = arrowSchemaOf(wideSchema);
  const type = (name: string) => schema.fields.find((f) => f.name === name)?.type as arrow.DataType;
  const k = (i: number) => from + i;
  const id = BigInt64Array.from({ length: n }, (_, i) => BigInt(k(i)));
  const amount = new Uint32Array(4 * n);
  const amountValid = new Uint8Array(Math.ceil(n / 8));
  for (let i = 0; i < n; i++) {
    const v = BigInt(k(i)) * 137n * BigInt(tag) - 5_000_000n; // negatives too
    const u = BigInt.asUintN(128, v);
    for (let w = 0; w < 4; w++) amount[4 * i + w] = Number((u >> BigInt(32 * w)) & 0xffffffffn);
    if (k(i) % 11 !== 0) amountValid[i >> 3] = (amountValid[i >> 3] as number) | (1 << (i & 7));
  }
  const day = Int32Array.from({ length: n }, (_, i) => 19_000 + ((k(i) * tag) % 3_000));
  const ts = BigInt64Array.from(
    { length: n },
    (_, i) => 1_700_000_000_000_000n + BigInt(k(i)) * 1_000_003n * BigInt(tag),
  );
  const u = new Uint8Array(16 * n);
  const fx = new Uint8Array(4 * n);
  for (let i = 0; i < n; i++) {
    new DataView(u.buffer).setBigUint64(16 * i, (BigInt(k(i)) * 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn);
    new DataView(u.buffer).setUint32(16 * i + 8, tag);
    new DataView(fx.buffer).setUint32(4 * i, (k(i) * 2654435761 + tag) >>> 0);
  }
  const cols: Record<string, arrow.Vector> = {
    id: arrow.makeVector(id),
    flag: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => (k(i) % 7 === 0 ? null : (k(i) + tag) % 2 === 0)),
      new arrow.Bool(),
    ),
    amount: arrow.makeVector(
      arrow.makeData({
        type: type('amount') as arrow.Decimal,
        length: n,
        data: amount,
        nullBitmap: amountValid,
      }),
    ),
    day: arrow.makeVector(arrow.makeData({ type: type('day') as arrow.DateDay, length: n, data: day })),
    ts: arrow.makeVector(arrow.makeData({ type: type('ts') as arrow.TimestampMicrosecond, length: n, data: ts })),
    u: arrow.makeVector(arrow.makeData({ type: type('u') as arrow.FixedSizeBinary, length: n, data: u })),
    fx: arrow.makeVector(arrow.makeData({ type: type('fx') as arrow.FixedSizeBinary, length: n, data: fx })),
    bin: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) =>
        k(i) % 5 === 0 ? null : Uint8Array.from({ length: k(i) % 9 }, (_, j) => (k(i) + j + tag) & 0xff),
      ),
      new arrow.Binary(),
    ),
    s: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) =>
        k(i) % 13 === 0 ? null : { a: k(i) % 3 === 0 ? null : k(i) * tag, b: `s${tag}-${k(i) % 1000}` },
      ),
      type('s'),
    ),
    l: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) =>
        k(i) % 17 === 0
          ? null
          : Array.from({ length: k(i) % 4 }, (_, j) => (j === 2 ? null : BigInt(k(i) * 10 + j + tag))),
      ),
      type('l'),
    ),
    m: arrow.vectorFromArray(
      Array.from(
        { length: n },
        (_, i) => new Map(Array.from({ length: k(i) % 3 }, (_, j) => [`k${j}`, j === 1 ? null : k(i) + j * tag])),
      ),
      type('m'),
    ),
  };
  return conformTable(new arrow.Table(cols), wideSchema);
}

describe('copy-on-write splice: edge cases', () => {
  it('copies row groups of nested, decimal, date, timestamptz, uuid, fixed, binary and boolean columns intact', async () => {
    const catalog = new FileCatalog(dir, new LocalFileIO());
    const id = { namespace: ['edge'], name: 'wide' };
    await catalog.createNamespace(['edge']).catch(() => undefined);
    await catalog.createTable(id, {
      schema: wideSchema,
      properties: { 'write.merge.mode': 'copy-on-write', 'write.parquet.compression-codec': 'zstd' },
    });
    await writeArrow(catalog, id, wideRows(0, NW, 1), { mode: 'append' });
    const [old] = await liveFiles(catalog, id);
    const oldBytes = await catalog.io.read((old as DataFile).filePath);
    expect(readFooter(oldBytes).groups.map((g) => g.rows)).toEqual([RG, 8_000]);

    // 300 updates in the second row group, 20 inserts
    const incoming = cat(wideRows(RG + 1_000, RG + 1_300, 3), wideRows(NW, NW + 20, 3));
    await writeArrow(catalog, id, incoming, { mode: 'merge', keys: ['id'] });
    const files = await liveFiles(catalog, id);
    const rw = files.find((f) => f.filePath.includes('-rw-')) as DataFile;
    expect(rw).toBeDefined();
    const bytes = await catalog.io.read(rw.filePath);
    expect(readFooter(bytes).groups.map((g) => g.rows)).toEqual([RG, 8_000 - 300]);
    expectCopied(oldBytes, bytes, [[0, 0]]);

    const kept = cat(wideRows(0, RG + 1_000, 1), wideRows(RG + 1_300, NW, 1));
    await expectTableRows(catalog, id, cat(kept, incoming), 'wide');
    await expectScratchMetrics(catalog, id, rw, kept);

    // our reader: the table scans to the same rows (count, and a few rows of each copied group by value)
    const { metadataLocation } = await catalog.loadTable(id);
    const t = await openTable(metadataLocation);
    const batches: arrow.RecordBatch[] = [];
    for await (const b of (await t.scan({})).batches()) batches.push(b);
    const got = new arrow.Table(batches);
    expect(got.numRows).toBe(NW + 20);
    const byId = new Map<bigint, Record<string, unknown>>();
    const ids = got.getChild('id')?.toArray() as BigInt64Array;
    const want = new Set([0n, 13n, 17n, 33n, BigInt(RG - 1), BigInt(NW - 5), BigInt(RG + 1_100), BigInt(RG + 1_500)]);
    ids.forEach((v, i) => {
      if (want.has(v)) byId.set(v, (got.get(i) as { toJSON(): Record<string, unknown> }).toJSON());
    });
    const expectRow = (k: number, tag: number) => {
      const e = (wideRows(k, k + 1, tag).get(0) as { toJSON(): Record<string, unknown> }).toJSON();
      expect(JSON.stringify(byId.get(BigInt(k)), jsonSafe)).toEqual(JSON.stringify(e, jsonSafe));
    };
    for (const k of [0, 13, 17, 33, RG - 1, NW - 5, RG + 1_500]) expectRow(k, 1);
    expectRow(RG + 1_100, 3);
  }, 60_000);

  // -------------------------------------------------------------------------------------------------------------
  // 2. partitioned table, then a spec change

  it('stores the spliced file in the old file partition (identity, bucket, day); a changed spec rewrites in full', async () => {
    const catalog = new FileCatalog(dir, new LocalFileIO());
    const id = { namespace: ['edge'], name: 'parted' };
    const base = 1_763_800_000_000_000n; // 2025-11-22 08:26:40 UTC, in µs
    const prows = (from: number, to: number, tag: string) => {
      const n = to - from;
      return new arrow.Table({
        id: arrow.makeVector(BigInt64Array.from({ length: n }, (_, i) => BigInt(from + i))),
        cat: arrow.vectorFromArray(
          Array.from({ length: n }, (_, i) => ((from + i) % 1000 === 999 ? 'b' : 'a')),
          new arrow.Utf8(),
        ),
        n: arrow.makeVector(Int32Array.from({ length: n }, () => 7)),
        ts: arrow.makeVector(
          arrow.makeData({
            type: new arrow.TimestampMicrosecond('UTC'),
            length: n,
            data: BigInt64Array.from({ length: n }, (_, i) => base + BigInt(from + i) * 1000n),
          }),
        ),
        name: arrow.vectorFromArray(
          Array.from({ length: n }, (_, i) => `${tag}-${from + i}`),
          new arrow.Utf8(),
        ),
      });
    };
    const partitionBy = [
      { column: 'cat', type: 'identity' },
      { column: 'n', type: 'bucket', bucketCount: 4 },
      { column: 'ts', type: 'day' },
    ];
    await ensureTable(catalog, id, prows(0, 1, 'x').schema, {
      partitionBy,
      properties: { 'write.merge.mode': 'copy-on-write' },
    });
    await writeArrow(catalog, id, prows(0, NW, 'old'), { mode: 'append' });
    const before = await liveFiles(catalog, id);
    expect(before).toHaveLength(2);
    const bigOld = before.find((f) => f.recordCount > 1000) as DataFile;
    expect(readFooter(await catalog.io.read(bigOld.filePath)).groups.length).toBe(2);

    // updates in row group 0 of the 'a' file (and its one 'b' row 999: the 'b' file has one row group)
    const upd = prows(500, 1_500, 'upd');
    await writeArrow(catalog, id, upd, { mode: 'merge', keys: ['id'] });
    const after = await liveFiles(catalog, id);
    const rw = after.find((f) => f.filePath.includes('-rw-')) as DataFile;
    expect(rw).toBeDefined();
    expect(after.filter((f) => f.filePath.includes('-rw-'))).toHaveLength(1);
    expect(dirname(pathOf(rw))).toBe(dirname(pathOf(bigOld)));
    expect(rw.partition).toEqual(bigOld.partition);
    const aOnly = (t: arrow.Table) => {
      const c = t.getChild('cat')?.toArray() as string[];
      return takeTable(t, Int32Array.from(c.flatMap((x, i) => (x === 'a' ? [i] : []))));
    };
    const keptOld = cat(prows(0, 500, 'old'), prows(1_500, NW, 'old'));
    await expectScratchMetrics(catalog, id, rw, aOnly(keptOld));
    await expectTableRows(catalog, id, cat(keptOld, upd), 'parted1');

    // the spec changes (day dropped): the file of spec 0 is rewritten in full, into the new spec
    await ensureTable(catalog, id, prows(0, 1, 'x').schema, {
      partitionBy: partitionBy.slice(0, 2),
      properties: { 'write.merge.mode': 'copy-on-write' },
    });
    const { metadata: m } = await catalog.loadTable(id);
    expect(m['default-spec-id']).toBe(1);
    const upd2 = prows(NW - 100, NW - 50, 'upd2');
    await writeArrow(catalog, id, upd2, { mode: 'merge', keys: ['id'] });
    const last = await liveFiles(catalog, id);
    expect(last.some((f) => f.filePath.includes('-rw-'))).toBe(false);
    await expectTableRows(
      catalog,
      id,
      cat(prows(0, 500, 'old'), prows(1_500, NW - 100, 'old'), prows(NW - 50, NW, 'old'), upd, upd2),
      'parted2',
    );
  }, 60_000);
});

function jsonSafe(_k: string, v: unknown): unknown {
  if (typeof v === 'bigint') return String(v);
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (v instanceof Map) return [...v.entries()];
  return v;
}

// ---------------------------------------------------------------------------------------------------------------
// simple id/name/amount rows for the cases below

function rows(from: number, to: number, tag: string): arrow.Table {
  const n = to - from;
  return new arrow.Table({
    id: arrow.makeVector(BigInt64Array.from({ length: n }, (_, i) => BigInt(from + i))),
    name: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => ((from + i) % 9 === 0 ? null : `${tag}-${from + i}`)),
      new arrow.Utf8(),
    ),
    amount: arrow.makeVector(Float64Array.from({ length: n }, (_, i) => (from + i) / 8)),
  });
}

async function simpleTable(name: string, props: Record<string, string> = {}) {
  const catalog = new FileCatalog(dir, new LocalFileIO());
  const id = { namespace: ['edge'], name };
  await ensureTable(catalog, id, rows(0, 1, 'x').schema, {
    properties: { 'write.merge.mode': 'copy-on-write', ...props },
  });
  return { catalog, id };
}

/** A copy-on-write merge through writeCopyOnWrite (as the lakehouse sink calls it), with key deletes. */
async function cowCommit(
  catalog: Catalog,
  id: TableIdentifier,
  incoming: arrow.Table | undefined,
  deleted: arrow.Table | undefined,
  stats: SpliceStats,
) {
  const { metadata: m } = await catalog.loadTable(id);
  const { schema, spec } = current(m);
  const keyIds = [1];
  const deleteKeys = new Set(deleted ? rowKeys(conformTable(deleted, schema), schema, keyIds) : []);
  const table = conformTable(incoming ?? new arrow.Table(arrowSchemaOf(schema), []), schema);
  const { remove, add } = await writeCopyOnWrite(
    table,
    { io: catalog.io, metadata: m, schema, spec, keyIds, prefix: `cow${Math.random().toString(36).slice(2, 8)}` },
    deleteKeys,
    stats,
  );
  await replaceFiles(catalog, id, remove, add, { operation: 'overwrite' });
  return { remove, add };
}

const noStats = (): SpliceStats => ({ copiedGroups: 0, encodedGroups: 0, encodedRows: 0 });

describe('copy-on-write splice: row groups that vanish', () => {
  it('key deletes that empty a whole row group drop it and copy the others', async () => {
    const { catalog, id } = await simpleTable('delgroup');
    await writeArrow(catalog, id, rows(0, N, 'old'), { mode: 'append' });
    const [old] = await liveFiles(catalog, id);
    const oldBytes = await catalog.io.read((old as DataFile).filePath);
    const stats = noStats();
    const { add } = await cowCommit(catalog, id, undefined, rows(RG, 2 * RG, 'x'), stats);
    expect(stats).toEqual({ copiedGroups: 2, encodedGroups: 0, encodedRows: 0 });
    expect(add).toHaveLength(1);
    const rw = add[0] as DataFile;
    expect(rw.filePath).toContain('-rw-');
    const bytes = await catalog.io.read(rw.filePath);
    expect(readFooter(bytes).groups.map((g) => g.rows)).toEqual([RG, 10_000]);
    expectCopied(oldBytes, bytes, [
      [0, 0],
      [2, 1],
    ]);
    const kept = cat(rows(0, RG, 'old'), rows(2 * RG, N, 'old'));
    await expectTableRows(catalog, id, kept, 'delgroup');
    await expectScratchMetrics(catalog, id, rw, kept);
  }, 60_000);

  it('a touched row group whose rows are all updated keeps no row; the untouched ones are copied', async () => {
    const { catalog, id } = await simpleTable('allupdated');
    await writeArrow(catalog, id, rows(0, N, 'old'), { mode: 'append' });
    const [old] = await liveFiles(catalog, id);
    const oldBytes = await catalog.io.read((old as DataFile).filePath);
    const stats = noStats();
    // every row of the last group updated, plus key deletes in the first group's first 10 rows
    const upd = rows(2 * RG, N, 'upd');
    const { add } = await cowCommit(catalog, id, upd, rows(0, 10, 'x'), stats);
    expect(stats).toEqual({ copiedGroups: 1, encodedGroups: 1, encodedRows: RG - 10 });
    const rw = add.find((f) => f.filePath.includes('-rw-')) as DataFile;
    const bytes = await catalog.io.read(rw.filePath);
    expect(readFooter(bytes).groups.map((g) => g.rows)).toEqual([RG, RG - 10]);
    expectCopied(oldBytes, bytes, [[1, 0]]);
    const kept = cat(rows(10, 2 * RG, 'old'));
    await expectTableRows(catalog, id, cat(kept, upd), 'allupdated');
    await expectScratchMetrics(catalog, id, rw, kept);

    // the same through writeArrow: the middle group fully updated, nothing encoded for it
    const { catalog: c2, id: id2 } = await simpleTable('allupdated2');
    await writeArrow(c2, id2, rows(0, N, 'old'), { mode: 'append' });
    const upd2 = rows(RG, 2 * RG, 'upd');
    await writeArrow(c2, id2, upd2, { mode: 'merge', keys: ['id'] });
    const rw2 = (await liveFiles(c2, id2)).find((f) => f.filePath.includes('-rw-')) as DataFile;
    expect(readFooter(await c2.io.read(rw2.filePath)).groups.map((g) => g.rows)).toEqual([RG, 10_000]);
    const kept2 = cat(rows(0, RG, 'old'), rows(2 * RG, N, 'old'));
    await expectTableRows(c2, id2, cat(kept2, upd2), 'allupdated2');
    await expectScratchMetrics(c2, id2, rw2, kept2);
  }, 60_000);
});

describe('copy-on-write splice: files of other layouts and codecs', () => {
  /** Appends `t` as one file written with `rowGroupRows` per row group (the writer's layout before today). */
  async function appendWithGroups(catalog: Catalog, id: TableIdentifier, t: arrow.Table, rowGroupRows: number) {
    const { metadata: m } = await catalog.loadTable(id);
    const { schema, spec } = current(m);
    const written = await writeParquet(conformTable(t, schema), schema, { rowGroupRows });
    const file = await storeDataFile(
      written,
      { io: catalog.io, location: m.location, schema, spec, properties: m.properties, prefix: 'old' },
      [],
      `old-${rowGroupRows}.parquet`,
    );
    await appendFiles(catalog, id, [file]);
    return file;
  }

  it('a file of the old 1M-row-group layout (one row group) is rewritten in full', async () => {
    const { catalog, id } = await simpleTable('onemillion');
    const file = await appendWithGroups(catalog, id, rows(0, N, 'old'), 1_048_576);
    expect(readFooter(await catalog.io.read(file.filePath)).groups.map((g) => g.rows)).toEqual([N]);
    const stats = noStats();
    await cowCommit(catalog, id, rows(5, 10, 'u'), undefined, stats);
    expect(stats).toEqual(noStats());
    expect((await liveFiles(catalog, id)).some((f) => f.filePath.includes('-rw-'))).toBe(false);
    await expectTableRows(catalog, id, cat(rows(0, 5, 'old'), rows(10, N, 'old'), rows(5, 10, 'u')), 'onemillion');

    // the same file with no split offsets in its manifest entry: the footer says one row group
    const { catalog: c2, id: id2 } = await simpleTable('onemillion-nosplits');
    const { metadata: m } = await c2.loadTable(id2);
    const { schema, spec } = current(m);
    const w = await writeParquet(conformTable(rows(0, NW, 'old'), schema), schema, { rowGroupRows: 1_048_576 });
    const f2 = await storeDataFile(
      { ...w, splitOffsets: [] },
      { io: c2.io, location: m.location, schema, spec, properties: m.properties, prefix: 'old' },
      [],
      'old-nosplits.parquet',
    );
    await appendFiles(c2, id2, [{ ...f2, splitOffsets: undefined }]);
    const s2 = noStats();
    await cowCommit(c2, id2, rows(5, 10, 'u'), undefined, s2);
    expect(s2).toEqual(noStats());
    await expectTableRows(c2, id2, cat(rows(0, 5, 'old'), rows(10, NW, 'old'), rows(5, 10, 'u')), 'nosplits');
  }, 60_000);

  it('a file of 100,000-row groups splices with row groups of today’s size', async () => {
    const { catalog, id } = await simpleTable('hundredk');
    const file = await appendWithGroups(catalog, id, rows(0, N, 'old'), 100_000);
    const oldBytes = await catalog.io.read(file.filePath);
    expect(readFooter(oldBytes).groups.map((g) => g.rows)).toEqual([100_000, 100_000, N - 200_000]);
    const stats = noStats();
    const upd = rows(150_000, 150_010, 'u');
    const { add } = await cowCommit(catalog, id, upd, undefined, stats);
    expect(stats).toEqual({ copiedGroups: 2, encodedGroups: 1, encodedRows: 100_000 - 10 });
    const rw = add.find((f) => f.filePath.includes('-rw-')) as DataFile;
    const bytes = await catalog.io.read(rw.filePath);
    expect(readFooter(bytes).groups.map((g) => g.rows)).toEqual([100_000, N - 200_000, 100_000 - 10]);
    expectCopied(oldBytes, bytes, [
      [0, 0],
      [2, 1],
    ]);
    const kept = cat(rows(0, 150_000, 'old'), rows(150_010, N, 'old'));
    await expectTableRows(catalog, id, cat(kept, upd), 'hundredk');
    await expectScratchMetrics(catalog, id, rw, kept);
  }, 60_000);

  it('row groups of a snappy file are copied next to zstd ones after the codec changes', async () => {
    const { catalog, id } = await simpleTable('codec', { 'write.parquet.compression-codec': 'snappy' });
    await writeArrow(catalog, id, rows(0, N, 'old'), { mode: 'append' });
    await catalog.commitTable({
      identifier: id,
      requirements: [],
      updates: [{ action: 'set-properties', updates: { 'write.parquet.compression-codec': 'zstd' } }],
    });
    const upd1 = rows(N - 10, N, 'u1');
    await writeArrow(catalog, id, upd1, { mode: 'merge', keys: ['id'] });
    let rw = (await liveFiles(catalog, id)).find((f) => f.filePath.includes('-rw-')) as DataFile;
    const codecs = async (f: DataFile) =>
      (
        await duckRows<string>(
          `SELECT DISTINCT row_group_id, compression FROM parquet_metadata('${pathOf(f)}') ORDER BY row_group_id`,
        )
      ).map((r) => String(r[1]));
    expect(await codecs(rw)).toEqual(['SNAPPY', 'SNAPPY', 'ZSTD']);
    // a second merge: the snappy group 1 and the zstd group are copied, group 0's kept rows encoded in zstd
    const upd2 = rows(3, 4, 'u2');
    await writeArrow(catalog, id, upd2, { mode: 'merge', keys: ['id'] });
    rw = (await liveFiles(catalog, id)).find((f) => f.filePath.includes('-rw-')) as DataFile;
    expect(await codecs(rw)).toEqual(['SNAPPY', 'ZSTD', 'ZSTD']);
    const kept = cat(rows(0, 3, 'old'), rows(4, N - 10, 'old'));
    await expectTableRows(catalog, id, cat(kept, upd1, upd2), 'codec');
    await expectScratchMetrics(catalog, id, rw, kept);
  }, 60_000);
});

// ---------------------------------------------------------------------------------------------------------------
// 7. a table written by another engine

describe('copy-on-write splice on a copy of impala-lineitem-multiblock (Hive, parquet-mr, 200 row groups)', () => {
  it('falls back to a full rewrite (foreign Parquet schema) and the merge is right', async () => {
    const name = 'impala_lineitem_multiblock';
    const root = join(dir, 'fx', name);
    cpSync(join(FIXTURES, 'impala-lineitem-multiblock'), root, { recursive: true });
    // the table before Impala's position delete (snapshot 1 of v2.metadata.json): a file with no delete files
    writeFileSync(join(root, 'metadata', 'version-hint.txt'), '2');
    rmSync(join(root, 'metadata', 'v3.metadata.json'));
    const loaded = await loadTable(root, { allowMovedPaths: true });
    const catalog = new FileCatalog(dir, loaded.io);
    const id = { namespace: ['fx'], name };
    const scan = async (limit?: number) => {
      const t = await openTable((await catalog.loadTable(id)).metadataLocation, { allowMovedPaths: true });
      const batches: arrow.RecordBatch[] = [];
      for await (const b of (await t.scan(limit === undefined ? {} : { limit })).batches()) batches.push(b);
      return new arrow.Table(batches);
    };
    const all = await scan();
    expect(all.numRows).toBe(20_000);
    const [foreign] = await liveFiles(catalog, id);
    const foreignFooter = readFooter(await catalog.io.read((foreign as DataFile).filePath));
    expect(foreignFooter.groups.length).toBe(200);

    // our writer's file of the same rows: the Parquet schemas differ, so no row group can be copied
    const { metadata: m } = await catalog.loadTable(id);
    const { schema } = current(m);
    const ours = await writeParquet(conformTable(all.slice(0, 10), schema), schema);
    expect(spliceBlocker(foreignFooter, readFooter(ours.bytes))).toBe('the Parquet schemas differ');

    // update the comment of 5 lines (row group 0) copy-on-write
    const five = all.slice(0, 5);
    const comments = arrow.vectorFromArray(
      Array.from({ length: 5 }, (_, i) => `updated ${i}`),
      new arrow.Utf8(),
    );
    const upd = new arrow.Table(
      Object.fromEntries(
        five.schema.fields.map((f) => [
          f.name,
          f.name === 'l_comment' ? comments : (five.getChild(f.name) as arrow.Vector),
        ]),
      ),
    );
    const stats = noStats();
    const tasks = await writeCopyOnWrite(
      conformTable(upd, schema),
      {
        io: catalog.io,
        metadata: m,
        schema,
        spec: m['partition-specs'][0] as PartitionSpec,
        keyIds: keyFieldIds(schema, ['l_orderkey', 'l_linenumber']),
        prefix: 'fxcow',
      },
      new Set(),
      stats,
    );
    expect(stats).toEqual(noStats());
    expect(tasks.add.some((f) => f.filePath.includes('-rw-'))).toBe(false);
    await replaceFiles(catalog, id, tasks.remove, tasks.add, { operation: 'overwrite' });
    const after = await scan();
    expect(after.numRows).toBe(20_000);
    const text = after.getChild('l_comment')?.toArray() as string[];
    expect(text.filter((c) => c.startsWith('updated '))).toHaveLength(5);
    const key = (t: arrow.Table, i: number) =>
      `${t.getChild('l_orderkey')?.get(i)}|${t.getChild('l_linenumber')?.get(i)}`;
    const keysBefore = new Set(Array.from({ length: all.numRows }, (_, i) => key(all, i)));
    const keysAfter = new Set(Array.from({ length: after.numRows }, (_, i) => key(after, i)));
    expect(keysAfter).toEqual(keysBefore);
    // every other row unchanged (DuckDB over the live file vs. the original fixture file)
    const resolve = (loaded.io as ResolvingFileIO).resolve;
    const live = parquetList((await liveFiles(catalog, id)).map((f) => ({ ...f, filePath: resolve(f.filePath) })));
    const orig = `'${join(
      FIXTURES,
      'impala-lineitem-multiblock',
      'data',
      pathOf(foreign as DataFile)
        .split('/')
        .pop() as string,
    )}'`;
    const [[diff]] = (await duckRows(
      `SELECT count(*) FROM (SELECT l_orderkey, l_linenumber, l_partkey, l_quantity, l_shipdate, l_comment FROM read_parquet(${orig}, hive_partitioning = false)
        EXCEPT ALL SELECT l_orderkey, l_linenumber, l_partkey, l_quantity, l_shipdate, l_comment FROM read_parquet(${live}, hive_partitioning = false))`,
    )) as unknown[][] as [[bigint]];
    expect(Number(diff)).toBe(5);
  }, 60_000);
});

// ---------------------------------------------------------------------------------------------------------------
// the dictionary choice (dictionary-choice.ts) samples every column the writer gets

describe('writing fixed[4] / fixed[8] columns whose bytes start at an odd offset', () => {
  it('writes and merges them (the sample hashes the values without an unaligned Int32Array view)', async () => {
    const n = 20_000;
    const fixedAt = (width: number, shift: number, tag: number) => {
      const vals = new Uint8Array(new ArrayBuffer(width * n + shift), shift, width * n);
      const view = new DataView(vals.buffer, vals.byteOffset);
      for (let i = 0; i < n; i++) view.setUint32(width * i, (Math.imul(i, 2654435761) + tag) >>> 0);
      return arrow.makeVector(arrow.makeData({ type: new arrow.FixedSizeBinary(width), length: n, data: vals }));
    };
    const table = (tag: number) =>
      new arrow.Table({
        id: arrow.makeVector(BigInt64Array.from({ length: n }, (_, i) => BigInt(i))),
        f4: fixedAt(4, 1, tag),
        f8: fixedAt(8, 3, tag),
      });
    const catalog = new FileCatalog(dir, new LocalFileIO());
    const id = { namespace: ['edge'], name: 'unaligned' };
    await ensureTable(catalog, id, table(0).schema, { properties: { 'write.merge.mode': 'copy-on-write' } });
    await writeArrow(catalog, id, table(0), { mode: 'append' });
    await writeArrow(catalog, id, table(1).slice(0, 10), { mode: 'merge', keys: ['id'] });
    await expectTableRows(catalog, id, cat(table(0).slice(10), table(1).slice(0, 10)), 'unaligned');
  });
});
