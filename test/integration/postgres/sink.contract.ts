/**
 * The Postgres sink contract, written once and run against every driver (`pg` on the real server, PGlite).
 * Each suite works in its own schema and drops it afterwards.
 */
import { Int32, Int64, type RecordBatch, type Schema, Utf8 } from 'apache-arrow';
import type { PgDriver, PgSession } from '../../../core/connectors/postgres/driver';
import { PostgresSink } from '../../../core/connectors/postgres/sink';
import type { JobState, RunContext, StagedChunk } from '../../../core/connectors/types';
import { InvalidInputError } from '../../../core/errors';
import type { JobOptions } from '../../../core/manifest/types';
import { batchOf, col, dropSchema, fixedData, iterOf, uniqueSchema } from '../../helpers/postgres';
import { describeTypeRoundTrip } from './sink-types.contract';
import { describeSourceContract } from './source.contract';

/** Rows `(id, name, qty)`; `id` Int64. */
export function orders(rows: [number, string | null, number | null][]): RecordBatch {
  return batchOf([
    col(
      'id',
      new Int64(),
      fixedData(
        new Int64(),
        rows.map((r) => BigInt(r[0])),
      ),
    ),
    col(
      'name',
      new Utf8(),
      rows.map((r) => r[1]),
    ),
    col(
      'qty',
      new Int32(),
      rows.map((r) => r[2]),
    ),
  ]);
}

export interface SinkHarness {
  driver: PgDriver;
  sink: PostgresSink;
  schema: string;
  /** Runs a whole job: prepare, stage each chunk (in the given order), commit with chunk order `order`. */
  run(
    opts: JobOptions,
    runId: string,
    chunks: [string, RecordBatch[]][],
    extra?: { order?: string[]; cursor?: string; schema?: Schema },
  ): Promise<{ written: number; deleted: number }>;
  rows(table: string, orderBy?: string): Promise<Record<string, unknown>[]>;
}

/** A driver whose sessions throw when a statement matches `pattern` (fault injection). */
export function failAt(driver: PgDriver, pattern: RegExp): PgDriver {
  const wrap = (s: PgSession): PgSession => ({
    query: (sql, params) => {
      if (pattern.test(sql)) return Promise.reject(new Error(`injected fault at: ${sql.slice(0, 40)}`));
      return s.query(sql, params);
    },
    queryArrays: (sql, params) => s.queryArrays(sql, params),
    copyFrom: (target, options, data) => s.copyFrom(target, options, data),
  });
  return {
    ...wrap(driver),
    kind: driver.kind,
    session: (fn) => driver.session((s) => fn(wrap(s))),
    transaction: (fn) => driver.transaction((s) => fn(wrap(s))),
    close: () => driver.close(),
  };
}

export function state(ctx: RunContext, cursor?: string): JobState {
  return { jobId: ctx.jobId, runId: ctx.runId, cursor, rowsWritten: 0, committedAt: new Date().toISOString() };
}

/** Runs the contract for one driver. `open` is called once per file (PGlite start-up costs about a second). */
export function describeSinkContract(name: string, open: () => Promise<PgDriver>): void {
  describe(`postgres sink contract: ${name}`, () => {
    const h = {} as SinkHarness;
    beforeAll(async () => {
      h.driver = await open();
      h.sink = new PostgresSink(h.driver);
      h.schema = uniqueSchema('sinkc');
      h.run = async (opts, runId, chunks, extra = {}) => {
        const ctx = { jobId: `job-${opts.destTable}`, runId };
        const first = chunks.find(([, b]) => b.length > 0)?.[1][0];
        await h.sink.prepare(ctx, opts, extra.schema ?? (first as RecordBatch).schema);
        const staged: StagedChunk[] = [];
        for (const [id, batches] of chunks) staged.push(await h.sink.stage(ctx, opts, id, iterOf(...batches)));
        const order = extra.order ?? staged.map((c) => c.chunkId);
        const byId = new Map(staged.map((c) => [c.chunkId, c]));
        const r = await h.sink.commit(
          ctx,
          opts,
          order.map((id) => byId.get(id) as StagedChunk),
          state(ctx, extra.cursor),
        );
        return { written: r.rowsWritten, deleted: r.rowsDeleted };
      };
      h.rows = async (table, orderBy = 'id') =>
        (await h.driver.query(`SELECT id::text AS id, name, qty FROM "${h.schema}"."${table}" ORDER BY ${orderBy}`))
          .rows;
    });
    afterAll(async () => {
      await dropSchema(h.driver, h.schema);
      await h.driver.close();
    });

    const opts = (table: string, o: Partial<JobOptions> = {}): JobOptions => ({
      destTable: `${h.schema}.${table}`,
      ...o,
    });

    it('append creates the table with its primary key and inserts every run', async () => {
      const o = opts('app', { incrementalStrategy: 'append', primaryKey: ['id'] });
      expect(
        await h.run(o, 'r1', [
          [
            'c1',
            [
              orders([
                [1, 'a', 1],
                [2, 'b', null],
              ]),
            ],
          ],
        ]),
      ).toEqual({ written: 2, deleted: 0 });
      await h.run(o, 'r2', [['c1', [orders([[3, 'c', 3]])]]]);
      expect(await h.rows('app')).toEqual([
        { id: '1', name: 'a', qty: 1 },
        { id: '2', name: 'b', qty: null },
        { id: '3', name: 'c', qty: 3 },
      ]);
      const pk = await h.driver.query(
        `SELECT a.attname::text AS k FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
          WHERE i.indrelid = $1::regclass AND i.indisprimary`,
        [`"${h.schema}"."app"`],
      );
      expect(pk.rows).toEqual([{ k: 'id' }]);
    });

    it('replace makes the table exactly the run rows, with the state row in the same commit', async () => {
      const o = opts('rep', { incrementalStrategy: 'replace', primaryKey: ['id'] });
      await h.run(o, 'r1', [
        [
          'c1',
          [
            orders([
              [1, 'a', 1],
              [2, 'b', 2],
            ]),
          ],
        ],
      ]);
      const r = await h.run(
        o,
        'r2',
        [
          ['c1', [orders([[2, 'b2', 20]])]],
          ['c2', [orders([[5, 'e', 5]])]],
        ],
        { cursor: '42' },
      );
      expect(r).toEqual({ written: 2, deleted: 2 });
      expect(await h.rows('rep')).toEqual([
        { id: '2', name: 'b2', qty: 20 },
        { id: '5', name: 'e', qty: 5 },
      ]);
      const st = await h.sink.readState(`job-${o.destTable}`, o);
      expect(st).toMatchObject({ runId: 'r2', cursor: '42', rowsWritten: 2 });
    });

    it('merge updates and inserts, resolving duplicate keys by chunk order then row order', async () => {
      const o = opts('mer', { incrementalStrategy: 'merge', primaryKey: ['id'] });
      await h.run(o, 'r1', [
        [
          'c1',
          [
            orders([
              [1, 'a', 1],
              [2, 'b', 2],
              [3, 'c', 3],
            ]),
          ],
        ],
      ]);
      // Staged as c2 then c1, but the source order (commit list) is c1, c2: c2's rows win; inside c1 the later row wins.
      const r = await h.run(
        o,
        'r2',
        [
          ['c2', [orders([[2, 'b-from-c2', 22]])]],
          [
            'c1',
            [
              orders([
                [2, 'b-first', 0],
                [4, 'd-first', 0],
              ]),
              orders([[4, 'd-last', 44]]),
            ],
          ],
        ],
        { order: ['c1', 'c2'] },
      );
      expect(r.written).toBe(2);
      expect(await h.rows('mer')).toEqual([
        { id: '1', name: 'a', qty: 1 },
        { id: '2', name: 'b-from-c2', qty: 22 },
        { id: '3', name: 'c', qty: 3 },
        { id: '4', name: 'd-last', qty: 44 },
      ]);
    });

    it('merge on a composite key', async () => {
      const o = opts('comp', { incrementalStrategy: 'merge', primaryKey: ['id', 'name'] });
      await h.run(o, 'r1', [
        [
          'c1',
          [
            orders([
              [1, 'x', 1],
              [1, 'y', 2],
            ]),
          ],
        ],
      ]);
      await h.run(o, 'r2', [
        [
          'c1',
          [
            orders([
              [1, 'y', 20],
              [2, 'x', 3],
            ]),
          ],
        ],
      ]);
      expect(await h.rows('comp', 'id, name')).toEqual([
        { id: '1', name: 'x', qty: 1 },
        { id: '1', name: 'y', qty: 20 },
        { id: '2', name: 'x', qty: 3 },
      ]);
    });

    it('merge hard-deletes keys the source reports deleted, unless a later chunk upserts them again', async () => {
      const o = opts('del', { incrementalStrategy: 'merge', primaryKey: ['id'] });
      await h.run(o, 'r1', [
        [
          'c1',
          [
            orders([
              [1, 'a', 1],
              [2, 'b', 2],
              [3, 'c', 3],
            ]),
          ],
        ],
      ]);
      const ctx = { jobId: 'job-del', runId: 'r2' };
      const b = orders([
        [4, 'd', 4],
        [3, 'c3', 33],
      ]);
      await h.sink.prepare(ctx, o, b.schema);
      const keys = batchOf([col('id', new Int64(), fixedData(new Int64(), [1n, 3n]))]);
      const d = await h.sink.stageDeletes(ctx, o, 'd1', iterOf(keys));
      const c = await h.sink.stage(ctx, o, 'c1', iterOf(b));
      // Source order: deletes first, then c1 (which upserts 3 again): 1 is deleted, 3 survives updated.
      const r = await h.sink.commit(ctx, o, [d, c], state(ctx));
      expect(r).toMatchObject({ rowsDeleted: 1, rowsWritten: 2 });
      expect(await h.rows('del')).toEqual([
        { id: '2', name: 'b', qty: 2 },
        { id: '3', name: 'c3', qty: 33 },
        { id: '4', name: 'd', qty: 4 },
      ]);
    });

    it('a chunk staged twice does not duplicate rows', async () => {
      const o = opts('twice', { incrementalStrategy: 'append' });
      const ctx = { jobId: 'job-twice', runId: 'r1' };
      const b = orders([
        [1, 'a', 1],
        [2, 'b', 2],
      ]);
      await h.sink.prepare(ctx, o, b.schema);
      await h.sink.stage(ctx, o, 'c1', iterOf(b));
      const again = await h.sink.stage(ctx, o, 'c1', iterOf(b));
      const other = await h.sink.stage(ctx, o, 'c2', iterOf(orders([[3, 'c', 3]])));
      expect(again.rows).toBe(2);
      await h.sink.commit(ctx, o, [again, other], state(ctx));
      expect((await h.rows('twice')).map((r) => r.id)).toEqual(['1', '2', '3']);
    });

    it('a crash after some chunks were staged leaves the target as it was; the re-run equals an uninterrupted run', async () => {
      const o = opts('crash', { incrementalStrategy: 'merge', primaryKey: ['id'] });
      const c = (n: number) =>
        orders([
          [n, `v${n}`, n * 10],
          [1, `one-from-${n}`, n],
        ]);
      await h.run(o, 'r0', [
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
      const before = await h.rows('crash');
      const ctx = { jobId: `job-${o.destTable}`, runId: 'crashed' };
      await h.sink.prepare(ctx, o, c(2).schema);
      await h.sink.stage(ctx, o, 'c1', iterOf(c(2)));
      await h.sink.stage(ctx, o, 'c2', iterOf(c(3)));
      // The process dies here: no commit, no abort.
      expect(await h.rows('crash')).toEqual(before);
      expect((await h.sink.readState(ctx.jobId, o))?.runId).toBe('r0');
      await h.run(o, 'rerun', [
        ['c1', [c(2)]],
        ['c2', [c(3)]],
        ['c3', [c(4)]],
      ]);
      const rerun = await h.rows('crash');
      // The same chunks into a fresh copy of the "before" table, uninterrupted.
      const o2 = opts('crash_ref', { incrementalStrategy: 'merge', primaryKey: ['id'] });
      await h.run(o2, 'r0', [
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
      await h.run(o2, 'r1', [
        ['c1', [c(2)]],
        ['c2', [c(3)]],
        ['c3', [c(4)]],
      ]);
      expect(rerun).toEqual(await h.rows('crash_ref'));
      expect(rerun.find((r) => r.id === '1')).toEqual({ id: '1', name: 'one-from-4', qty: 4 });
      const dropped = await h.sink.cleanupStale(0, o);
      expect(dropped).toHaveLength(1);
    });

    it('a failure inside the commit transaction (after the MERGE, at the state upsert) rolls everything back', async () => {
      const o = opts('atomic', { incrementalStrategy: 'merge', primaryKey: ['id'] });
      await h.run(o, 'r1', [['c1', [orders([[1, 'a', 1]])]]]);
      const before = await h.rows('atomic');
      const failing = new PostgresSink(failAt(h.driver, /INSERT INTO .*icefloe_state/));
      const ctx = { jobId: `job-${o.destTable}`, runId: 'r2' };
      const b = orders([
        [1, 'changed', 9],
        [2, 'new', 2],
      ]);
      await failing.prepare(ctx, o, b.schema);
      const c = await failing.stage(ctx, o, 'c1', iterOf(b));
      await expect(failing.commit(ctx, o, [c], state(ctx, '2'))).rejects.toThrow(/injected/);
      expect(await h.rows('atomic')).toEqual(before);
      expect(await h.sink.readState(ctx.jobId, o)).toMatchObject({ runId: 'r1' });
      // The staging survived the failed commit: committing again (no fault) finishes the run.
      await h.sink.commit(ctx, o, [c], state(ctx, '2'));
      expect((await h.rows('atomic')).map((r) => r.name)).toEqual(['changed', 'new']);
    });

    it('a retried commit of an already committed run changes nothing', async () => {
      const o = opts('retry', { incrementalStrategy: 'append' });
      const ctx = { jobId: 'job-retry', runId: 'r1' };
      const b = orders([[1, 'a', 1]]);
      await h.sink.prepare(ctx, o, b.schema);
      const c = await h.sink.stage(ctx, o, 'c1', iterOf(b));
      await h.sink.commit(ctx, o, [c], state(ctx, '1'));
      expect(await h.sink.commit(ctx, o, [c], state(ctx, '1'))).toMatchObject({ rowsWritten: 1 });
      expect(await h.rows('retry')).toHaveLength(1);
      expect(await h.sink.readState('job-never-ran', o)).toBeUndefined();
    });

    it('abort drops the run staging and leaves the target untouched', async () => {
      const o = opts('abort', { incrementalStrategy: 'append' });
      const ctx = { jobId: 'job-abort', runId: 'r1' };
      await h.sink.prepare(ctx, o, orders([]).schema);
      await h.sink.stage(ctx, o, 'c1', iterOf(orders([[1, 'a', 1]])));
      await h.sink.abort(ctx, o);
      expect(await h.rows('abort')).toEqual([]);
      await expect(h.sink.commit(ctx, o, [], state(ctx))).rejects.toThrow(/no staging/);
    });

    it('merge without a primary key is refused before anything is created', async () => {
      const o = opts('nopk', { incrementalStrategy: 'merge' });
      await expect(h.sink.prepare({ jobId: 'j', runId: 'r' }, o, orders([]).schema)).rejects.toBeInstanceOf(
        InvalidInputError,
      );
    });

    it('a hostile table name is only a name', async () => {
      const hostile = 'weird"; drop table x;--';
      await h.driver.query(`CREATE TABLE "${h.schema}".x (a int)`);
      const o: JobOptions = {
        destTable: `"${h.schema}"."${hostile.replace(/"/g, '""')}"`,
        incrementalStrategy: 'merge',
        primaryKey: ['id'],
      };
      await h.run(o, 'r1', [['c"1;--', [orders([[1, "it's", 1]])]]]);
      await h.run(o, 'r2', [['c1', [orders([[1, 'b', 2]])]]]);
      const r = await h.driver.query(`SELECT id::text AS id, name FROM "${h.schema}"."${hostile.replace(/"/g, '""')}"`);
      expect(r.rows).toEqual([{ id: '1', name: 'b' }]);
      const x = await h.driver.query(`SELECT to_regclass($1) IS NOT NULL AS ok`, [`"${h.schema}".x`]);
      expect(x.rows[0]?.ok).toBe(true);
    });

    describeTypeRoundTrip(() => h);
    describeSourceContract(() => h);
  });
}
