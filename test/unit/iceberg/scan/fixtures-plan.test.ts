/**
 * Planning every snapshot of every fixture table: the planned data files, records and delete
 * files must agree with the writer's own snapshot summary (`total-data-files`, `total-records`,
 * `total-delete-files`) where the writer recorded them.
 */
import { existsSync } from 'node:fs';
import { planFiles } from '../../../../core/iceberg/scan';
import { fixtureReader, fixtureTables, loadFixture, resolveFixturePath } from './fixture-resolver';

const cases = fixtureTables().flatMap((name) => {
  const { root, meta } = loadFixture(name);
  return meta.snapshots
    .filter(
      (s) =>
        s['manifest-list'] === undefined || existsSync(resolveFixturePath(root, meta.location, s['manifest-list'])),
    )
    .map((s) => ({ name, snapshotId: s['snapshot-id'], summary: s.summary }));
});

describe('planning the fixture tables', () => {
  it('covers all 63 tables', () => {
    expect(new Set(cases.map((c) => c.name)).size).toBe(63);
  });

  it.each(cases)('$name snapshot $snapshotId matches its summary', async ({ name, snapshotId, summary }) => {
    const { root, meta } = loadFixture(name);
    const plan = await planFiles(meta, fixtureReader(root, meta), { snapshotId });
    const m = plan.metrics;
    if (summary['total-data-files'] !== undefined) expect(m.resultFiles).toBe(Number(summary['total-data-files']));
    if (summary['total-records'] !== undefined) expect(m.resultRecords).toBe(Number(summary['total-records']));
    if (summary['total-delete-files'] !== undefined) expect(m.deleteFiles).toBe(Number(summary['total-delete-files']));
    for (const t of plan.tasks) expect(typeof t.dataSequenceNumber).toBe('bigint');
  });
});

describe('filters on fixture tables', () => {
  const plan = (name: string, filter: string, opts: { snapshotId?: bigint } = {}) => {
    const { root, meta } = loadFixture(name);
    return planFiles(meta, fixtureReader(root, meta), { filter, ...opts });
  };

  it.each([
    // INDEX.md: category='beta' → (2,20); the file comes from the manifest inlined in a v1 snapshot
    ['duckdb-v1-deprecated-legacy', "category = 'beta'", { resultFiles: 1, resultRecords: 1, skippedByPartition: 1 }],
    // the renamed column (date → event_date) is found by field id; the null partition holds one row
    ['icebird-spark-rename-column', 'event_date is null', { resultFiles: 1, resultRecords: 1, skippedByPartition: 2 }],
    ['icebird-spark-rename-column', "event_date = '2022-01-01'", { resultFiles: 1, skippedByPartition: 2 }],
    [
      'glaredb-v2-lineitem-partitioned',
      "l_shipmode = 'AIR'",
      { resultFiles: 1, resultRecords: 143, skippedByPartition: 6 },
    ],
    ['glaredb-v1-lineitem-partitioned', "l_shipmode in ('AIR', 'RAIL')", { resultFiles: 2, skippedByPartition: 5 }],
    ['glaredb-v2-lineitem-simple', 'l_orderkey > 100000000', { resultFiles: 0, skippedByBounds: 1 }],
  ])('%s where %s', async (name, filter, expected) => {
    expect((await plan(name, filter)).metrics).toMatchObject(expected);
  });

  it('fails for an unknown snapshot id of a real table (icebird read.spark.test.js:74-81)', async () => {
    await expect(plan('icebird-spark-bunnies', 'true', { snapshotId: 1234n })).rejects.toThrow(
      /snapshot 1234 not found/,
    );
  });

  it('time-travels to the first snapshot of a real table', async () => {
    const p = await plan('icebird-spark-bunnies', 'true', { snapshotId: 7505300640432048841n });
    expect(p.metrics.resultRecords).toBe(21);
  });
});
