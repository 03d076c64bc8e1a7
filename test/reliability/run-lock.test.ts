/**
 * Overlapping local runs of one workflow (`icefloe run`, two real processes) and its schedule's
 * `concurrencyPolicy` (core/engine/run-lock.ts), and the staging a killed run leaves behind.
 *
 * The first run reads a Postgres source table that the test holds an ACCESS EXCLUSIVE lock on, so it is
 * stuck in its plan (before any commit) for exactly as long as the test wants, without timing:
 * - Forbid: the second run exits 1 at once, with one line naming the workflow and the running run id;
 * - Allow: the second run says it waits, and runs after the first finished (both append: twice the rows);
 * - Replace: the second run stops the first (SIGTERM), which then starts no commit: the sink holds one run.
 * Killed run: a run moving generated chunks into a local Iceberg table is SIGKILLed once a chunk is staged;
 * the next run removes its staging folder and the table holds exactly one run.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import type { PgDriver } from '../../core/connectors/postgres/driver';
import { acquireRunLock, lockPathOf, removeStaleStagingAll } from '../../core/engine/run-lock';
import { catalogFromConfig } from '../../core/iceberg/catalog/from-config';
import { openTable } from '../../core/iceberg/table';
import type { WorkflowManifest } from '../../core/manifest/types';
import { FILE_LAKEHOUSE_YAML, generatorDepotYaml } from '../helpers/manifests';
import { dropSchema, openTestPg, uniqueSchema } from '../helpers/postgres';

jest.setTimeout(120_000);

const BIN = join(__dirname, '..', '..', 'bin', 'icefloe.js');
const ROWS = 300;
let driver: PgDriver;
let schema: string;
const dirs: string[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  driver = openTestPg();
  schema = uniqueSchema('runlock');
  await driver.query(`CREATE SCHEMA "${schema}"`);
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await dropSchema(driver, schema);
  await driver.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Proc {
  child: ChildProcess;
  out: string;
  err: string;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function icefloe(cwd: string, ...args: string[]): Proc {
  const child = spawn(process.execPath, [BIN, 'run', ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const p: Proc = {
    child,
    out: '',
    err: '',
    done: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))),
  };
  child.stdout?.on('data', (b: Buffer) => {
    p.out += b.toString();
  });
  child.stderr?.on('data', (b: Buffer) => {
    p.err += b.toString();
  });
  return p;
}

async function until(what: string, cond: () => boolean | Promise<boolean>, proc?: Proc): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (await cond()) return;
    if (proc && proc.child.exitCode !== null)
      throw new Error(`${what}: the process exited first (${proc.child.exitCode}): ${proc.err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what}: not within 60 s`);
}

/** A workflow folder: Postgres source table `src_<tag>` → Postgres table `dst_<tag>`, append. */
function pgWorkflow(tag: string, policy: string): string {
  const dir = mkdtempSync(join(tmpdir(), `icefloe-runlock-${tag}-`));
  dirs.push(dir);
  writeFileSync(
    join(dir, 'depots.yaml'),
    `name: pg
version: v1
type: depot
depot:
  type: postgresql
  secrets:
    - name: pg-rw
      allkeys: true
  postgresql:
    host: 127.0.0.1
    port: 5432
    database: test
    params:
      sslmode: disable
      application_name: icefloe-runlock
---
name: pg-rw
version: v1
type: instance-secret
instance-secret:
  type: key-value-properties
  acl: rw
  data:
    username: postgres
    password: ''
`,
  );
  writeFileSync(
    join(dir, 'workflow.yaml'),
    `name: locked-${tag}
version: v1
type: workflow
workspace: rl
workflow:
  schedule:
    cron: '0 3 * * *'
    concurrencyPolicy: ${policy}
  dag:
    - name: load
      spec:
        stack: nilus:1.0
        stackSpec:
          source:
            address: dataos://pg
            options:
              source-table: ${schema}.src_${tag}
          sink:
            address: dataos://pg
            options:
              dest-table: ${schema}.dst_${tag}
              incremental-strategy: append
`,
  );
  return dir;
}

async function sourceTable(tag: string): Promise<void> {
  await driver.query(`CREATE TABLE "${schema}"."src_${tag}" (id int primary key, v text)`);
  await driver.query(`INSERT INTO "${schema}"."src_${tag}" SELECT g, 'row ' || g FROM generate_series(1, ${ROWS}) g`);
}

/** Holds an ACCESS EXCLUSIVE lock on the source table until `release()`. */
async function lockSource(tag: string): Promise<{ release(): Promise<void> }> {
  const c = new Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });
  await c.connect();
  await c.query('BEGIN');
  await c.query(`LOCK TABLE "${schema}"."src_${tag}" IN ACCESS EXCLUSIVE MODE`);
  return {
    async release() {
      await c.query('COMMIT');
      await c.end();
    },
  };
}

/** True once a session of the runs waits for the test's lock (the first run is stuck before its commit). */
async function runBlocked(): Promise<boolean> {
  const r = await driver.query(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'icefloe-runlock' AND wait_event_type = 'Lock'`,
  );
  return Number(r.rows[0]?.n) > 0;
}

async function rowsOf(tag: string): Promise<number> {
  const r = await driver.query(`SELECT count(*)::int AS n FROM "${schema}"."dst_${tag}"`).catch(() => ({
    rows: [{ n: -1 }],
  }));
  return Number(r.rows[0]?.n);
}

const lockInfo = (dir: string, tag: string) =>
  JSON.parse(readFileSync(join(dir, '.icefloe', 'locks', `rl.locked-${tag}.lock`), 'utf8')) as {
    runId: string;
    pid: number;
  };

const summaryOf = (p: Proc) => JSON.parse(p.out) as { runId: string; status: string };

describe('concurrencyPolicy of overlapping local runs (two processes)', () => {
  it('Forbid: the second run fails at once naming the workflow and the running run; the first completes', async () => {
    const tag = 'forbid';
    await sourceTable(tag);
    const dir = pgWorkflow(tag, 'Forbid');
    const lock = await lockSource(tag);
    const first = icefloe(dir, 'workflow.yaml', '--json', '--parallelism', '0');
    try {
      await until('the first run waits on the source lock', runBlocked, first);
      const running = lockInfo(dir, tag);
      expect(running.pid).toBe(first.child.pid);
      const second = icefloe(dir, 'workflow.yaml', '--json', '--parallelism', '0');
      const r = await second.done;
      expect(r.code).toBe(1);
      const lines = second.err.split('\n').filter((l) => l.startsWith('error:'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`workflow rl.locked-${tag} is already running (run ${running.runId}`);
      expect(lines[0]).toContain('concurrencyPolicy is Forbid');
      expect(second.out).toBe('');
    } finally {
      await lock.release();
    }
    expect((await first.done).code).toBe(0);
    expect(summaryOf(first).status).toBe('succeeded');
    expect(await rowsOf(tag)).toBe(ROWS);
    expect(existsSync(join(dir, '.icefloe', 'locks', `rl.locked-${tag}.lock`))).toBe(false);
  });

  it('Allow: the second run waits, then runs after the first (both commit, never interleaved)', async () => {
    const tag = 'allow';
    await sourceTable(tag);
    const dir = pgWorkflow(tag, 'Allow');
    const lock = await lockSource(tag);
    const first = icefloe(dir, 'workflow.yaml', '--json', '--parallelism', '0');
    let second: Proc | undefined;
    try {
      await until('the first run waits on the source lock', runBlocked, first);
      const running = lockInfo(dir, tag);
      second = icefloe(dir, 'workflow.yaml', '--json', '--parallelism', '0');
      const s = second;
      await until('the second run says it waits', () => s.err.includes(`waiting for run ${running.runId}`), s);
      expect(s.child.exitCode).toBeNull();
      expect(await rowsOf(tag)).toBe(-1); // nothing committed yet: the first run is stuck in its plan
    } finally {
      await lock.release();
    }
    const [a, b] = await Promise.all([first.done, second?.done]);
    expect(a.code).toBe(0);
    expect(b?.code).toBe(0);
    // append twice, one after the other: had they overlapped, one commit would be refused (ConcurrentRunError)
    expect(await rowsOf(tag)).toBe(2 * ROWS);
    expect(summaryOf(first).runId).not.toBe(summaryOf(second as Proc).runId);
  });

  it('Replace: the second run stops the first (SIGTERM), which commits nothing; the sink holds one run', async () => {
    const tag = 'replace';
    await sourceTable(tag);
    const dir = pgWorkflow(tag, 'Replace');
    const lock = await lockSource(tag);
    const first = icefloe(dir, 'workflow.yaml', '--json', '--parallelism', '0');
    let second: Proc | undefined;
    try {
      await until('the first run waits on the source lock', runBlocked, first);
      const running = lockInfo(dir, tag);
      second = icefloe(dir, 'workflow.yaml', '--json', '--parallelism', '0');
      const s = second;
      await until(
        'the second run says it replaces the first',
        () => s.err.includes(`replacing run ${running.runId}`),
        s,
      );
      await until('the first run got SIGTERM', () => first.err.includes('SIGTERM received'), first);
    } finally {
      // the first run may now finish its plan: it must start neither a move nor a commit
      await lock.release();
    }
    const a = await first.done;
    expect(a.code).not.toBe(0);
    const b = await second?.done;
    expect(b?.code).toBe(0);
    expect(summaryOf(second as Proc).status).toBe('succeeded');
    expect(await rowsOf(tag)).toBe(ROWS);
  });
});

describe('staging of a killed run', () => {
  it('a run SIGKILLed mid-move leaves staging; the next run removes it and the table is right', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'icefloe-runlock-kill-'));
    dirs.push(dir);
    const rows = 200_000;
    writeFileSync(join(dir, 'depots.yaml'), `${generatorDepotYaml(rows, 3)}---\n${FILE_LAKEHOUSE_YAML}`);
    writeFileSync(
      join(dir, 'workflow.yaml'),
      `name: killed\nversion: v1\ntype: workflow\nworkspace: rl\nworkflow:\n  dag:\n    - name: load\n      spec:
        stack: nilus:1.0
        stackSpec:
          source:
            address: dataos://gen
            options:
              source-table: sales.orders
              page-size: 2000
          sink:
            address: dataos://lake
            options:
              dest-table: sales.orders
              incremental-strategy: append
`,
    );
    const jobDir = join(dir, '.icefloe', 'staging', 'rl.killed.load');
    const stagedOf = (run: string) => {
      try {
        return readdirSync(join(jobDir, run, 'staged')).length;
      } catch {
        return 0;
      }
    };
    const runs = () => (existsSync(jobDir) ? readdirSync(jobDir) : []);
    const first = icefloe(dir, 'workflow.yaml', '--json', '--parallelism', '0');
    await until('a chunk of the first run is staged', () => runs().some((r) => stagedOf(r) > 0), first);
    first.child.kill('SIGKILL');
    await first.done;
    const [killed] = runs();
    expect(killed).toBeDefined();
    expect(stagedOf(killed as string)).toBeLessThan(rows / 2000); // it died mid-move
    expect(existsSync(join(dir, '.icefloe', 'locks', 'rl.killed.lock'))).toBe(true); // a stale lock

    const second = icefloe(dir, 'workflow.yaml', '--json', '--parallelism', '0');
    const r = await second.done;
    expect(r.code).toBe(0);
    expect(second.err).toContain(`removed the staging of 1 killed run(s): rl.killed.load/${killed}`);
    expect(runs()).not.toContain(killed); // the killed run's staging is gone
    const left = (d: string): string[] =>
      readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? left(join(d, e.name)) : [e.name]));
    expect(left(jobDir)).toEqual([]); // and the second run dropped its own files (empty folders may stay)
    const catalog = catalogFromConfig({ type: 'file', warehouse: join(dir, 'warehouse') });
    const { metadataLocation } = await catalog.loadTable({ namespace: ['sales'], name: 'orders' });
    const t = await openTable(metadataLocation);
    let n = 0;
    let keySum = 0n;
    for await (const b of (await t.scan({ columns: ['order_id'] })).batches())
      for (const row of b) {
        n++;
        keySum += BigInt(row.order_id as bigint);
      }
    expect(n).toBe(rows);
    expect(keySum).toBe(BigInt((rows * (rows + 1)) / 2));
  });
});

describe('run lock and stale staging, in process', () => {
  const wf = (name: string, policy?: 'Allow' | 'Forbid' | 'Replace') =>
    ({
      name,
      workspace: 'rl',
      type: 'workflow',
      workflow: {
        dag: [{ name: 'load' }],
        ...(policy ? { schedule: { cron: '0 3 * * *', concurrencyPolicy: policy } } : {}),
      },
    }) as unknown as WorkflowManifest;

  it('a lock of a dead pid is taken over; a live one is honoured (Forbid names the run)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'icefloe-runlock-unit-'));
    dirs.push(root);
    const w = wf('unit', 'Forbid');
    const path = lockPathOf(root, w);
    mkdirSync(dirname(path), { recursive: true });
    // a dead process: a child that has exited
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => dead.on('exit', r));
    writeFileSync(path, JSON.stringify({ workflow: 'rl.unit', runId: 'r-dead', pid: dead.pid, startedAt: 'x' }));
    const lock = await acquireRunLock({ stagingRoot: root, workflow: w, runId: 'r-new' });
    expect(JSON.parse(readFileSync(path, 'utf8')).runId).toBe('r-new');
    await expect(acquireRunLock({ stagingRoot: root, workflow: w, runId: 'r-third' })).rejects.toThrow(
      /workflow rl\.unit is already running \(run r-new, pid \d+/,
    );
    lock.release();
    expect(existsSync(path)).toBe(false);
  });

  it('removeStaleStagingAll keeps the staging of a running workflow and removes the rest', async () => {
    const root = mkdtempSync(join(tmpdir(), 'icefloe-runlock-unit-'));
    dirs.push(root);
    for (const job of ['rl.running.load', 'rl.gone.load']) {
      mkdirSync(join(root, 'staging', job, 'run-1'), { recursive: true });
      writeFileSync(join(root, 'staging', job, 'run-1', 'chunks.json'), '[]');
    }
    const lock = await acquireRunLock({ stagingRoot: root, workflow: wf('running'), runId: 'run-2' });
    try {
      expect(await removeStaleStagingAll(root)).toEqual(['rl.gone.load/run-1']);
      expect(existsSync(join(root, 'staging', 'rl.running.load', 'run-1', 'chunks.json'))).toBe(true);
    } finally {
      lock.release();
    }
    expect(await removeStaleStagingAll(root)).toEqual(['rl.running.load/run-1']);
  });

  it('the empty folders a finished run leaves are removed without being reported as a killed run', async () => {
    const root = mkdtempSync(join(tmpdir(), 'icefloe-runlock-unit-'));
    dirs.push(root);
    mkdirSync(join(root, 'staging', 'rl.done.load', 'run-1', 'chunks'), { recursive: true });
    expect(await removeStaleStagingAll(root)).toEqual([]);
    expect(existsSync(join(root, 'staging', 'rl.done.load'))).toBe(false);
  });
});
