/**
 * Fixture cases A (hyparam/icebird), B (pola-rs/polars) and C (GlareDB/glaredb) of
 * shared/fixtures/iceberg/INDEX.md. Each expectation cites the INDEX.md line it quotes.
 */

import { NotFoundError } from '../../../core/errors';
import { readManifest, readManifestList } from '../../../core/iceberg/avro';
import { count, type FixtureCase, groupCounts, scanRows, sorted, tuples } from './fixture-helpers';

const BUNNY_COLUMNS = [
  'Breed Name',
  'Average Weight',
  'Fur Length',
  'Lifespan',
  'Origin Country',
  'Ear Type',
  'Temperament',
  'Popularity Rank',
];
const NETHERLAND_DWARF = ['Netherland Dwarf', 0.9, 2.5, 10, 'Netherlands', 'Erect', 'Shy', 2];

const SHIPMODE_COUNTS = { AIR: 143, FOB: 136, MAIL: 144, RAIL: 130, 'REG AIR': 157, SHIP: 158, TRUCK: 132 };
const doubled = Object.fromEntries(Object.entries(SHIPMODE_COUNTS).map(([k, v]) => [k, v * 2]));

function glaredb(name: string, versioned: boolean): FixtureCase {
  return {
    name,
    async run(open) {
      const t = await open(name);
      const rows = await scanRows(t, { columns: ['l_shipmode'] });
      // local.slti: count 1000 (2000 for versioned) and per-l_shipmode counts
      expect(rows).toHaveLength(versioned ? 2000 : 1000);
      expect(groupCounts(rows, 'l_shipmode')).toEqual(versioned ? doubled : SHIPMODE_COUNTS);
      if (versioned) expect(t.history().length).toBeGreaterThanOrEqual(2); // snapshots ≥ 2
    },
  };
}

export const cases: FixtureCase[] = [
  {
    name: 'icebird-spark-bunnies',
    async run(open) {
      // read.spark.test.js 9-44: v1 → 21 rows, first row Holland Lop
      const v1 = await scanRows(await open('icebird-spark-bunnies/metadata/v1.metadata.json'));
      expect(v1).toHaveLength(21);
      expect(v1[0]?.['Breed Name']).toBe('Holland Lop');
      // 46-60: v3 → 20 rows, data[0] = Netherland Dwarf …
      const v3 = await scanRows(await open('icebird-spark-bunnies/metadata/v3.metadata.json'));
      expect(v3).toHaveLength(20);
      expect(tuples(v3.slice(0, 1), BUNNY_COLUMNS)).toEqual([NETHERLAND_DWARF]);
      // 62-72: v5 at snapshot 7505300640432048841 → 21 rows
      const t = await open('icebird-spark-bunnies');
      expect(await count(t, { snapshotId: 7505300640432048841n })).toBe(21);
      // 74-81: unknown snapshot id 1234 fails
      await expect(t.scan({ snapshotId: 1234n })).rejects.toThrow(/snapshot 1234 not found/);
      // 83-98: v5 → 20 rows, data[0] as above plus breed_name_length 16
      const v5 = await scanRows(t);
      expect(v5).toHaveLength(20);
      expect(tuples(v5.slice(0, 1), [...BUNNY_COLUMNS, 'breed_name_length'])).toEqual([[...NETHERLAND_DWARF, 16]]);
    },
  },
  {
    name: 'icebird-spark-rename-column',
    async run(open) {
      const expected = [
        [3, 'Cottontail', null, '0.00', true],
        [4, 'Thumper', '2022-01-02', '99999999.99', false],
        [1, 'Flopsy 🐇', '2022-01-01', '9.99', true],
        [2, 'Mopsy–Naïve', '2022-01-01', '-5.00', false],
      ];
      // read.column.rename.test.js 9-41: v2, exactly these 4 rows in this order
      const v2 = await scanRows(await open('icebird-spark-rename-column/metadata/v2.metadata.json'));
      expect(tuples(v2, ['id', 'name', 'date', 'price', 'active'])).toEqual(expected);
      // 43-75: v3, same rows with the column renamed to event_date
      const t = await open('icebird-spark-rename-column');
      const v3 = await scanRows(t);
      expect(Object.keys(v3[0] ?? {})).toEqual(['id', 'name', 'event_date', 'price', 'active']);
      expect(tuples(v3, ['id', 'name', 'event_date', 'price', 'active'])).toEqual(expected);
      // 77-91: row ranges across files — a limit crossing the first file boundary
      expect(tuples(await scanRows(t, { limit: 3 }), ['id'])).toEqual([[3], [4], [1]]);
    },
  },
  {
    name: 'icebird-athena-example',
    async run(open) {
      const t = await open('icebird-athena-example');
      // read.athena.test.js 10-13: latest version found by listing
      expect(t.loaded.metadataLocation).toMatch(/00001-aaf0d033-d06b-43c7-be60-67f83abd4aca\.metadata\.json$/);
      // 26-32: last-sequence-number 1 and one metadata-log entry
      expect(t.metadata['last-sequence-number']).toBe(1n);
      expect(t.metadata['metadata-log']).toHaveLength(1);
      // 15-21: the versions are 00000-eedf51e6-… (in the log) and 00001-aaf0d033-… (current)
      expect(t.metadata['metadata-log'][0]?.['metadata-file']).toMatch(
        /\/00000-eedf51e6-8c09-463b-8850-844ee6ec1de0\.metadata\.json$/,
      );
      // 33-37
      expect(await scanRows(t)).toEqual([
        { id: 1, name: 'Alice' },
        { id: 2, name: 'Bob' },
      ]);
    },
  },
  {
    name: 'polars-spark-day-partitioned',
    async run(open) {
      const t = await open('polars-spark-day-partitioned/metadata/v2.metadata.json');
      const ts1 = '2023-03-01T18:15:00.000000';
      const ts2 = '2023-03-01T19:25:00.000000';
      const ts3 = '2023-03-02T22:00:00.000000';
      const all = [
        [1, '1', ts1],
        [2, '2', ts2],
        [3, '3', ts3],
      ];
      const rows = async (where?: string, snapshotId?: bigint) =>
        sorted(
          tuples(await scanRows(t, { ...(where ? { where } : {}), ...(snapshotId ? { snapshotId } : {}) }), [
            'id',
            'str',
            'ts',
          ]),
        );
      // test_iceberg.py 234-241: 3 rows; id int, str string, ts timestamp without zone
      expect(await rows()).toEqual(all);
      expect(t.describe().schema.fields.map((f) => f.type)).toEqual(['int', 'string', 'timestamp']);
      // 243-254: the same at snapshot 7051579356916758811; an unknown id raises
      expect(await rows(undefined, 7051579356916758811n)).toEqual(all);
      await expect(t.scan({ snapshotId: 1n })).rejects.toBeInstanceOf(NotFoundError);
      // 256-283: partition filters
      expect(await rows(`ts >= '${ts2}'`)).toEqual(all.slice(1));
      expect(await rows(`ts > '${ts2}'`)).toEqual(all.slice(2));
      expect(await rows(`ts <= '${ts2}'`)).toEqual(all.slice(0, 2));
      expect(await rows(`ts > '${ts3}'`)).toEqual([]);
      expect(await rows(`ts in ('${ts1}', '${ts3}')`)).toEqual([all[0], all[2]]);
      // 285-297: column filters
      expect(await rows('id < 2')).toEqual([all[0]]);
      expect(await rows('id = 2')).toEqual([all[1]]);
      expect(await rows('id in (1, 3)')).toEqual([all[0], all[2]]);
    },
  },
  glaredb('glaredb-v1-lineitem-simple', false),
  glaredb('glaredb-v1-lineitem-partitioned', false),
  glaredb('glaredb-v1-lineitem-versioned', true),
  glaredb('glaredb-v2-lineitem-simple', false),
  glaredb('glaredb-v2-lineitem-partitioned', false),
  glaredb('glaredb-v2-lineitem-versioned', true),
  {
    name: 'glaredb-pyiceberg-cities',
    async run(open) {
      const t = await open('glaredb-pyiceberg-cities');
      const m = t.metadata;
      // iceberg_metadata.slt 13-16
      expect([m['format-version'], m['table-uuid']]).toEqual([2, '3e7c486c-5e5a-426e-aed7-a022fe2b52b6']);
      // iceberg_snapshots.slt 13-16
      const snap = t.describe().currentSnapshot;
      expect([snap?.['snapshot-id'], snap?.['sequence-number']]).toEqual([8687260678833969554n, 1n]);
      // iceberg_manifest_list.slt 14-17
      const listPath = snap?.['manifest-list'] ?? '';
      const list = readManifestList(await t.loaded.io.read(listPath), { path: listPath });
      expect(list).toHaveLength(1);
      expect(list[0]?.manifestPath).toMatch(/6704a04a-.*-m0\.avro$/);
      expect([list[0]?.manifestLength, list[0]?.content, list[0]?.sequenceNumber]).toEqual([4390, 0, 1n]);
      // iceberg_data_files.slt 15-18: 1 ADDED DATA PARQUET file with record_count 4
      const mf = list[0] as (typeof list)[number];
      const manifest = readManifest(await t.loaded.io.read(mf.manifestPath), {
        path: mf.manifestPath,
        manifestFile: mf,
      });
      expect(
        manifest.entries.map((e) => [e.status, e.dataFile.content, e.dataFile.fileFormat, e.dataFile.recordCount]),
      ).toEqual([[1, 0, 'PARQUET', 4]]);
      expect(await count(t)).toBe(4);
    },
  },
];
