/**
 * `query:` sources are one read-only statement (known failure 3): checked on PGlite, the embedded driver.
 * The server (pg) side is covered by test/reliability/injection.test.ts.
 */

import type { PgDriver } from '../../../core/connectors/postgres/driver';
import { PostgresSource } from '../../../core/connectors/postgres/source';
import { IcefloeError, InvalidInputError } from '../../../core/errors';
import { openTestPglite } from '../../helpers/postgres';

jest.setTimeout(60_000);

let db: PgDriver;
beforeAll(async () => {
  db = await openTestPglite();
  await db.query('CREATE TABLE canary (id int)');
  await db.query('INSERT INTO canary VALUES (1)');
});
afterAll(() => db.close());

const ctx = { jobId: 'j', runId: 'r' };
const plan = (q: string) => new PostgresSource(db).plan(ctx, { sourceTable: `query:${q}` }, undefined);
const canary = async () => (await db.query('SELECT count(*)::int AS n FROM canary')).rows[0]?.n;

describe('query: sources', () => {
  it.each([
    'select 1 as a; drop table canary',
    'select 1 as a) as icefloe_q; drop table canary; select * from (select 1 as a',
    'with d as (delete from canary returning id) select id from d',
  ])('%s is refused with a named error and writes nothing', async (q) => {
    await expect(plan(q)).rejects.toBeInstanceOf(IcefloeError);
    expect(await canary()).toBe(1);
  });

  it('names a second statement smuggled past the parentheses', async () => {
    await expect(plan('select 1 as a) as q; drop table canary; select * from (select 1 as a')).rejects.toThrow(
      InvalidInputError,
    );
  });

  it('plans and reads an ordinary query', async () => {
    const o = { sourceTable: 'query:select id, id * 2 as twice from canary' };
    const source = new PostgresSource(db);
    const p = await source.plan(ctx, o, undefined);
    let rows = 0;
    for (const c of p.chunks) for await (const b of source.read(ctx, o, c)) rows += b.numRows;
    expect(rows).toBe(1);
  });
});
