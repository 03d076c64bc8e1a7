/**
 * Storage faults: S3FileIO and a whole Iceberg run (generator → lakehouse on S3) through the fault proxy in
 * front of s3rver. At a 20% fault rate (503 SlowDown, 500, resets, slow answers) everything completes with
 * the right bytes and rows; at 100% the run fails with a named, retryable error and the table is unchanged.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunSummary, runWorkflowLocally } from '../../core/engine';
import { loadWorkflow } from '../../core/engine/load-workflow';
import { TransientError } from '../../core/errors';
import { catalogFromConfig } from '../../core/iceberg/catalog/from-config';
import { S3FileIO } from '../../core/iceberg/io/s3';
import { openTable } from '../../core/iceberg/table';
import { allDepots } from '../../core/manifest';
import { catalogConfigOf } from '../../core/movement/bindings/lakehouse';
import { type FaultProxy, startFaultProxy } from '../helpers/fault-proxy';
import { generatorDepotYaml } from '../helpers/manifests';
import { type S3Server, s3ConfigFor, startS3Server } from '../helpers/s3-server';

jest.setTimeout(60_000);

const savedEnv = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
let s3: S3Server;
let proxy: FaultProxy;
let dir: string;

beforeAll(async () => {
  // No AWS variables: the depot secret must be what reaches S3.
  delete process.env.AWS_ACCESS_KEY_ID;
  delete process.env.AWS_SECRET_ACCESS_KEY;
  s3 = await startS3Server();
  proxy = await startFaultProxy({ target: s3.endpoint, rate: 0.2, seed: 11 });
  dir = mkdtempSync(join(tmpdir(), 'icefloe-s3-faults-'));
});
afterAll(async () => {
  for (const [k, v] of [
    ['AWS_ACCESS_KEY_ID', savedEnv.id],
    ['AWS_SECRET_ACCESS_KEY', savedEnv.secret],
  ] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await proxy?.stop();
  await s3?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const bytesOf = (i: number) => new Uint8Array(Buffer.from(`object ${i} `.repeat(200 + i)));

describe('S3FileIO through the fault proxy', () => {
  it('writes, reads (whole and ranged), lists and deletes correctly at a 20% fault rate', async () => {
    proxy.setRate(0.2);
    const io = new S3FileIO({ ...s3ConfigFor(proxy.endpoint), baseDelayMs: 5, maxAttempts: 8 });
    const base = `s3://${s3.bucket}/io`;
    const before = { ...proxy.stats.faults };
    for (let i = 0; i < 25; i++) await io.write(`${base}/f${i}`, bytesOf(i));
    for (let i = 0; i < 25; i++) {
      expect(Buffer.from(await io.read(`${base}/f${i}`)).equals(Buffer.from(bytesOf(i)))).toBe(true);
      const part = await io.read(`${base}/f${i}`, { offset: 3, length: 10 });
      expect(Buffer.from(part).toString()).toBe(Buffer.from(bytesOf(i).subarray(3, 13)).toString());
    }
    const listed: string[] = [];
    for await (const f of io.list(`${base}/`)) listed.push(f.path);
    expect(listed).toHaveLength(25);
    for (let i = 0; i < 25; i++) await io.delete(`${base}/f${i}`);
    const injected = Object.entries(proxy.stats.faults).reduce(
      (n, [k, v]) => n + v - (before[k as keyof typeof before] ?? 0),
      0,
    );
    expect(injected).toBeGreaterThan(5);
    io.client.destroy();
  });

  it('fails with a named retryable error when every request fails', async () => {
    proxy.setRate(1);
    proxy.setFaults(['slowdown', 'internal', 'reset']);
    const io = new S3FileIO({ ...s3ConfigFor(proxy.endpoint), baseDelayMs: 5, maxAttempts: 3 });
    await expect(io.write(`s3://${s3.bucket}/io/never`, bytesOf(1))).rejects.toBeInstanceOf(TransientError);
    await expect(io.read(`s3://${s3.bucket}/io/never`)).rejects.toBeInstanceOf(TransientError);
    io.client.destroy();
    proxy.setFaults(['slowdown', 'internal', 'reset', 'slow']);
  });
});

function writeScenario(seed: number, rows: number, table = 'orders'): string {
  writeFileSync(
    join(dir, 'depots.yaml'),
    `${generatorDepotYaml(rows, seed)}---
name: lake
version: v1alpha
type: lakehouse
layer: user
lakehouse:
  type: iceberg
  compute: runnable-default
  iceberg:
    storage:
      depotName: lake
      type: s3
      s3:
        bucket: ${s3.bucket}
        relativePath: /warehouse
        region: us-east-1
        endpoint: ${proxy.endpoint}
      secrets:
        - name: lake-rw
          allkeys: true
    metastore:
      type: file
---
name: lake-rw
version: v1
type: instance-secret
layer: user
instance-secret:
  type: key-value-properties
  acl: rw
  data:
    awsaccesskeyid: S3RVER
    awssecretaccesskey: S3RVER
`,
  );
  const wf = join(dir, 'workflow.yaml');
  writeFileSync(
    wf,
    `name: s3faults\nversion: v1\ntype: workflow\nworkspace: chaos\nworkflow:\n  dag:\n    - name: load\n      spec:
        stack: nilus:1.0
        stackSpec:
          source:
            address: dataos://gen
            options:
              source-table: sales.orders
              page-size: 300
          sink:
            address: dataos://lake
            options:
              dest-table: sales.${table}
              incremental-strategy: merge
              primary-key: order_id
`,
  );
  return wf;
}

async function run(wf: string): Promise<RunSummary> {
  const { set, workflow } = await loadWorkflow(wf);
  return runWorkflowLocally({
    manifests: set,
    workflow,
    stagingRoot: join(dir, '.icefloe'),
    parallelism: 0,
    retryIntervalMs: 10,
  });
}

/**
 * Rows and key sum of the table as committed (the catalog's current metadata file), read without the proxy.
 * The folder reader may lag when a lost reply hit the version-hint write (docs/reliability.md, failure 6).
 */
async function tableRows(table = 'orders'): Promise<{ rows: number; keySum: bigint; snapshot?: bigint }> {
  const io = new S3FileIO(s3ConfigFor(s3.endpoint));
  const catalog = catalogFromConfig({
    type: 'file',
    warehouse: `s3://${s3.bucket}/warehouse`,
    io: { s3: s3ConfigFor(s3.endpoint) },
  });
  const { metadataLocation } = await catalog.loadTable({ namespace: ['sales'], name: table });
  const t = await openTable(metadataLocation, { io });
  const scan = await t.scan({ columns: ['order_id'] });
  let rows = 0;
  let keySum = 0n;
  for await (const b of scan.batches())
    for (const r of b) {
      rows++;
      keySum += BigInt(r.order_id as bigint);
    }
  io.client.destroy();
  return { rows, keySum, snapshot: t.metadata['current-snapshot-id'] ?? undefined };
}

describe('lakehouse depot credentials', () => {
  // Was a bug found here (catalogConfigOf read only AWS_ACCESS_KEY_ID-style keys); fixed in the binding.
  it('passes awsaccesskeyid/awssecretaccesskey of the depot secret to the S3 FileIO', async () => {
    const { set } = await loadWorkflow(writeScenario(1, 10));
    const depot = allDepots(set).find((d) => d.name === 'lake');
    if (!depot) throw new Error('no lake depot');
    const cfg = catalogConfigOf(
      { endpoint: { address: 'dataos://lake', depot: 'lake', options: {} } as never, depot, manifests: set },
      'rw',
    );
    expect(cfg.io?.s3?.credentials).toEqual({ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });
  });
});

describe('an Iceberg run on S3 through the fault proxy', () => {
  it('completes correctly with retries at a 20% fault rate, twice (create + merge)', async () => {
    proxy.setRate(0.2);
    const first = await run(writeScenario(1, 1200));
    expect(first.error).toBeUndefined();
    expect(first.status).toBe('succeeded');
    const second = await run(writeScenario(2, 1500));
    expect(second.status).toBe('succeeded');
    const t = await tableRows();
    expect(t.rows).toBe(1500);
    expect(t.keySum).toBe(BigInt((1500 * 1501) / 2));
    expect(proxy.stats.faults.slowdown + proxy.stats.faults.internal + proxy.stats.faults.reset).toBeGreaterThan(5);
  });

  it('fails cleanly at a 100% fault rate: named error, table unchanged', async () => {
    const before = await tableRows();
    proxy.setRate(1);
    proxy.setFaults(['slowdown', 'internal', 'reset']);
    const r = await run(writeScenario(3, 1800));
    proxy.setRate(0);
    proxy.setFaults(['slowdown', 'internal', 'reset', 'slow']);
    expect(r.status).toBe('failed');
    expect(r.errorName).toMatch(/^[A-Z][A-Za-z]+Error$/);
    expect(r.errorName).not.toMatch(/^(TypeError|RangeError|Error)$/);
    expect(r.error).toMatch(/after \d+ attempts|SlowDown|InternalError|socket|ECONNRESET/i);
    expect(await tableRows()).toEqual(before);
  });

  // Lost replies at a 30% rate. An earlier form of this test (one shared table) failed twice with the table's
  // metadata pointing at a deleted manifest list: known failure 7, reproduced deterministically and fixed in
  // s3-lost-reply.test.ts (a lost commit PUT whose read-back is lost too).
  it('lost replies (30%) never leave the table unreadable, and a re-run is exact', async () => {
    for (let k = 0; k < 2; k++) {
      const table = `lost_${k}`;
      proxy.setRate(0);
      expect((await run(writeScenario(1, 1500, table))).status).toBe('succeeded');
      proxy.setFaults(['lost']);
      proxy.setRate(0.3);
      const r = await run(writeScenario(4, 1600, table));
      proxy.setRate(0);
      proxy.setFaults(['slowdown', 'internal', 'reset', 'slow']);
      if (r.status === 'failed') expect(r.errorName).not.toMatch(/^(TypeError|RangeError|Error)$/);
      expect(r.error ?? '').not.toMatch(/file not found/);
      expect([1500, 1600]).toContain((await tableRows(table)).rows); // readable, all or nothing
      expect((await run(writeScenario(4, 1600, table))).status).toBe('succeeded');
      const t = await tableRows(table);
      expect(t.rows).toBe(1600);
      expect(t.keySum).toBe(BigInt((1600 * 1601) / 2));
    }
  });

  // Not a bug: the reply to the commit's own metadata PUT alone is handled (kept as a regression test).
  it('the reply to the metadata commit PUT lost: the table stays readable and a re-run is exact', async () => {
    proxy.setRate(0);
    const first = await run(writeScenario(5, 1700));
    expect(first.status).toBe('succeeded');
    let lost = 0;
    proxy.setFaults(['lost']);
    proxy.setFilter((method, path) => method === 'PUT' && /\/v\d+\.metadata\.json/.test(path) && lost++ === 0);
    proxy.setRate(1);
    const r = await run(writeScenario(6, 1800));
    proxy.setRate(0);
    proxy.setFilter(undefined);
    proxy.setFaults(['slowdown', 'internal', 'reset', 'slow']);
    expect(lost).toBeGreaterThan(0);
    if (r.status === 'failed') expect(r.errorName).not.toMatch(/^(TypeError|RangeError|Error)$/);
    const mid = await tableRows(); // must be readable, and all or nothing
    expect([1700, 1800]).toContain(mid.rows);
    expect((await run(writeScenario(6, 1800))).status).toBe('succeeded');
    const t = await tableRows();
    expect(t.rows).toBe(1800);
    expect(t.keySum).toBe(BigInt((1800 * 1801) / 2));
  });
});
