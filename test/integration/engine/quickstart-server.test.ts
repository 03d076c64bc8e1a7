/**
 * The quickstart with the same workflow against servers: the real PostgreSQL on 127.0.0.1:5432 and an
 * S3-compatible server (s3rver) holding the warehouse (examples/quickstart-server, with this test's bucket,
 * endpoint and target schema). The CLI runs in a child process, as a user runs it.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { PgDriver } from '../../../core/connectors/postgres/driver';
import type { RunSummary } from '../../../core/engine';
import { dropSchema, openTestPg, uniqueSchema } from '../../helpers/postgres';
import { type S3Server, startS3Server } from '../../helpers/s3-server';

const ROOT = join(__dirname, '..', '..', '..');
const exec = promisify(execFile);
const ROWS = 2000;

jest.setTimeout(240_000); // the CLI runs in child processes

describe('quickstart against PostgreSQL and an S3-compatible server', () => {
  let dir: string;
  let s3: S3Server;
  let pg: PgDriver;
  const schema = uniqueSchema('qs_server');

  beforeAll(async () => {
    s3 = await startS3Server();
    pg = openTestPg();
    dir = mkdtempSync(join(tmpdir(), 'icefloe-qs-server-'));
    cpSync(join(ROOT, 'examples', 'quickstart-server'), dir, {
      recursive: true,
      filter: (p) => !p.endsWith('.icefloe'),
    });
    const edit = (file: string, f: (text: string) => string) =>
      writeFileSync(join(dir, file), f(readFileSync(join(dir, file), 'utf8')));
    edit('depots.yaml', (t) => t.replace(/rows: \d+/, `rows: ${ROWS}`));
    edit('lakehouse.yaml', (t) =>
      t.replace('bucket: icefloe-quickstart', `bucket: ${s3.bucket}`).replace('http://127.0.0.1:4568', s3.endpoint),
    );
    edit('workflow.yaml', (t) => t.replace('dest-table: retail.orders', `dest-table: ${schema}.orders`));
  });
  afterAll(async () => {
    await dropSchema(pg, schema);
    await pg.close();
    await s3.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(): Promise<RunSummary> {
    const args = [join(ROOT, 'bin', 'icefloe.js'), 'run', 'workflow.yaml', '--json', '--parallelism', '2'];
    const { stdout } = await exec(process.execPath, args, { cwd: dir, timeout: 120_000 }).catch((err) => {
      throw new Error(`icefloe run failed: ${(err as { stderr?: string }).stderr ?? err}`);
    });
    return JSON.parse(stdout) as RunSummary;
  }

  it('moves every generated order and re-runs writing nothing', async () => {
    const first = await run();
    expect(first.jobs.map((j) => [j.job, j.status, j.rowsWritten])).toEqual([
      ['load-orders', 'succeeded', ROWS],
      ['nb-job-01', 'succeeded', ROWS],
    ]);
    const rows = await pg.queryArrays(`SELECT count(*)::int, sum(order_id)::text FROM ${schema}.orders`);
    expect(rows[0]).toEqual([ROWS, String((ROWS * (ROWS + 1)) / 2)]);
    const second = await run();
    expect(second.jobs.map((j) => [j.chunks, j.rowsWritten])).toEqual([
      [0, 0],
      [0, 0],
    ]);
  });
});
