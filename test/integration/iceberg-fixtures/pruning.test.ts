/**
 * Pruned scans return exactly what a full scan filtered row by row returns, while skipping files
 * (counted by partition and by column bounds in the scan's stats).
 */
import { collect, localOpener, type Row, scanRows, sorted, tuples } from './fixture-helpers';

const cases: [fixture: string, where: string, keep: (r: Row) => boolean, columns: string[]][] = [
  [
    'glaredb-v1-lineitem-partitioned',
    "l_shipmode in ('AIR', 'RAIL')",
    (r) => ['AIR', 'RAIL'].includes(String(r.l_shipmode)),
    ['l_orderkey', 'l_linenumber', 'l_shipmode'],
  ],
  [
    'impala-partitioned',
    "action = 'download' and id > 3",
    (r) => r.action === 'download' && (r.id as number) > 3,
    ['id', 'action'],
  ],
  [
    'polars-spark-day-partitioned',
    "ts >= '2023-03-02T00:00:00'",
    (r) => String(r.ts) >= '2023-03-02T00:00:00',
    ['id', 'ts'],
  ],
  [
    'duckdb-uuid',
    "uuid = '1571effb-facd-42a3-90e9-0af522e9b6c2'",
    (r) => r.uuid === '1571effb-facd-42a3-90e9-0af522e9b6c2',
    ['uuid'],
  ],
  ['impala-v2-positional-not-all-files', 'i < 4', (r) => (r.i as number) < 4, ['i', 's']],
];

describe('pruning keeps results exact', () => {
  const open = localOpener();
  it.each(cases)('%s where %s', async (fixture, where, keep, columns) => {
    const t = await open(fixture);
    const scan = await t.scan({ where });
    const pruned = await collect(scan);
    const full = (await scanRows(t)).filter(keep);
    expect(sorted(tuples(pruned, columns))).toEqual(sorted(tuples(full, columns)));
    expect(scan.stats.skippedDataFiles).toBeGreaterThan(0);
  });
});
