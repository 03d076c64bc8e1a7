/**
 * TLS to Postgres when the depot asks for it, against real servers: a throwaway TLS-enabled PostgreSQL on
 * 127.0.0.1 (initdb into a temp folder, `ssl=on` with a CA and a server certificate made by openssl there;
 * run as the `postgres` user when the tests run as root, since postgres refuses root) and the main
 * 127.0.0.1:5432 server, which has `ssl=off`.
 *
 * The connection is built the way a run builds it: depot + instance-secret manifests → loadManifests →
 * depotSecret → fromDepot → the pg pool. Checked with `select ssl from pg_stat_ssl where pid = pg_backend_pid()`.
 * Skipped (with the reason) only when the PostgreSQL server binaries or openssl are not installed.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromDepot, type PostgresServerConfig } from '../../core/connectors/postgres/config';
import type { PgDriver } from '../../core/connectors/postgres/driver';
import { openPgPool } from '../../core/connectors/postgres/pg-driver';
import { allDepots } from '../../core/manifest';
import { loadManifests } from '../../core/manifest/load';
import { depotSecret } from '../../core/movement/bindings/secrets';

jest.setTimeout(60_000);

/** The newest installed PostgreSQL server binaries (15 on this machine), or undefined. */
function pgBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')) && existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : undefined;
}

function which(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const BIN = pgBin();
const missing = !BIN
  ? 'PostgreSQL server binaries (initdb, pg_ctl under /usr/lib/postgresql/*/bin)'
  : !which('openssl')
    ? 'openssl'
    : undefined;
if (missing) process.stderr.write(`pg-tls.test.ts skipped: ${missing} not installed\n`);
const describeTls = missing ? describe.skip : describe;

const asRoot = process.getuid?.() === 0;
let dir = '';
let port = 0;
let started = false;

/** Runs a PostgreSQL binary, as the postgres user when we are root. */
function pg(cmd: string, args: string[]): string {
  const bin = join(BIN as string, cmd);
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  return execFileSync(file, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
}

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], timeout: 20_000 });
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const p = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return p;
}

function stopCluster(): void {
  if (!started) return;
  started = false;
  try {
    pg('pg_ctl', ['-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop']);
  } catch {
    // already down
  }
}

beforeAll(async () => {
  if (missing) return;
  dir = mkdtempSync(join(tmpdir(), 'icefloe-pgtls-'));
  // a CA, and a server certificate it signs for 127.0.0.1 / localhost
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=icefloe test CA',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
  );
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'san.ext',
    '-out',
    'server.crt',
  );
  chmodSync(join(dir, 'server.key'), 0o600);
  chmodSync(dir, 0o755);
  if (asRoot) {
    const { uid, gid } = userIds('postgres');
    chownSync(dir, uid, gid);
    for (const f of ['server.key', 'server.crt', 'ca.crt']) chownSync(join(dir, f), uid, gid);
  }
  pg('initdb', ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  port = await freePort();
  const opts = [
    `-p ${port}`,
    "-c listen_addresses='127.0.0.1'",
    `-c unix_socket_directories='${dir}'`,
    '-c ssl=on',
    `-c ssl_cert_file='${join(dir, 'server.crt')}'`,
    `-c ssl_key_file='${join(dir, 'server.key')}'`,
    '-c fsync=off',
  ].join(' ');
  started = true;
  pg('pg_ctl', ['-D', join(dir, 'data'), '-l', join(dir, 'server.log'), '-o', opts, '-w', '-t', '30', 'start']);
});

afterAll(() => {
  stopCluster();
  if (dir) rmSync(dir, { recursive: true, force: true });
});
// also when jest is interrupted
process.once('exit', stopCluster);

function userIds(name: string): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** A driver from a depot manifest with these connection fields and params, as a run opens it. */
async function depotDriver(name: string, p: number, params: Record<string, string>): Promise<PgDriver> {
  const mdir = mkdtempSync(join(dir || tmpdir(), `m-${name}-`));
  const paramLines = Object.entries(params)
    .map(([k, v]) => `      ${k}: '${v}'`)
    .join('\n');
  writeFileSync(
    join(mdir, 'depot.yaml'),
    `name: ${name}
version: v1
type: depot
depot:
  type: postgresql
  secrets:
    - name: ${name}-r
      allkeys: true
  postgresql:
    host: 127.0.0.1
    port: ${p}
    database: postgres
    params:
      application_name: icefloe-tls-test
      connect_timeout: '5'
${paramLines}
---
name: ${name}-r
version: v1
type: instance-secret
instance-secret:
  type: key-value-properties
  acl: r
  data:
    username: postgres
    password: ''
`,
  );
  const { set, problems } = await loadManifests([mdir]);
  expect(problems).toEqual([]);
  const depot = allDepots(set).find((d) => d.name === name);
  const spec = depot?.depot.postgresql;
  if (!depot || !spec) throw new Error(`no depot ${name}`);
  return openPgPool({ ...(fromDepot(spec, depotSecret(set, depot, 'r')) as PostgresServerConfig), maxConnections: 1 });
}

async function sslInUse(d: PgDriver): Promise<boolean> {
  const r = await d.query('select ssl from pg_stat_ssl where pid = pg_backend_pid()');
  return r.rows[0]?.ssl === true;
}

describeTls('TLS to a real TLS-enabled PostgreSQL (throwaway cluster)', () => {
  it('sslmode=require: the session is encrypted', async () => {
    const d = await depotDriver('tlsrequire', port, { sslmode: 'require' });
    try {
      expect(await sslInUse(d)).toBe(true);
    } finally {
      await d.close();
    }
  });

  it('sslmode=verify-full with the CA (sslrootcert): the session is encrypted and the server verified', async () => {
    const d = await depotDriver('tlsverify', port, { sslmode: 'verify-full', sslrootcert: join(dir, 'ca.crt') });
    try {
      expect(await sslInUse(d)).toBe(true);
    } finally {
      await d.close();
    }
  });

  it('sslmode=verify-full without the CA: refused, the certificate is not trusted', async () => {
    const d = await depotDriver('tlsnoca', port, { sslmode: 'verify-full' });
    try {
      await expect(d.query('select 1')).rejects.toThrow(/self[- ]signed certificate|unable to verify/i);
    } finally {
      await d.close();
    }
  });

  it('sslmode=disable on the same server: a plain session (the check above is not always true)', async () => {
    const d = await depotDriver('tlsoff', port, { sslmode: 'disable' });
    try {
      expect(await sslInUse(d)).toBe(false);
    } finally {
      await d.close();
    }
  });

  it('a depot asking for TLS fails clearly against the non-TLS server at 127.0.0.1:5432', async () => {
    for (const sslmode of ['require', 'verify-full']) {
      const d = await depotDriver(`plain${sslmode.replace('-', '')}`, 5432, { sslmode });
      try {
        let caught: unknown;
        await d.query('select 1').catch((e) => {
          caught = e;
        });
        expect(caught).toBeInstanceOf(Error);
        const e = caught as Error;
        expect(e.name).not.toMatch(/^(TypeError|RangeError|Error)$/);
        expect(e.message).toMatch(/does not support SSL/i);
        // (the message does not name the server: the connector's wrapError does not add it)
      } finally {
        await d.close();
      }
    }
  });
});
