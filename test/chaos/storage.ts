/**
 * Storage-fault trials for `npm run chaos`: the chaos job (generator → Iceberg table, merge on order_id) on an
 * S3-compatible server (s3rver) reached only through the fault proxy, at a seeded fault rate (503 SlowDown,
 * 500, resets, slow answers, and lost replies to applied requests). Phase 1 then phase 2; each phase is re-run
 * until it succeeds (at most 3 times, as a scheduler would), then the table must equal the expected rows.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { S3FileIO } from '../../core/iceberg/io/s3';
import { openTable } from '../../core/iceberg/table';
import type { FaultKind, FaultProxy } from '../helpers/fault-proxy';
import { generatorDepotYaml } from '../helpers/manifests';
import { s3ConfigFor } from '../helpers/s3-server';
import { expectedDigest } from './concurrent';
import { runWorkflowFile } from './driver';
import { type Digest, digestOf, PHASE1, PHASE2, type Phase, workflowText } from './scenario';

export interface StorageTrial {
  seed: number;
  rate: number;
  faults: Record<FaultKind, number>;
  requests: number;
  /** Runs needed per phase (1 = the first attempt succeeded despite the faults). */
  attempts: number[];
  /** Errors of the failed attempts (named errors expected). */
  errors: string[];
  expected: Digest;
  actual: Digest;
  problems: string[];
  passed: boolean;
}

function depots(bucket: string, prefix: string, endpoint: string, phase: Phase): string {
  return `${generatorDepotYaml(phase.rows, phase.seed)}---
name: lake\nversion: v1alpha\ntype: lakehouse\nlayer: user\nlakehouse:\n  type: iceberg\n  compute: runnable-default\n  iceberg:
    storage:\n      depotName: lake\n      type: s3\n      s3:\n        bucket: ${bucket}\n        relativePath: /${prefix}\n        region: us-east-1
        endpoint: ${endpoint}\n      secrets:\n        - name: lake-rw\n          allkeys: true\n    metastore:\n      type: file\n---
name: lake-rw\nversion: v1\ntype: instance-secret\ninstance-secret:\n  type: key-value-properties\n  acl: rw\n  data:
    awsaccesskeyid: S3RVER\n    awssecretaccesskey: S3RVER\n`;
}

async function s3Digest(s3Endpoint: string, location: string): Promise<Digest> {
  const io = new S3FileIO(s3ConfigFor(s3Endpoint));
  try {
    const t = await openTable(location, { io });
    const scan = await t.scan({ columns: ['order_id', 'customer_id', 'quantity', 'status'] });
    const rows: string[][] = [];
    for await (const b of scan.batches())
      for (const r of b) rows.push([String(r.order_id), String(r.customer_id), String(r.quantity), String(r.status)]);
    return digestOf(rows);
  } finally {
    io.client.destroy();
  }
}

/** One trial on a fresh table prefix; `proxy` is shared, its rate and faults are set here. */
export async function runStorageTrial(
  root: string,
  s3: { endpoint: string; bucket: string },
  proxy: FaultProxy,
  seed: number,
  rate: number,
): Promise<StorageTrial> {
  const dir = join(root, `storage-${seed}`);
  mkdirSync(dir, { recursive: true });
  const prefix = `wh-${seed}`;
  const before = { requests: proxy.stats.requests, faults: { ...proxy.stats.faults } };
  proxy.setFaults(['slowdown', 'internal', 'reset', 'slow', 'lost']);
  proxy.setRate(rate);
  const attempts: number[] = [];
  const errors: string[] = [];
  const problems: string[] = [];
  try {
    const wf = join(dir, 'workflow.yaml');
    const scenario = { dir, sink: 'iceberg' as const, strategy: 'merge' as const, pgSchema: '', pageSize: 400 };
    writeFileSync(wf, workflowText(scenario));
    for (const phase of [PHASE1, PHASE2]) {
      writeFileSync(join(dir, 'depots.yaml'), depots(s3.bucket, prefix, proxy.endpoint, phase));
      let n = 0;
      for (; n < 3; ) {
        n++;
        const r = await runWorkflowFile(wf);
        if (r.status === 'succeeded') break;
        errors.push(`${r.errorName}: ${r.error}`);
        if (!r.errorName || /^(TypeError|RangeError|Error)$/.test(r.errorName))
          problems.push(`unnamed error ${r.errorName}: ${r.error}`);
      }
      attempts.push(n);
    }
    proxy.setRate(0);
    const expected = expectedDigest('merge');
    const actual = await s3Digest(s3.endpoint, `s3://${s3.bucket}/${prefix}/sales/orders`);
    if (actual.rows !== expected.rows || actual.checksum !== expected.checksum)
      problems.push(`table ${JSON.stringify(actual)} != expected ${JSON.stringify(expected)}`);
    if (actual.distinctKeys !== actual.rows) problems.push('duplicate keys');
    const faults = Object.fromEntries(
      Object.entries(proxy.stats.faults).map(([k, v]) => [k, v - before.faults[k as FaultKind]]),
    ) as Record<FaultKind, number>;
    return {
      seed,
      rate,
      faults,
      requests: proxy.stats.requests - before.requests,
      attempts,
      errors,
      expected,
      actual,
      problems,
      passed: problems.length === 0,
    };
  } finally {
    proxy.setRate(0);
    rmSync(dir, { recursive: true, force: true });
  }
}
