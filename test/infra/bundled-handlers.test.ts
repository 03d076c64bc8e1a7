/**
 * The task-function bundles themselves (esbuild with the construct's settings: ES builds first, PGlite replaced by
 * its stand-in, …) run the seed workflow against servers (examples/quickstart-server: the real PostgreSQL on
 * 127.0.0.1:5432, s3rver for the warehouse and the staging bucket), each Task of the state machine bound to a
 * bundle's handler. The bundles run in a plain Node process (run-bundled.ts, bundled too), as on Lambda. The Glue
 * catalog, which the seed workflow does not use here, is checked through the bundles' Glue client (glue-probe.ts).
 */
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import type { PgDriver } from '../../core/connectors/postgres/driver';
import {
  parquetWasmPath,
  type TaskName,
  taskBuildOptions,
  taskBundleSettings,
} from '../../lib/constructs/task-function';
import { dropSchema, openTestPg, uniqueSchema } from '../helpers/postgres';
import { S3RVER_CREDENTIALS, type S3Server, startS3Server } from '../helpers/s3-server';

const ROOT = join(__dirname, '..', '..');
const TASKS: TaskName[] = ['plan', 'move', 'commit', 'cleanup'];
const ROWS = 2000;
const WORKFLOW = 'nb-lh-aws-test-01';
const exec = promisify(execFile);

jest.setTimeout(300_000); // four bundles, then two runs in child processes on a shared machine

describe('the task-function bundles run the seed workflow', () => {
  let dir: string;
  let s3: S3Server;
  let pg: PgDriver;
  const schema = uniqueSchema('bundled');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'icefloe-bundled-'));
    s3 = await startS3Server();
    pg = openTestPg();
    const manifests = join(dir, 'manifests');
    cpSync(join(ROOT, 'examples', 'quickstart-server'), manifests, {
      recursive: true,
      filter: (p) => !p.endsWith('.icefloe'),
    });
    const edit = (file: string, f: (text: string) => string) =>
      writeFileSync(join(manifests, file), f(readFileSync(join(manifests, file), 'utf8')));
    edit('depots.yaml', (t) => t.replace(/rows: \d+/, `rows: ${ROWS}`));
    edit('lakehouse.yaml', (t) =>
      t.replace('bucket: icefloe-quickstart', `bucket: ${s3.bucket}`).replace('http://127.0.0.1:4568', s3.endpoint),
    );
    edit('workflow.yaml', (t) => t.replace('dest-table: retail.orders', `dest-table: ${schema}.orders`));
    // the same workflow, its sink an embedded database: not bundled, so it must fail with one clear error
    const embedded = join(dir, 'embedded');
    cpSync(manifests, embedded, { recursive: true });
    writeFileSync(
      join(embedded, 'depots.yaml'),
      readFileSync(join(embedded, 'depots.yaml'), 'utf8').replace(
        /host: 127\.0\.0\.1\n\s+port: 5432/,
        `embedded:\n      path: ${join(dir, 'pg')}`,
      ),
    );
    for (const task of TASKS) {
      const out = join(dir, 'bundles', task);
      mkdirSync(out, { recursive: true });
      await build({ ...taskBuildOptions(task), outfile: join(out, 'index.js'), logLevel: 'error' });
      copyFileSync(parquetWasmPath(), join(out, 'parquet_wasm_bg.wasm'));
    }
    await build({
      ...taskBuildOptions('plan'),
      entryPoints: [join(__dirname, 'glue-probe.ts')],
      outfile: join(dir, 'glue-probe.js'),
      logLevel: 'error',
    });
    await build({
      entryPoints: [join(__dirname, 'run-bundled.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: join(dir, 'run-bundled.js'),
      logLevel: 'error',
    });
  });

  afterAll(async () => {
    await dropSchema(pg, schema);
    await pg.close();
    await s3.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(manifests: string): Promise<{ status: string; output?: unknown; error?: string }> {
    const env = {
      ...process.env,
      ICEFLOE_MANIFESTS: join(dir, manifests),
      STAGING_BUCKET: s3.bucket,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      NODE_OPTIONS: taskBundleSettings().nodeOptions,
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    };
    const args = [join(dir, 'run-bundled.js'), join(dir, 'bundles'), WORKFLOW];
    const { stdout } = await exec(process.execPath, args, { env, cwd: dir, timeout: 120_000 }).catch((err) => {
      throw new Error(`run-bundled failed: ${(err as { stderr?: string }).stderr ?? err}`);
    });
    return JSON.parse(stdout.trim().split('\n').pop() as string);
  }

  it('moves every generated order into PostgreSQL, and a re-run changes nothing', async () => {
    const first = await run('manifests');
    expect(first).toMatchObject({ status: 'succeeded' });
    const expected = [ROWS, String((ROWS * (ROWS + 1)) / 2)];
    expect((await pg.queryArrays(`SELECT count(*)::int, sum(order_id)::text FROM ${schema}.orders`))[0]).toEqual(
      expected,
    );
    expect(await run('manifests')).toMatchObject({ status: 'succeeded' });
    expect((await pg.queryArrays(`SELECT count(*)::int, sum(order_id)::text FROM ${schema}.orders`))[0]).toEqual(
      expected,
    );
  });

  it("reaches Glue through the bundles' trimmed Glue client (requests sent, answers and errors read)", async () => {
    const { stdout } = await exec(process.execPath, [join(dir, 'glue-probe.js')], { timeout: 60_000 });
    expect(JSON.parse(stdout.trim().split('\n').pop() as string)).toEqual({
      namespaces: [['sales'], ['retail']],
      exists: false,
      targets: ['AWSGlue.GetDatabases', 'AWSGlue.GetDatabase'],
    });
  });

  it('fails with one clear error when a depot asks for the embedded database (PGlite is not bundled)', async () => {
    const r = await run('embedded');
    expect(r.status).toBe('failed');
    expect(r.error).toContain('the embedded database runs only with `icefloe run`');
  });
});
