/**
 * Secrets never leak: runs of `icefloe run --json` / `plan` / `validate` (child processes, as a user runs
 * them) with secrets set through `${ENV}` in instance secrets, successful and failing, then a scan of stdout,
 * stderr, every file under the run's folder and the sink's own tables for the secret values. Also: TLS is
 * asked of the driver when the depot says `sslmode=require`.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromDepot, poolOptions } from '../../core/connectors/postgres/config';
import type { PgDriver } from '../../core/connectors/postgres/driver';
import { generatorDepotYaml } from '../helpers/manifests';
import { dropSchema, openTestPg, uniqueSchema } from '../helpers/postgres';

jest.setTimeout(90_000);

const ROOT = join(__dirname, '..', '..');
const PASSWORD = `pw-${randomBytes(8).toString('hex')}`;
const URL_PASSWORD = `url-${randomBytes(8).toString('hex')}`;
const AWS_SECRET = `aws-${randomBytes(12).toString('hex')}`;
const SECRETS = [PASSWORD, URL_PASSWORD, AWS_SECRET];

let dir: string;
let driver: PgDriver;
let schema: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'icefloe-secrets-'));
  driver = openTestPg();
  schema = uniqueSchema('secrets');
});
afterAll(async () => {
  await dropSchema(driver, schema);
  await driver.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Manifests: generator → Postgres (password from env). `database` other than `test` fails at connect (not
 * retried, unlike a refused port); `viaUrl` puts the password in a connection-string secret, `badUrl` makes
 * that string malformed (the error quotes it, redacted).
 */
function scenario(name: string, opts: { database?: string; viaUrl?: boolean; badUrl?: boolean }): string {
  const port = opts.badUrl ? 'notaport' : '5432';
  const database = opts.database ?? 'test';
  const d = join(dir, name);
  require('node:fs').mkdirSync(d, { recursive: true });
  const data = opts.viaUrl
    ? `    url: postgresql://postgres:\${ICEFLOE_T_URL_PASSWORD}@127.0.0.1:${port}/${database}?sslmode=disable\n`
    : // biome-ignore lint/suspicious/noTemplateCurlyInString: the manifest's own ${ENV} syntax, as text
      '    username: postgres\n    password: ${ICEFLOE_T_PASSWORD}\n';
  writeFileSync(
    join(d, 'depots.yaml'),
    `${generatorDepotYaml(300, 4)}---
name: pg\nversion: v1\ntype: depot\ndepot:\n  type: postgresql\n  secrets:\n    - name: pg-rw\n      allkeys: true
  postgresql:\n    host: 127.0.0.1\n    port: 5432\n    database: ${database}\n    params:\n      sslmode: disable\n      connect_timeout: '3'\n---
name: pg-rw\nversion: v1\ntype: instance-secret\ninstance-secret:\n  type: key-value-properties\n  acl: rw\n  data:\n${data}---
name: lake\nversion: v1alpha\ntype: lakehouse\nlayer: user\nlakehouse:\n  type: iceberg\n  compute: runnable-default\n  iceberg:
    storage:\n      depotName: lake\n      type: s3\n      s3:\n        bucket: never-used\n        region: us-east-1\n        endpoint: http://127.0.0.1:1
      secrets:\n        - name: lake-rw\n          allkeys: true\n    metastore:\n      type: file\n---
name: lake-rw\nversion: v1\ntype: instance-secret\ninstance-secret:\n  type: key-value-properties\n  acl: rw\n  data:
    awsaccesskeyid: AKIAEXAMPLE\n    awssecretaccesskey: \${ICEFLOE_T_AWS_SECRET}\n`,
  );
  const wf = join(d, 'workflow.yaml');
  writeFileSync(
    wf,
    `name: secrets\nversion: v1\ntype: workflow\nworkspace: sec\nworkflow:\n  dag:\n    - name: load\n      spec:
        stack: nilus:1.0\n        logLevel: DEBUG\n        stackSpec:\n          source:\n            address: dataos://gen
            options:\n              source-table: sales.orders\n              page-size: 100\n          sink:\n            address: dataos://pg
            options:\n              dest-table: ${schema}.orders_${name}\n              incremental-strategy: merge\n              primary-key: order_id\n`,
  );
  return wf;
}

function icefloe(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'icefloe.js'), ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      ...process.env,
      ICEFLOE_T_PASSWORD: PASSWORD,
      ICEFLOE_T_URL_PASSWORD: URL_PASSWORD,
      ICEFLOE_T_AWS_SECRET: AWS_SECRET,
      AWS_SECRET_ACCESS_KEY: AWS_SECRET,
    },
  });
  return { code: r.status, out: `${r.stdout}\n${r.stderr}` };
}

/** Every file below `root` with its text (binary files too: a secret is bytes either way). */
function filesWithText(root: string): [string, string][] {
  return (readdirSync(root, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((e) => e.isFile())
    .map((e) => {
      const p = join((e as unknown as { parentPath: string }).parentPath, e.name);
      return [p, readFileSync(p).toString('latin1')];
    });
}

function expectNoSecret(where: string, text: string): void {
  for (const s of SECRETS) if (text.includes(s)) throw new Error(`secret ${s.slice(0, 4)}… found in ${where}`);
}

describe('secrets never appear in output, errors or files', () => {
  it('a successful run: --json summary, progress, staging and the sink tables hold no secret', async () => {
    const wf = scenario('ok', {});
    const r = icefloe(join(dir, 'ok'), 'run', wf, '--json', '--parallelism', '0');
    expect(r.out).toMatch(/"status": "succeeded"/);
    expect(r.code).toBe(0);
    expectNoSecret('run output', r.out);
    const plan = icefloe(join(dir, 'ok'), 'plan', wf);
    expect(plan.code).toBe(0);
    expectNoSecret('plan output', plan.out);
    const validate = icefloe(join(dir, 'ok'), 'validate', join(dir, 'ok'));
    expectNoSecret('validate output', validate.out);
    for (const [file, text] of filesWithText(join(dir, 'ok'))) expectNoSecret(file, text);
    const state = await driver.query(`SELECT * FROM "${schema}".icefloe_state`);
    expectNoSecret('icefloe_state rows', JSON.stringify(state.rows));
    const comments = await driver.query(
      `SELECT obj_description(c.oid, 'pg_class') AS c FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1`,
      [schema],
    );
    expectNoSecret('table comments', JSON.stringify(comments.rows));
  });

  it('failing runs (unknown database with a password; a malformed URL holding one) name no secret', () => {
    for (const [name, o] of [
      ['nodb', { database: 'no_such_db_icefloe' }],
      ['badurl', { viaUrl: true, badUrl: true }],
    ] as const) {
      const wf = scenario(name, o);
      const r = icefloe(join(dir, name), 'run', wf, '--json', '--parallelism', '0');
      expect(r.code).not.toBe(0);
      expect(r.out).toMatch(/error/i);
      expect(r.out).not.toMatch(/\n\s+at .*\.ts:\d+/); // no stack trace
      expectNoSecret(`${name} output`, r.out);
      for (const [file, text] of filesWithText(join(dir, name))) expectNoSecret(file, text);
    }
  });

  it('--verbose output of a failing run names no secret either', () => {
    const wf = scenario('verbose', { viaUrl: true, database: 'no_such_db_icefloe' });
    const r = icefloe(join(dir, 'verbose'), 'run', wf, '--parallelism', '0', '--verbose');
    expectNoSecret('verbose output', r.out);
  });
});

describe('TLS to Postgres when the depot asks for it', () => {
  it.each([
    ['require', { rejectUnauthorized: false }],
    ['verify-full', { rejectUnauthorized: true }],
  ])('sslmode=%s sets ssl on the driver options', (sslmode, expected) => {
    const cfg = fromDepot({ host: 'db.example', port: 5432, database: 'd', params: { sslmode } } as never, {
      username: 'u',
      password: PASSWORD,
    });
    expect(poolOptions(cfg as never).ssl).toMatchObject(expected);
  });

  it('sslmode in a connection-string secret is honoured, and disable turns TLS off', () => {
    const viaUrl = fromDepot({ host: 'h' } as never, { url: `postgresql://u:${PASSWORD}@h:5432/d?sslmode=require` });
    expect(poolOptions(viaUrl as never).ssl).toMatchObject({ rejectUnauthorized: false });
    expect(poolOptions({ host: 'h', params: { sslmode: 'disable' } }).ssl).toBe(false);
  });

  it('an unknown sslmode is a named error that does not echo the password', () => {
    let caught: unknown;
    try {
      poolOptions({ host: 'h', password: PASSWORD, params: { sslmode: 'sometimes' } });
    } catch (e) {
      caught = e;
    }
    expect((caught as Error)?.name).toBe('InvalidInputError');
    expectNoSecret('sslmode error', String((caught as Error).message));
  });
});
