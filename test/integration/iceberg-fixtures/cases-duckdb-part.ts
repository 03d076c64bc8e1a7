/**
 * Fixture cases D, `duckdb-part-*` (INDEX.md "duckdb-part-*"): identity-partitioned tables whose
 * data files were rewritten without `partition_col`, so every value comes from the manifest's
 * partition tuple (single-value binary serialization per type). Expected rows are from
 * DT/partitioning/identity/*.test.
 */
import type { Expression } from '../../../core/iceberg/scan/expression';
import { type FixtureCase, type Opener, scanRows, sorted, tuples } from './fixture-helpers';

const COLS = ['partition_col', 'user_id', 'event_type'];

function part(
  name: string,
  expected: unknown[][],
  filters: [where: string | Expression, userId: number][] = [],
  failing?: string,
): FixtureCase {
  return {
    name,
    ...(failing ? { failing } : {}),
    async run(open: Opener) {
      const t = await open(name);
      expect(sorted(tuples(await scanRows(t), COLS))).toEqual(sorted(expected));
      for (const [where, userId] of filters) {
        expect(tuples(await scanRows(t, { where }), ['user_id'])).toEqual([[userId]]);
      }
    },
  };
}

export const cases: FixtureCase[] = [
  // identity_bigint.test 12-21: longs beyond 2^53 render as strings
  part(
    'duckdb-part-bigint',
    [
      ['9223372036854775807', 12345, 'click'],
      ['-9223372036854775808', 67890, 'purchase'],
    ],
    [['partition_col = 9223372036854775807', 12345]],
  ),
  // identity_binary.test 12-26: binary as hex
  part(
    'duckdb-part-binary',
    [
      ['aabbcc', 67890, 'purchase'],
      ['010203', 12345, 'click'],
    ],
    // The --where language has no binary literals yet: the filters go in as expression trees.
    [
      [{ type: 'eq', term: 'partition_col', value: Uint8Array.of(0x01, 0x02, 0x03) }, 12345],
      [{ type: 'eq', term: 'partition_col', value: Uint8Array.of(0xaa, 0xbb, 0xcc) }, 67890],
    ],
  ),
  // identity_bool.test 12-21
  part(
    'duckdb-part-bool',
    [
      [true, 12345, 'click'],
      [false, 67890, 'purchase'],
    ],
    [['partition_col = true', 12345]],
  ),
  // identity_decimal_smallint.test 12-21
  part('duckdb-part-decimal-smallint', [
    ['1.23', 12345, 'click'],
    ['4.56', 67890, 'purchase'],
  ]),
  // identity_decimal_integer.test 12-22
  part('duckdb-part-decimal-integer', [
    ['1234.5432', 111213, 'delete'],
    ['1.2300', 67890, 'purchase'],
    ['42.5630', 12345, 'click'],
  ]),
  {
    name: 'duckdb-part-decimal-bigint',
    async run(open) {
      const t = await open('duckdb-part-decimal-bigint');
      const rows = tuples(await scanRows(t), COLS);
      // identity_decimal_bigint.test 12-29: 10 rows ordered from -9876.54321098765/222333/view to 9999.99999999999/666777/hover
      expect(rows).toHaveLength(10);
      const byValue = [...rows].sort((a, b) => Number(a[0]) - Number(b[0]));
      expect(byValue[0]).toEqual(['-9876.54321098765', 222333, 'view']);
      expect(byValue[9]).toEqual(['9999.99999999999', 666777, 'hover']);
      expect(tuples(await scanRows(t, { where: 'partition_col = 123.45678901234' }), ['user_id'])).toEqual([[123456]]);
    },
  },
  {
    name: 'duckdb-part-decimal-hugeint',
    async run(open) {
      const t = await open('duckdb-part-decimal-hugeint');
      const rows = tuples(await scanRows(t), COLS);
      // identity_decimal_hugeint.test 12-29: 15 rows, decimal(36,23) at full precision
      expect(rows).toHaveLength(15);
      const values = rows.map((r) => String(r[0]));
      expect(rows).toContainEqual(['-1000000000000.00000000000000000001000', 246802, 'rotate']);
      expect(rows).toContainEqual(['9999999999999.99999999999999999999000', 666777, 'hover']);
      expect(values.every((v) => /^-?\d+\.\d{23}$/.test(v))).toBe(true);
      // 31-34
      // Quoted: the --where parser reads unquoted fractions as JS numbers (53-bit), too coarse for decimal(36,23).
      const hit = await scanRows(t, { where: "partition_col = '3.14159265358979323846264'" });
      expect(tuples(hit, ['user_id'])).toEqual([[314159]]);
    },
  },
  {
    name: 'duckdb-part-double',
    async run(open) {
      const t = await open('duckdb-part-double');
      // identity_double.test 12-21 states 3.141592653589793 (Math.PI) and 2.718281828459045 (Math.E), but the table
      // metadata types partition_col as *float* (INDEX.md: "sic") and the manifest holds 4-byte
      // floats: the stored values are the float32 roundings of the stated ones.
      const rows = sorted(tuples(await scanRows(t), COLS));
      expect(rows.map((r) => [Math.fround(r[0] as number), r[1], r[2]])).toEqual([
        [Math.fround(Math.E), 67890, 'purchase'],
        [Math.fround(Math.PI), 12345, 'click'],
      ]);
    },
  },
  // identity_float.test 12-21: floats print as their shortest float32 form
  part('duckdb-part-float', [
    [1.23, 12345, 'click'],
    [4.56, 67890, 'purchase'],
  ]),
  // identity_integer.test 12-21
  part(
    'duckdb-part-integer',
    [
      [1337, 67890, 'purchase'],
      [42, 12345, 'click'],
    ],
    [['partition_col = 42', 12345]],
  ),
  // identity_time.test 12-21 (PyIceberg; required time)
  part('duckdb-part-time', [
    ['12:34:56.000000', 12345, 'click'],
    ['08:21:09.000000', 67890, 'purchase'],
  ]),
  // identity_timestamp.test 12-21
  part(
    'duckdb-part-timestamp',
    [
      ['2023-05-15T14:30:45.000000', 12345, 'click'],
      ['2023-08-22T09:15:20.000000', 67890, 'purchase'],
    ],
    [["partition_col = '2023-05-15T14:30:45'", 12345]],
  ),
  // identity_timestamptz.test 20-28, stated in Europe/Amsterdam (+02): 16:30:45+02 = 14:30:45Z
  part('duckdb-part-timestamptz', [
    ['2023-05-15T14:30:45.000000Z', 12345, 'click'],
    ['2023-08-22T09:15:20.000000Z', 67890, 'purchase'],
  ]),
  // identity_fixed_length_binary.test 12-26: 'hello world' and 'fixed value' as hex
  part('duckdb-part-fixed-binary', [
    [Buffer.from('hello world').toString('hex'), 12345, 'click'],
    [Buffer.from('fixed value').toString('hex'), 67890, 'purchase'],
  ]),
];
