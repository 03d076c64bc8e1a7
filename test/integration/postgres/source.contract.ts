/** Part of the driver contract: the source reads what the sink wrote, on every driver (server and PGlite). */
import type { RecordBatch } from 'apache-arrow';
import { PostgresSource } from '../../../core/connectors/postgres/source';
import type { JobOptions } from '../../../core/manifest/types';
import type { SinkHarness } from './sink-harness';

export function describeSourceContract(harness: () => SinkHarness): void {
  it('the source reads a table back in chunks, incrementally from a cursor, and through a query', async () => {
    const h = harness();
    const source = new PostgresSource(h.driver);
    await h.driver.query(`CREATE TABLE "${h.schema}".src (id int PRIMARY KEY, v text, at timestamptz, tags text[])`);
    await h.driver.query(
      `INSERT INTO "${h.schema}".src SELECT g, 'v' || g, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 hour',
         array['a', NULL] FROM generate_series(1, 40) g`,
    );
    await h.driver.query(`ANALYZE "${h.schema}".src`);
    const ctx = { jobId: 'src', runId: 'r1' };
    const o: JobOptions = {
      sourceTable: `"${h.schema}".src`,
      extractParallelism: 4,
      pageSize: 7,
      incrementalKey: 'id',
    };
    const plan = await source.plan(ctx, o, undefined);
    expect(plan.chunks.length).toBe(4);
    expect(plan.cursor).toBe('40');
    const read = async (opts: JobOptions, chunks: typeof plan.chunks) => {
      const rows: Record<string, unknown>[] = [];
      for (const c of chunks) {
        for await (const b of source.read(ctx, opts, c) as AsyncIterable<RecordBatch>) {
          expect(b.numRows).toBeLessThanOrEqual(7);
          rows.push(...b.toArray().map((r) => r.toJSON() as Record<string, unknown>));
        }
      }
      return rows.sort((a, b) => Number(a.id) - Number(b.id));
    };
    const all = await read(o, plan.chunks);
    expect(all.map((r) => r.id)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(all[0]).toMatchObject({ id: 1, v: 'v1', at: 1704070800000 });
    expect(Array.from(all[0]?.tags as Iterable<unknown>)).toEqual(['a', null]);
    await h.driver.query(`INSERT INTO "${h.schema}".src (id, v) VALUES (41, 'new')`);
    const next = await source.plan(ctx, o, {
      jobId: 'src',
      runId: 'r1',
      cursor: plan.cursor,
      rowsWritten: 40,
      committedAt: '',
    });
    expect((await read(o, next.chunks)).map((r) => r.v)).toEqual(['new']);
    const q: JobOptions = { sourceTable: `query:SELECT id, upper(v) AS u FROM "${h.schema}".src WHERE id < 3` };
    const qp = await source.plan(ctx, q, undefined);
    expect(await read(q, qp.chunks)).toEqual([
      { id: 1, u: 'V1' },
      { id: 2, u: 'V2' },
    ]);
  });
}
