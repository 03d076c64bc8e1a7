/**
 * The Postgres sink contract, written once and run against every driver (`pg` on the real server, PGlite).
 * Each suite works in its own schema and drops it afterwards.
 */
import { Int64, type RecordBatch } from 'apache-arrow';
import type { PgDriver } from '../../../core/connectors/postgres/driver';
import { PostgresSink } from '../../../core/connectors/postgres/sink';
import type { StagedChunk } from '../../../core/connectors/types';
import { InvalidInputError } from '../../../core/errors';
import type { JobOptions } from '../../../core/manifest/types';
import { batchOf, col, dropSchema, fixedData, iterOf, uniqueSchema } from '../../helpers/postgres';
import { describeAtomicity } from './sink-atomicity.contract';
import { orders, type SinkHarness, state } from './sink-harness';
import { describeTypeRoundTrip } from './sink-types.contract';
import { describeSourceContract } from './source.contract';
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

    it('replace with duplicate keys in the run keeps the last by source order', async () => {
      const o = opts('repdup', { incrementalStrategy: 'replace', primaryKey: ['id'] });
      const r = await h.run(
        o,
        'r1',
        [
          ['c2', [orders([[1, 'from-c2', 2]])]],
          [
            'c1',
            [
              orders([
                [1, 'from-c1', 1],
                [3, 'x', 3],
              ]),
            ],
          ],
        ],
        { order: ['c1', 'c2'] },
      );
      expect(r.written).toBe(2);
      expect(await h.rows('repdup')).toEqual([
        { id: '1', name: 'from-c2', qty: 2 },
        { id: '3', name: 'x', qty: 3 },
      ]);
    });

    it('merge into an existing table without a unique index on the key still resolves duplicates', async () => {
      await h.driver.query(`CREATE TABLE "${h.schema}".nouniq (id bigint, name text, qty integer)`);
      await h.driver.query(`INSERT INTO "${h.schema}".nouniq VALUES (1, 'old', 0), (2, 'keep', 0)`);
      const o = opts('nouniq', { incrementalStrategy: 'merge', primaryKey: ['id'] });
      await h.run(o, 'r1', [
        [
          'c1',
          [
            orders([
              [1, 'first', 1],
              [1, 'last', 2],
              [4, 'new', 4],
              [4, 'newer', 5],
            ]),
          ],
        ],
      ]);
      expect(await h.rows('nouniq')).toEqual([
        { id: '1', name: 'last', qty: 2 },
        { id: '2', name: 'keep', qty: 0 },
        { id: '4', name: 'newer', qty: 5 },
      ]);
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

    describeAtomicity(() => h);
    describeTypeRoundTrip(() => h);
    describeSourceContract(() => h);
  });
}
