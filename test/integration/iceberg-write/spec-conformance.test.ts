/**
 * What other engines need of our tables: every type and every partition transform round-trips through
 * icefloe's reader (core/iceberg/table, engineer C) including time travel; every manifest and manifest
 * list is read by Debian's python3-avro with the spec's field ids; every metadata file validates against
 * the REST OpenAPI `TableMetadata` schema; every data file's field ids and stats agree with DuckDB.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import * as arrow from 'apache-arrow';
import { FileCatalog } from '../../../core/iceberg/catalog/file-catalog';
import { LocalFileIO } from '../../../core/iceberg/io/local';
import type { Schema } from '../../../core/iceberg/spec/schema';
import { openTable } from '../../../core/iceberg/table';
import { readManifest, readManifestList } from '../../../core/iceberg/transaction/manifest-io';
import { partitionSpecOf, writeArrow } from '../../../core/iceberg/transaction/write-arrow';
import { validateComponent } from './openapi-validate';

const dir = mkdtempSync(join(tmpdir(), 'icefloe-conf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const catalog = new FileCatalog(dir, new LocalFileIO());
beforeAll(() => catalog.createNamespace(['conf']));

const schema: Schema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'b', required: false, type: 'boolean' },
    { id: 2, name: 'i', required: true, type: 'int' },
    { id: 3, name: 'l', required: false, type: 'long' },
    { id: 4, name: 'f', required: false, type: 'float' },
    { id: 5, name: 'd', required: false, type: 'double' },
    { id: 6, name: 'dec', required: false, type: 'decimal(10, 2)' },
    { id: 7, name: 'dt', required: false, type: 'date' },
    { id: 8, name: 'tm', required: false, type: 'time' },
    { id: 9, name: 'ts', required: false, type: 'timestamp' },
    { id: 10, name: 'tstz', required: false, type: 'timestamptz' },
    { id: 11, name: 's', required: false, type: 'string' },
    { id: 12, name: 'u', required: false, type: 'uuid' },
    { id: 13, name: 'fx', required: false, type: 'fixed[3]' },
    { id: 14, name: 'bin', required: false, type: 'binary' },
    {
      id: 15,
      name: 'lst',
      required: false,
      type: { type: 'list', 'element-id': 18, element: 'int', 'element-required': false },
    },
    {
      id: 16,
      name: 'st',
      required: false,
      type: { type: 'struct', fields: [{ id: 19, name: 'x', required: false, type: 'double' }] },
    },
    {
      id: 17,
      name: 'mp',
      required: false,
      type: { type: 'map', 'key-id': 20, key: 'string', 'value-id': 21, value: 'int', 'value-required': false },
    },
  ],
};

const N = 6;
const TS0 = 1_709_210_096_123_456n; // 2024-02-29T12:34:56.123456Z
const bits = (v: boolean[]) => Uint8Array.from([v.reduce((n, b, i) => n | ((b ? 1 : 0) << i), 0)]);
const valid = bits([true, true, true, true, true, false]);
const d = (type: arrow.DataType, data: ArrayLike<unknown>, withNulls = true) =>
  arrow.makeData({
    type,
    length: N,
    data: data as never,
    ...(withNulls ? { nullBitmap: valid, nullCount: 1 } : { nullCount: 0 }),
  } as never);

function sampleBatch(offset: number): arrow.Table {
  const ids = Array.from({ length: N }, (_, k) => k + offset);
  const words = new Uint32Array(N * 4);
  ids.forEach((v, k) => {
    words[k * 4] = 12345 + v;
  });
  const cols: Record<string, arrow.Vector> = {
    b: arrow.vectorFromArray(
      ids.map((v, k) => (k === 5 ? null : v % 2 === 0)),
      new arrow.Bool(),
    ),
    i: arrow.makeVector(d(new arrow.Int32(), Int32Array.from(ids), false)),
    l: arrow.makeVector(d(new arrow.Int64(), BigInt64Array.from(ids.map((v) => 9_007_199_254_740_993n + BigInt(v))))),
    f: arrow.makeVector(d(new arrow.Float32(), Float32Array.from(ids.map((v) => v + 0.5)))),
    d: arrow.makeVector(d(new arrow.Float64(), Float64Array.from(ids.map((v) => (v === 3 ? Number.NaN : v * 1.25))))),
    dec: arrow.makeVector(d(new arrow.Decimal(2, 10, 128), words)),
    dt: arrow.makeVector(d(new arrow.DateDay(), Int32Array.from(ids.map((v) => 19_782 + v * 40)))),
    tm: arrow.makeVector(
      d(new arrow.TimeMicrosecond(), BigInt64Array.from(ids.map((v) => 45_296_123_456n + BigInt(v)))),
    ),
    ts: arrow.makeVector(
      d(new arrow.TimestampMicrosecond(), BigInt64Array.from(ids.map((v) => TS0 + BigInt(v) * 3_600_000_000n * 30n))),
    ),
    tstz: arrow.makeVector(
      d(
        new arrow.TimestampMicrosecond('UTC'),
        BigInt64Array.from(ids.map((v) => TS0 - BigInt(v) * 86_400_000_000n * 40n)),
      ),
    ),
    s: arrow.vectorFromArray(
      ids.map((v, k) => (k === 5 ? null : `héllo-${v}-${'x'.repeat(v * 4)}`)),
      new arrow.Utf8(),
    ),
    u: arrow.vectorFromArray(
      ids.map((v) => Uint8Array.from({ length: 16 }, (_, j) => (v * 16 + j) & 0xff)),
      new arrow.FixedSizeBinary(16),
    ),
    fx: arrow.vectorFromArray(
      ids.map((v) => Uint8Array.from([v, 1, 2])),
      new arrow.FixedSizeBinary(3),
    ),
    bin: arrow.vectorFromArray(
      ids.map((v) => Uint8Array.from([0xde, 0xad, v])),
      new arrow.Binary(),
    ),
    lst: arrow.vectorFromArray(
      ids.map((v) => (v % 3 === 0 ? null : [v, v + 1])),
      new arrow.List(new arrow.Field('item', new arrow.Int32(), true)),
    ),
    st: arrow.vectorFromArray(
      ids.map((v) => ({ x: v / 2 })),
      new arrow.Struct([new arrow.Field('x', new arrow.Float64(), true)]),
    ),
  };
  const mapType = new arrow.Map_(
    new arrow.Field(
      'entries',
      new arrow.Struct<{ key: arrow.Utf8; value: arrow.Int32 }>([
        new arrow.Field('key', new arrow.Utf8(), false),
        new arrow.Field('value', new arrow.Int32(), true),
      ]),
      false,
    ),
  );
  cols.mp = arrow.vectorFromArray(
    ids.map((v) => new Map([[`k${v}`, v]])),
    mapType,
  );
  return new arrow.Table(cols);
}

async function scanRows(metadataLocation: string, snapshotId?: bigint): Promise<Record<string, unknown>[]> {
  const t = await openTable(metadataLocation);
  const scan = await t.scan(snapshotId === undefined ? {} : { snapshotId });
  const rows: Record<string, unknown>[] = [];
  for await (const b of scan.batches())
    for (const r of b) rows.push((r as unknown as { toJSON(): Record<string, unknown> }).toJSON());
  return rows;
}

const allFiles = (root: string, ext: string): string[] =>
  readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(ext))
    .map((e) => join(e.parentPath, e.name));

describe('tables written by icefloe, read back and checked by independent tools', () => {
  const id = { namespace: ['conf'], name: 'all_types' };
  let snapshots: bigint[] = [];

  it('round-trips every type through our reader, with time travel to each snapshot', async () => {
    await catalog.createTable(id, { schema });
    const s1 = await writeArrow(catalog, id, sampleBatch(0), { mode: 'append' });
    const s2 = await writeArrow(catalog, id, sampleBatch(100), { mode: 'append' });
    const s3 = await writeArrow(catalog, id, sampleBatch(200), { mode: 'merge', keys: ['i'] });
    snapshots = [s1, s2, s3].map((s) => s.snapshot['snapshot-id']);
    const loc = (await catalog.loadTable(id)).metadataLocation;
    const first = await scanRows(loc, snapshots[0]);
    expect(first).toHaveLength(N);
    const r0 = first.find((r) => r.i === 1) as Record<string, unknown>;
    expect(r0.l).toBe(9_007_199_254_740_994n);
    expect(r0.s).toBe('héllo-1-xxxx');
    expect(r0.b).toBe(false);
    expect(Array.from(r0.bin as Uint8Array)).toEqual([0xde, 0xad, 1]);
    expect(r0.lst).toBeTruthy();
    expect(first.find((r) => r.i === 5)?.s).toBeNull();
    expect(await scanRows(loc, snapshots[1])).toHaveLength(2 * N);
    expect(await scanRows(loc)).toHaveLength(3 * N);
    // An upsert of existing keys (equality deletes) replaces rows; the previous snapshot still reads as before.
    const changed = sampleBatch(0);
    await writeArrow(catalog, id, changed, { mode: 'merge', keys: ['i'] });
    const now = await scanRows((await catalog.loadTable(id)).metadataLocation);
    expect(now).toHaveLength(3 * N);
    expect(now.filter((r) => (r.i as number) < 6)).toHaveLength(N);
    expect(await scanRows(loc, snapshots[2])).toHaveLength(3 * N);
  });

  it('writes manifests and manifest lists that python3-avro reads with the spec field ids', async () => {
    const files = allFiles(join(dir, 'conf', 'all_types', 'metadata'), '.avro');
    const out = execFileSync('/usr/bin/python3', [join(__dirname, 'avro-check.py'), ...files], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(out).toHaveLength(files.length);
    const entry = out.find((o) => o.name === 'manifest_entry');
    expect(entry.ids).toMatchObject({
      status: 0,
      snapshot_id: 1,
      sequence_number: 3,
      file_sequence_number: 4,
      data_file: 2,
      'data_file.file_path': 100,
      'data_file.lower_bounds': 125,
      'data_file.equality_ids': 135,
    });
    expect(entry.meta).toEqual(
      expect.arrayContaining(['schema', 'partition-spec', 'partition-spec-id', 'format-version', 'content']),
    );
    const list = out.find((o) => o.name === 'manifest_file');
    expect(list.ids).toMatchObject({
      manifest_path: 500,
      manifest_length: 501,
      partition_spec_id: 502,
      content: 517,
      sequence_number: 515,
      added_snapshot_id: 503,
      partitions: 507,
    });
    expect(out.filter((o) => o.name === 'manifest_file').length).toBe(4);
  });

  it('writes metadata files that validate against the OpenAPI TableMetadata schema', () => {
    const files = allFiles(join(dir, 'conf'), '.metadata.json');
    expect(files.length).toBeGreaterThan(3);
    for (const f of files)
      expect({ f, errs: validateComponent('TableMetadata', JSON.parse(readFileSync(f, 'utf8'))) }).toEqual({
        f,
        errs: [],
      });
  });

  it('writes data files whose field ids and stats agree with DuckDB', async () => {
    const { metadata: m } = await catalog.loadTable(id);
    const snap = m.snapshots.find((s) => s['snapshot-id'] === snapshots[0])!;
    const [mf] = await readManifestList(catalog.io, snap['manifest-list']!);
    const [entry] = await readManifest(catalog.io, mf!, schema, m['partition-specs'][0]!);
    const path = entry!.dataFile.filePath;
    const db = await DuckDBInstance.create();
    const conn = await db.connect();
    const ids = (
      await conn.runAndReadAll(`select name, field_id from parquet_schema('${path}') where field_id is not null`)
    ).getRows();
    expect(Object.fromEntries(ids.map(([n, i]) => [String(n), Number(i)]))).toMatchObject({
      b: 1,
      i: 2,
      l: 3,
      dec: 6,
      ts: 9,
      s: 11,
      lst: 15,
      element: 18,
      st: 16,
      x: 19,
      mp: 17,
      key: 20,
      value: 21,
    });
    const meta = (
      await conn.runAndReadAll(
        `select path_in_schema, sum(total_compressed_size), sum(stats_null_count), min(stats_min_value), max(stats_max_value) from parquet_metadata('${path}') group by 1`,
      )
    ).getRows();
    const byPath = new Map(meta.map((r) => [String(r[0]), r]));
    const f = entry!.dataFile;
    expect(f.columnSizes?.get(2)).toBe(Number(byPath.get('i')?.[1]));
    expect(f.columnSizes?.get(11)).toBe(Number(byPath.get('s')?.[1]));
    expect(f.nullValueCounts?.get(3)).toBe(Number(byPath.get('l')?.[2]));
    expect(f.nullValueCounts?.get(11)).toBe(Number(byPath.get('s')?.[2]));
    expect(String(byPath.get('i')?.[3])).toBe('0');
    expect(String(byPath.get('i')?.[4])).toBe('5');
    expect(f.lowerBounds?.get(2)).toEqual(Uint8Array.from([0, 0, 0, 0]));
    expect(f.upperBounds?.get(2)).toEqual(Uint8Array.from([5, 0, 0, 0]));
    expect(f.nanValueCounts?.get(5)).toBe(1);
    conn.closeSync();
  });
});

describe.each([
  ['identity', { column: 'i', type: 'identity' }],
  ['bucket', { column: 's', type: 'bucket', bucketCount: 4 }],
  ['truncate', { column: 's', type: 'truncate', width: 7 }],
  ['year', { column: 'dt', type: 'year' }],
  ['month', { column: 'ts', type: 'month' }],
  ['day', { column: 'tstz', type: 'day' }],
  ['hour', { column: 'ts', type: 'hour' }],
  ['void', { column: 'l', type: 'void' }],
  ['bucket of long', { column: 'l', type: 'bucket', bucketCount: 3 }],
  ['truncate of decimal', { column: 'dec', type: 'truncate', width: 50 }],
])('partitioned by %s', (label, by) => {
  it('writes one folder per partition value and reads every row back', async () => {
    const id = { namespace: ['conf'], name: `p_${label.replace(/ /g, '_')}` };
    await catalog.createTable(id, { schema, partitionSpec: partitionSpecOf(schema, [by]) });
    const out = await writeArrow(catalog, id, sampleBatch(0), { mode: 'append' });
    const { metadataLocation, metadata } = await catalog.loadTable(id);
    expect(await scanRows(metadataLocation)).toHaveLength(N);
    const snap = metadata.snapshots[0]!;
    const [mf] = await readManifestList(catalog.io, snap['manifest-list']!);
    const entries = await readManifest(catalog.io, mf!, schema, metadata['partition-specs'][0]!);
    expect(entries.reduce((n, e) => n + e.dataFile.recordCount, 0)).toBe(N);
    if (by.type !== 'void') expect(entries.every((e) => e.dataFile.filePath.includes('='))).toBe(true);
    expect(Number(out.snapshot.summary['changed-partition-count'])).toBe(entries.length);
  });
});
