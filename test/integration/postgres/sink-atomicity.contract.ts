/** Part of the sink contract: idempotent staging, crashes before and inside the commit, retries, abort. */
import { PostgresSink } from '../../../core/connectors/postgres/sink';
import type { JobOptions } from '../../../core/manifest/types';
import { iterOf } from '../../helpers/postgres';
import { failAt, orders, type SinkHarness, state } from './sink-harness';

export function describeAtomicity(harness: () => SinkHarness): void {
  const opts = (table: string, o: Partial<JobOptions> = {}): JobOptions => ({
    destTable: `${harness().schema}.${table}`,
    ...o,
  });

  it('a chunk staged twice does not duplicate rows', async () => {
    const o = opts('twice', { incrementalStrategy: 'append' });
    const ctx = { jobId: 'job-twice', runId: 'r1' };
    const b = orders([
      [1, 'a', 1],
      [2, 'b', 2],
    ]);
    await harness().sink.prepare(ctx, o, b.schema);
    await harness().sink.stage(ctx, o, 'c1', iterOf(b));
    const again = await harness().sink.stage(ctx, o, 'c1', iterOf(b));
    const other = await harness().sink.stage(ctx, o, 'c2', iterOf(orders([[3, 'c', 3]])));
    expect(again.rows).toBe(2);
    await harness().sink.commit(ctx, o, [again, other], state(ctx));
    expect((await harness().rows('twice')).map((r) => r.id)).toEqual(['1', '2', '3']);
  });

  it('a crash after some chunks were staged leaves the target as it was; the re-run equals an uninterrupted run', async () => {
    const o = opts('crash', { incrementalStrategy: 'merge', primaryKey: ['id'] });
    const c = (n: number) =>
      orders([
        [n, `v${n}`, n * 10],
        [1, `one-from-${n}`, n],
      ]);
    await harness().run(o, 'r0', [
      [
        'c0',
        [
          orders([
            [1, 'one', 1],
            [9, 'nine', 9],
          ]),
        ],
      ],
    ]);
    const before = await harness().rows('crash');
    const ctx = { jobId: `job-${o.destTable}`, runId: 'crashed' };
    await harness().sink.prepare(ctx, o, c(2).schema);
    await harness().sink.stage(ctx, o, 'c1', iterOf(c(2)));
    await harness().sink.stage(ctx, o, 'c2', iterOf(c(3)));
    // The process dies here: no commit, no abort.
    expect(await harness().rows('crash')).toEqual(before);
    expect((await harness().sink.readState(ctx.jobId, o))?.runId).toBe('r0');
    await harness().run(o, 'rerun', [
      ['c1', [c(2)]],
      ['c2', [c(3)]],
      ['c3', [c(4)]],
    ]);
    const rerun = await harness().rows('crash');
    // The same chunks into a fresh copy of the "before" table, uninterrupted.
    const o2 = opts('crash_ref', { incrementalStrategy: 'merge', primaryKey: ['id'] });
    await harness().run(o2, 'r0', [
      [
        'c0',
        [
          orders([
            [1, 'one', 1],
            [9, 'nine', 9],
          ]),
        ],
      ],
    ]);
    await harness().run(o2, 'r1', [
      ['c1', [c(2)]],
      ['c2', [c(3)]],
      ['c3', [c(4)]],
    ]);
    expect(rerun).toEqual(await harness().rows('crash_ref'));
    expect(rerun.find((r) => r.id === '1')).toEqual({ id: '1', name: 'one-from-4', qty: 4 });
    const dropped = await harness().sink.cleanupStale(0, o);
    expect(dropped).toHaveLength(1);
  });

  it('a failure inside the commit transaction (after the MERGE, at the state upsert) rolls everything back', async () => {
    const o = opts('atomic', { incrementalStrategy: 'merge', primaryKey: ['id'] });
    await harness().run(o, 'r1', [['c1', [orders([[1, 'a', 1]])]]]);
    const before = await harness().rows('atomic');
    const failing = new PostgresSink(failAt(harness().driver, /INSERT INTO .*icefloe_state/));
    const ctx = { jobId: `job-${o.destTable}`, runId: 'r2' };
    const b = orders([
      [1, 'changed', 9],
      [2, 'new', 2],
    ]);
    await failing.prepare(ctx, o, b.schema);
    const c = await failing.stage(ctx, o, 'c1', iterOf(b));
    await expect(failing.commit(ctx, o, [c], state(ctx, '2'))).rejects.toThrow(/injected/);
    expect(await harness().rows('atomic')).toEqual(before);
    expect(await harness().sink.readState(ctx.jobId, o)).toMatchObject({ runId: 'r1' });
    // The staging survived the failed commit: committing again (no fault) finishes the run.
    await harness().sink.commit(ctx, o, [c], state(ctx, '2'));
    expect((await harness().rows('atomic')).map((r) => r.name)).toEqual(['changed', 'new']);
  });

  it('a retried commit of an already committed run changes nothing', async () => {
    const o = opts('retry', { incrementalStrategy: 'append' });
    const ctx = { jobId: 'job-retry', runId: 'r1' };
    const b = orders([[1, 'a', 1]]);
    await harness().sink.prepare(ctx, o, b.schema);
    const c = await harness().sink.stage(ctx, o, 'c1', iterOf(b));
    await harness().sink.commit(ctx, o, [c], state(ctx, '1'));
    expect(await harness().sink.commit(ctx, o, [c], state(ctx, '1'))).toMatchObject({ rowsWritten: 1 });
    expect(await harness().rows('retry')).toHaveLength(1);
    expect(await harness().sink.readState('job-never-ran', o)).toBeUndefined();
  });

  it('abort drops the run staging and leaves the target untouched', async () => {
    const o = opts('abort', { incrementalStrategy: 'append' });
    const ctx = { jobId: 'job-abort', runId: 'r1' };
    await harness().sink.prepare(ctx, o, orders([]).schema);
    await harness().sink.stage(ctx, o, 'c1', iterOf(orders([[1, 'a', 1]])));
    await harness().sink.abort(ctx, o);
    expect(await harness().rows('abort')).toEqual([]);
    await expect(harness().sink.commit(ctx, o, [], state(ctx))).rejects.toThrow(/no staging/);
  });
}
