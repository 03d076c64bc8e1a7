/**
 * Two runs of the same job at once (two processes, as when a schedule fires while a manual run is still
 * going, `concurrencyPolicy: Allow`): whatever each run reports, the sink must end equal to one uninterrupted
 * run: the runs may not interleave into duplicated or lost rows.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalogFromConfig } from '../../core/iceberg/catalog/from-config';
import { ensureTable } from '../../core/iceberg/transaction/write-arrow';
import { ORDERS_SCHEMA, ordersBatch } from '../../core/movement/sources/generator';
import { generatorDepotYaml } from '../helpers/manifests';
import { runChild } from './child';
import { runWorkflowFile } from './driver';
import { cleanupAndInspect, dropScenario, sinkDigest } from './inspect';
import {
  type Digest,
  digestOf,
  newScenario,
  PHASE1,
  PHASE2,
  type SinkKind,
  type Strategy,
  writePhase,
} from './scenario';

export interface ConcurrentResult {
  sink: SinkKind;
  strategy: Strategy;
  /** Exit status of each run: `succeeded`, or the error name/line of a run that failed. */
  runs: string[];
  expected: Digest;
  actual: Digest;
  /** After one more (sequential) run: a failed concurrent run must be recoverable. */
  afterRerun: Digest;
  problems: string[];
  passed: boolean;
}

/**
 * Starts the runs and lets them commit only once both have reached their commit (or after 20 s, when one
 * cannot get there, e.g. because it failed): the worst overlap, made deterministic.
 */
async function overlapping<T>(dir: string, start: () => Promise<T>[]): Promise<T[]> {
  const runs = start();
  const released = (async () => {
    for (let i = 0; i < 1000; i++) {
      if (readdirSync(dir).filter((f) => f.startsWith('held-')).length >= runs.length) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    writeFileSync(join(dir, 'release'), '');
  })();
  const out = await Promise.all(runs);
  await released;
  return out;
}

const same = (a: Digest, b: Digest) => a.rows === b.rows && a.checksum === b.checksum;

/** Phase 1, then phase 2 twice at once in two child processes, then one more sequential run of phase 2. */
export async function runConcurrentCase(
  root: string,
  sink: SinkKind,
  strategy: Strategy,
  expected: Digest,
): Promise<ConcurrentResult> {
  const s = newScenario(root, sink, strategy);
  const problems: string[] = [];
  try {
    const p1 = await runWorkflowFile(writePhase(s, PHASE1));
    if (p1.status !== 'succeeded') throw new Error(`phase 1 failed: ${p1.error}`);
    const wf = writePhase(s, PHASE2);
    const both = await overlapping(s.dir, () => [
      runChild(wf, s.dir, undefined, { ICEFLOE_HOLD_DIR: s.dir }),
      runChild(wf, s.dir, undefined, { ICEFLOE_HOLD_DIR: s.dir }),
    ]);
    const runs = both.map((r) => {
      if (r.code === 0) return 'succeeded';
      const m = /"errorName":"([^"]+)","error":"([^"]{0,160})/.exec(r.stdout);
      return m ? `${m[1]}: ${m[2]}` : `exit ${r.code} ${r.stderr.slice(-160)}`;
    });
    const actual = await sinkDigest(s);
    if (!runs.includes('succeeded')) problems.push('neither concurrent run succeeded');
    if (!same(actual, expected))
      problems.push(`after both runs ${JSON.stringify(actual)} != one run ${JSON.stringify(expected)}`);
    const again = await runWorkflowFile(wf);
    if (again.status !== 'succeeded') problems.push(`the next run failed: ${again.error}`);
    const afterRerun = await sinkDigest(s);
    if (!same(afterRerun, expected)) problems.push(`after a further run ${JSON.stringify(afterRerun)} != one run`);
    const left = await cleanupAndInspect(s);
    if (left.orphanFiles.length + left.stagingTables.length + left.stagingRuns.length > 0)
      problems.push(`leftovers after cleanup: ${JSON.stringify(left)}`);
    return { sink, strategy, runs, expected, actual, afterRerun, problems, passed: problems.length === 0 };
  } finally {
    await dropScenario(s).catch(() => undefined);
    rmSync(s.dir, { recursive: true, force: true });
  }
}

/**
 * Two different jobs (two workflows) appending into the same table at once: both commits must land, each
 * once (Iceberg: optimistic concurrency, refresh and retry; Postgres: one transaction each).
 */
export async function runTwoJobsCase(root: string, sink: SinkKind): Promise<ConcurrentResult> {
  const s = newScenario(root, sink, 'append');
  const problems: string[] = [];
  try {
    writePhase(s, PHASE1);
    const depots = join(s.dir, 'depots.yaml');
    const gen2 = `${generatorDepotYaml(PHASE2.rows, PHASE2.seed, 'gen2')}---\n`;
    writeFileSync(depots, gen2 + readFileSync(depots, 'utf8'));
    const a = join(s.dir, 'workflow.yaml');
    const b = join(s.dir, 'workflow-b.yaml');
    writeFileSync(
      b,
      readFileSync(a, 'utf8').replace('name: chaos\n', 'name: chaos-b\n').replace('dataos://gen\n', 'dataos://gen2\n'),
    );
    // The table exists first (a create race is its own case: concurrency.test.ts, ensureTable), then both
    // runs are held at their commit so the two commits really race.
    if (sink === 'iceberg')
      await ensureTable(
        catalogFromConfig({ type: 'file', warehouse: join(s.dir, 'warehouse') }),
        { namespace: ['sales'], name: 'orders' },
        ORDERS_SCHEMA,
      );
    const hold = { ICEFLOE_HOLD_DIR: s.dir };
    const both = await overlapping(s.dir, () => [
      runChild(a, s.dir, undefined, hold),
      runChild(b, s.dir, undefined, hold),
    ]);
    const runs = both.map((r) => {
      if (r.code === 0) return 'succeeded';
      const m = /"errorName":"([^"]+)","error":"([^"]{0,200})/.exec(r.stdout);
      return m ? `${m[1]}: ${m[2]}` : `exit ${r.code} ${r.stderr.slice(-200)}`;
    });
    if (runs.some((r) => r !== 'succeeded')) problems.push(`a run failed: ${runs.join(' | ')}`);
    const actual = await sinkDigest(s);
    const expected = digestOf([...ordersRows(PHASE1.seed, PHASE1.rows), ...ordersRows(PHASE2.seed, PHASE2.rows)]);
    if (!same(actual, expected))
      problems.push(`${JSON.stringify(actual)} != both jobs once ${JSON.stringify(expected)}`);
    return {
      sink,
      strategy: 'append',
      runs,
      expected,
      actual,
      afterRerun: actual,
      problems,
      passed: problems.length === 0,
    };
  } finally {
    await dropScenario(s).catch(() => undefined);
    rmSync(s.dir, { recursive: true, force: true });
  }
}

/**
 * What phase 1 then phase 2 leave in the sink, computed from the generator (no run needed): append keeps
 * both phases' rows, replace and merge leave phase 2's (its keys 1..2000 cover phase 1's 1..1200).
 */
export function expectedDigest(strategy: Strategy): Digest {
  const p2 = ordersRows(PHASE2.seed, PHASE2.rows);
  return digestOf(strategy === 'append' ? [...ordersRows(PHASE1.seed, PHASE1.rows), ...p2] : p2);
}

/** The generator's rows as digest tuples (order_id, customer_id, quantity, status). */
function ordersRows(seed: number, rows: number): string[][] {
  const out: string[][] = [];
  for (const r of ordersBatch(seed, 0, rows))
    out.push([String(r.order_id), String(r.customer_id), String(r.quantity), String(r.status)]);
  return out;
}
