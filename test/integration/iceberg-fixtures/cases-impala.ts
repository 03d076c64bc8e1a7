/**
 * Fixture cases E (apache/impala). IQ/ = testdata/workloads/functional-query/queries/QueryTest/.
 * Position-delete files here still hold `hdfs://localhost:20500/…` paths (INDEX.md), which the
 * moved-path resolver maps like the manifests' `/test-warehouse/…` paths.
 */
import { count, type FixtureCase, type Opener, scanRows, sorted, tuples } from './fixture-helpers';

function rowsCase(
  name: string,
  cols: string[],
  expected: unknown[][],
  extra?: (open: Opener) => Promise<void>,
): FixtureCase {
  return {
    name,
    async run(open) {
      expect(sorted(tuples(await scanRows(await open(name)), cols))).toEqual(sorted(expected));
      await extra?.(open);
    },
  };
}

const at = async (open: Opener, name: string, snapshotId: bigint, cols: string[]) =>
  sorted(tuples(await scanRows(await open(name), { snapshotId }), cols));

export const cases: FixtureCase[] = [
  ...['impala-partitioned', 'impala-non-partitioned'].map(
    (name): FixtureCase => ({
      name,
      async run(open) {
        const t = await open(name);
        const rows = await scanRows(t);
        // iceberg-query.test 1-66
        expect(rows).toHaveLength(20);
        expect(await count(t, { where: 'id > 10' })).toBe(10);
        if (name === 'impala-partitioned') expect(await count(t, { where: "action != 'click'" })).toBe(14);
        else expect(await count(t, { where: "action = 'click'" })).toBe(6);
        expect([new Set(rows.map((r) => r.id)).size, new Set(rows.map((r) => r.action)).size]).toEqual([20, 3]);
        // 68-101: UTC event_time > 2020-01-01 09:00:00 → the six Lisa/download rows
        const late = await scanRows(t, { where: "event_time > '2020-01-01T09:00:00+00:00'" });
        expect(sorted(tuples(late, ['id', 'user', 'action', 'event_time']))).toEqual(
          [2, 5, 7, 8, 14, 16].map((id) => [id, 'Lisa', 'download', '2020-01-01T10:00:00.000000Z']),
        );
        if (name === 'impala-non-partitioned') {
          // 103-116
          expect(
            sorted(tuples(await scanRows(t, { where: 'id < 5' }), ['id', 'user', 'action', 'event_time'])),
          ).toEqual([
            [1, 'Alex', 'view', '2020-01-01T08:00:00.000000Z'],
            [2, 'Lisa', 'download', '2020-01-01T10:00:00.000000Z'],
            [3, 'Alan', 'click', '2020-01-01T09:00:00.000000Z'],
            [4, 'Alex', 'view', '2020-01-01T08:00:00.000000Z'],
          ]);
        }
      },
    }),
  ),
  {
    name: 'impala-resolution-test',
    async run(open) {
      const t = await open('impala-resolution-test');
      const rows = await scanRows(t);
      // iceberg-query.test 411-465
      expect(rows).toHaveLength(20);
      const one = (await scanRows(t, { where: 'id = 1' }))[0] ?? {};
      expect(one.phone).toEqual(['1-212-100-1111', '1-212-100-1112']);
      expect((one.favorites as Record<string, string>).sport).toBe('swimming');
      const food: Record<string, number> = {};
      for (const r of rows) {
        const f = (r.favorites as Record<string, string> | null)?.food;
        if (f) food[f] = (food[f] ?? 0) + 1;
      }
      expect(food).toEqual({ beef: 10, chicken: 4, pumpkin: 6 });
      expect(one.current_address).toEqual({
        street_address: { street_number: 100, street_name: 'Wall Street', street_type: 'Street' },
        country: 'US',
        postal_code: '10005',
      });
      const addresses = rows.map(
        (r) => r.current_address as { street_address: { street_number: number }; country: string },
      );
      expect(new Set(addresses.map((a) => a.street_address.street_number)).size).toBe(3);
      expect(new Set(addresses.map((a) => a.country)).size).toBe(1);
    },
  },
  {
    name: 'impala-alltypes-part',
    async run(open) {
      const t = await open('impala-alltypes-part');
      const cols = ['i', 'p_bool', 'p_int', 'p_bigint', 'p_float', 'p_double', 'p_decimal', 'p_date', 'p_string'];
      // iceberg-migrated-tables.test 1-36 (floats compared as float32: Impala prints 1.100000023841858)
      const rows = sorted(tuples(await scanRows(t), cols));
      expect(rows).toHaveLength(2);
      expect(rows[0]?.map((v, i) => (i === 4 ? Math.fround(v as number) : v))).toEqual([
        1,
        true,
        1,
        11,
        Math.fround(1.100000023841858),
        2.222,
        '123.321',
        '2022-02-22',
        'impala',
      ]);
      expect(tuples(await scanRows(t, { where: 'i = 1' }), ['i'])).toEqual([[1]]);
      expect(await count(t, { where: 'i = 3' })).toBe(0);
      expect(await count(t, { where: 'p_int = 1' })).toBe(2);
    },
  },
  {
    name: 'impala-legacy-partition-schema-evolution',
    async run(open) {
      const t = await open('impala-legacy-partition-schema-evolution');
      const cols = ['p_int_long', 'p_float_double', 'p_dec_dec', 'i'];
      // iceberg-migrated-tables.test 143-181: promoted partition columns int→long, float→double, decimal(5,3)→(8,3)
      const first = [1, 1.100000023841858, '2.718', 2];
      const second = [1, 1.100000023841858, '3.141', 1];
      expect(sorted(tuples(await scanRows(t), cols))).toEqual([first, second]);
      expect(await count(t, { where: 'p_int_long = 1' })).toBe(2);
      expect(tuples(await scanRows(t, { where: 'p_dec_dec = 2.718' }), cols)).toEqual([first]);
      const parts = await scanRows(t, { columns: ['p_int_long', 'p_float_double', 'p_dec_dec'] });
      expect(Object.keys(parts[0] ?? {})).toEqual(['p_int_long', 'p_float_double', 'p_dec_dec']);
    },
  },
  rowsCase(
    'impala-timestamp-part',
    ['i', 'ts'],
    [
      // iceberg-query.test 777-789, pre-1970 values included
      [-2, '1969-01-01T01:00:00.000000'],
      [-1, '1969-01-01T01:15:00.000000'],
      [1, '2021-10-31T02:15:00.000000'],
      [2, '2021-01-10T12:00:00.000000'],
      [3, '2022-04-11T00:04:00.000000'],
      [4, '2022-04-11T12:04:55.000000'],
    ],
  ),
  rowsCase(
    'impala-timestamptz-part',
    ['i', 'ts'],
    [
      // iceberg-query.test 524-538, UTC
      [-2, '1969-01-01T00:00:00.000000Z'],
      [-1, '1969-01-01T00:15:00.000000Z'],
      [0, '2021-10-31T00:15:00.000000Z'],
      [1, '2021-10-31T01:15:00.000000Z'],
      [2, '2021-01-10T11:00:00.000000Z'],
      [3, '2022-04-10T22:04:00.000000Z'],
      [4, '2022-04-11T10:04:55.000000Z'],
    ],
  ),
  {
    name: 'impala-migrated-complex',
    async run(open) {
      // iceberg-migrated-table-field-id-resolution.test 111-159
      const [row] = await scanRows(await open('impala-migrated-complex'));
      const s1 = row?.struct_1_col as Record<string, unknown>;
      const s2 = row?.struct_2_col as { struct_3_col: Record<string, unknown>; int_int_map_col: unknown };
      expect(s1.string_col).toBe('A');
      expect(s2.struct_3_col.float_col).toBe(0.5);
      expect(s1.int_array_col).toEqual([0]);
      expect(s2.struct_3_col.bigint_array_col).toEqual([4]);
      expect(s1.bool_int_map_col).toEqual([{ key: true, value: 1 }]);
      expect(row?.int_bigint_map_col).toEqual([{ key: 2, value: 3 }]);
      expect(s2.struct_3_col.string_double_map_col).toEqual({ B: 1.5 });
      expect(s2.int_int_map_col).toEqual([{ key: 5, value: 6 }]);
    },
  },
  rowsCase(
    'impala-v2-no-deletes',
    ['i', 's'],
    [
      [1, 'x'],
      [2, 'y'],
      [3, 'z'],
    ],
    async (open) => {
      // iceberg-v2-read-position-deletes.test 2-7, 147-152, 192-199
      expect(await count(await open('impala-v2-no-deletes'), { where: 'i = 2' })).toBe(1);
    },
  ),
  rowsCase(
    'impala-v2-delete-positional',
    ['id', 'data'],
    [
      [1, 'a'],
      [3, 'c'],
    ],
    async (open) => {
      const t = await open('impala-v2-delete-positional');
      // 12-30, 154-159
      expect(await count(t, { snapshotId: 6816997371555012807n })).toBe(3);
      expect(await count(t)).toBe(2);
      expect(await count(t, { where: 'id = 2' })).toBe(0);
    },
  ),
  rowsCase('impala-v2-positional-delete-all-rows', ['i'], [], async (open) => {
    // 32-50, 209-214
    expect(await count(await open('impala-v2-positional-delete-all-rows'), { snapshotId: 8593920101374128463n })).toBe(
      3,
    );
  }),
  rowsCase(
    'impala-v2-positional-not-all-files',
    ['i', 's'],
    [
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
      [5, 'X'],
      [4, 'd'],
      [6, 'f'],
    ],
    async (open) => {
      const t = await open('impala-v2-positional-not-all-files');
      // 64-92, 168-174
      expect(await count(t, { snapshotId: 7490459762454857930n })).toBe(10);
      expect(await count(t, { snapshotId: 752781918366351945n })).toBe(9);
      expect(await count(t, { where: 'i < 4' })).toBe(3);
    },
  ),
  rowsCase(
    'impala-v2-positional-update-all-rows',
    ['i', 's'],
    [
      [1, 'A'],
      [2, 'B'],
      [3, 'C'],
    ],
    async (open) => {
      const t = await open('impala-v2-positional-update-all-rows');
      // 103-121, 176-182
      expect(await count(t, { snapshotId: 3877007445826010687n })).toBe(3);
      expect(await count(t, { where: 'i = 3' })).toBe(1);
    },
  ),
  rowsCase(
    'impala-v2-delete-equality',
    ['id', 'data'],
    [
      [1, 'test_1_base'],
      [2, 'test_2_updated'],
    ],
    async (open) => {
      // iceberg-v2-read-equality-deletes.test 1-18
      expect(await at(open, 'impala-v2-delete-equality', 5763349507283783091n, ['id', 'data'])).toEqual([
        [1, 'test_1_base'],
        [2, 'test_2_updated'],
      ]);
    },
  ),
  rowsCase(
    'impala-v2-delete-equality-partitioned',
    ['i', 's', 'd'],
    [
      // 61-72
      [1, 'str1', '2023-12-24'],
      [2, 'str2', '2023-12-24'],
      [333333, 'str3', '2023-12-24'],
      [4, 'str4', '2023-12-24'],
      [1, 'str1', '2023-12-25'],
      [222, 'str2', '2023-12-25'],
    ],
  ),
  rowsCase(
    'impala-v2-delete-both-eq-and-pos',
    ['i', 's', 'd'],
    [
      // 52-59
      [2, 'str2_updated', '2023-12-13'],
      [3, 'str3', '2023-12-23'],
    ],
  ),
  rowsCase(
    'impala-v2-delete-pos-and-multi-eq-ids',
    ['i', 's', 'd'],
    [
      [1, 'str1', '2020-12-01'],
      [333333, 'str3', '2024-01-25'],
      [4, 'str4', '2024-01-26'],
      [5, 'str5', '2024-01-27'],
    ],
    async (open) => {
      // 111-134
      expect(
        await at(open, 'impala-v2-delete-pos-and-multi-eq-ids', 152862018760071153n, ['i', 's', 'd']),
      ).toHaveLength(4);
    },
  ),
  rowsCase(
    'impala-v2-delete-equality-multi-eq-ids',
    ['i', 's'],
    [
      [1, 'str1'],
      [2222, 'str2'],
      [33, 'str3_updated_twice'],
      [4, 'str4_updated'],
      [5, 'str5'],
    ],
    async (open) => {
      const name = 'impala-v2-delete-equality-multi-eq-ids';
      // 86-109
      expect(await at(open, name, 4077234998626563290n, ['i', 's'])).toHaveLength(5);
      expect(await at(open, name, 8127619959873391049n, ['i', 's'])).toEqual([
        [1, 'str1'],
        [2, 'str2'],
        [3, 'str3_updated'],
      ]);
    },
  ),
  rowsCase(
    'impala-v2-delete-equality-nulls',
    // 29-39: the third stated column is the data sequence number (a metadata column, not read here)
    ['i', 's'],
    [
      [1, 'str1'],
      [4, 'str4'],
      [null, 'str5'],
    ],
    async (open) => {
      // 41-50: at 4346796256488077976, NULL = NULL matches nothing yet
      expect(await at(open, 'impala-v2-delete-equality-nulls', 4346796256488077976n, ['i', 's'])).toEqual(
        sorted([
          [1, 'str1'],
          [null, 'str2'],
          [3, 'str3'],
        ]),
      );
    },
  ),
  {
    name: 'impala-spark-compaction-dangling-delete',
    async run(open) {
      // iceberg-v2-read-position-deletes.test 553-572: dangling deletes after compaction are ignored
      expect(await count(await open('impala-spark-compaction-dangling-delete'))).toBe(4);
    },
  },
  {
    name: 'impala-lineitem-multiblock',
    async run(open) {
      const t = await open('impala-lineitem-multiblock');
      // 471-500: 20000 rows in many row groups, every l_linenumber % 5 = 0 row deleted
      const rows = await scanRows(t, { columns: ['l_linenumber'] });
      expect(rows).toHaveLength(17886);
      expect(rows.filter((r) => (r.l_linenumber as number) % 5 === 0)).toHaveLength(0);
    },
  },
  {
    name: 'impala-v3-deletion-vectors',
    async run(open) {
      const t = await open('impala-v3-deletion-vectors');
      // iceberg-v3-delete-existing-dv.test 1-29: 5 data files, 2 DV entries (Puffin), rows 1, 3, 5 visible
      const scan = await t.scan();
      const rows = [];
      for await (const b of scan.batches()) for (let i = 0; i < b.numRows; i++) rows.push(b.get(i)?.toJSON().i);
      expect(rows.sort()).toEqual([1, 3, 5]);
      expect(scan.stats.dataFiles).toBe(5);
      expect(scan.stats.deleteEntries).toBe(2);
      // the deleted positions, by file, through the _file/_pos metadata columns: 2 rows of 5 gone
      const positions = await scanRows(t, { columns: ['i', '_file', '_pos'] });
      expect(positions).toHaveLength(3);
      expect(positions.every((r) => String(r._file).endsWith('.parquet') && typeof r._pos === 'number')).toBe(true);
    },
  },
  {
    name: 'impala-v3-row-lineage',
    async run(open) {
      const t = await open('impala-v3-row-lineage');
      // iceberg-v3-row-lineage.test 1-19
      expect(tuples(await scanRows(t), ['i']).sort()).toEqual([[1], [2], [3]]);
      // 21-77
      const lineage = await scanRows(t, { columns: ['i', '_row_id', '_last_updated_sequence_number'] });
      expect(sorted(tuples(lineage, ['_row_id', '_last_updated_sequence_number']))).toEqual([
        [0, 1],
        [1, 2],
        [2, 3],
      ]);
      const before = await scanRows(t, {
        snapshotId: 2872597867664652808n,
        columns: ['i', '_row_id', '_last_updated_sequence_number'],
      });
      expect(sorted(tuples(before, ['_row_id', '_last_updated_sequence_number']))).toEqual([
        [0, 1],
        [1, 2],
        [2, 3],
      ]);
    },
  },
];
