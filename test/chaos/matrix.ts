/**
 * One crash case: phase 1 fills the sink (in-process), phase 2 runs in a child process killed at a crash
 * point, then phase 2 is re-run (in-process) and the sink is compared with an uninterrupted run of the same
 * two phases (the baseline): row count, order-independent checksum, no duplicate keys where the strategy
 * keeps keys unique, the crashed run changed nothing or everything (never half), and after cleanup no
 * orphan files or staging tables are left.
 */
import { rmSync } from 'node:fs';
import { runChild } from './child';
import { runWorkflowFile } from './driver';
import { cleanupAndInspect, dropScenario, type Leftovers, sinkDigest } from './inspect';
import { type Digest, newScenario, PHASE1, PHASE2, type SinkKind, type Strategy, writePhase } from './scenario';

export const SINKS: SinkKind[] = ['iceberg', 'postgres'];
export const STRATEGIES: Strategy[] = ['append', 'replace', 'merge'];
/** The fixed crash points of the matrix (see crash-hook.ts); `move:2` is mid-move after 2 of 5 chunks. */
export const POINTS = ['plan', 'move:2', 'precommit', 'commit:inside', 'commit:after'];

export interface CaseResult {
  sink: SinkKind;
  strategy: Strategy;
  crashAt: string;
  /** Whether the child died at the planned point (false: it finished first, e.g. a late commit:mid). */
  killed: boolean;
  /** What the sink held right after the kill: untouched (phase 1), the complete run, or something else. */
  afterCrash: 'untouched' | 'complete' | 'partial';
  expected: Digest;
  actual: Digest;
  leftovers: Leftovers;
  /** Files and staging tables the cleanup removed (what the crash left behind). */
  cleaned: number;
  problems: string[];
  passed: boolean;
  ms: number;
}

const same = (a: Digest, b: Digest) => a.rows === b.rows && a.checksum === b.checksum;

async function phase(file: string, label: string): Promise<void> {
  const s = await runWorkflowFile(file);
  if (s.status !== 'succeeded') throw new Error(`${label} failed: ${s.error}`);
}

/** The sink after an uninterrupted phase 1 + phase 2 (computed once per sink × strategy). */
export async function baseline(root: string, sink: SinkKind, strategy: Strategy): Promise<Digest> {
  const s = newScenario(root, sink, strategy);
  try {
    await phase(writePhase(s, PHASE1), 'baseline phase 1');
    await phase(writePhase(s, PHASE2), 'baseline phase 2');
    return await sinkDigest(s);
  } finally {
    await dropScenario(s);
    rmSync(s.dir, { recursive: true, force: true });
  }
}

/** Runs one case; never throws for a failed check (it lands in `problems`). */
export async function runCase(
  root: string,
  sink: SinkKind,
  strategy: Strategy,
  crashAt: string,
  expected: Digest,
): Promise<CaseResult> {
  const t0 = Date.now();
  const s = newScenario(root, sink, strategy);
  const problems: string[] = [];
  try {
    await phase(writePhase(s, PHASE1), 'phase 1');
    const before = await sinkDigest(s);
    const wf = writePhase(s, PHASE2);
    const child = await runChild(wf, s.dir, crashAt);
    const killed = child.signal === 'SIGKILL' || child.code === 137;
    if (killed && child.crashed !== crashAt)
      problems.push(`killed, but not at ${crashAt}: ${child.stderr.slice(-300)}`);
    if (!killed && !crashAt.startsWith('commit:mid'))
      problems.push(`not killed (exit ${child.code}): ${child.stderr.slice(-300)}`);
    const mid = await sinkDigest(s);
    const afterCrash = same(mid, before) ? 'untouched' : same(mid, expected) ? 'complete' : 'partial';
    if (afterCrash === 'partial') problems.push(`the crashed run left a partial sink: ${JSON.stringify(mid)}`);
    if (afterCrash === 'complete' && !crashAt.startsWith('commit')) problems.push('data visible before commit');
    await phase(wf, 're-run');
    const actual = await sinkDigest(s);
    if (!same(actual, expected))
      problems.push(`after the re-run ${JSON.stringify(actual)} != uninterrupted ${JSON.stringify(expected)}`);
    if (strategy !== 'append' && actual.distinctKeys !== actual.rows)
      problems.push(`${actual.rows - actual.distinctKeys} duplicate key(s)`);
    if (sink === 'iceberg') {
      const reader = await sinkDigest(s, 'reader');
      if (!same(reader, actual))
        problems.push(
          `icefloe table scan of the folder reads ${reader.rows} rows, the catalog ${actual.rows} (stale version-hint)`,
        );
    }
    const { removed, ...leftovers } = await cleanupAndInspect(s);
    if (leftovers.orphanFiles.length > 0)
      problems.push(`orphan files after cleanup: ${leftovers.orphanFiles.slice(0, 3).join(', ')}`);
    if (leftovers.stagingTables.length > 0)
      problems.push(`staging tables after cleanup: ${leftovers.stagingTables.join(', ')}`);
    if (leftovers.stagingRuns.length > 0)
      problems.push(`run staging after cleanup: ${leftovers.stagingRuns.join(', ')}`);
    if (!same(await sinkDigest(s), actual)) problems.push('cleanup changed the table');
    return {
      sink,
      strategy,
      crashAt,
      killed,
      afterCrash,
      expected,
      actual,
      leftovers,
      cleaned: removed,
      problems,
      passed: problems.length === 0,
      ms: Date.now() - t0,
    };
  } catch (err) {
    problems.push(`case aborted: ${(err as Error).message}`);
    const empty = { rows: 0, checksum: '', distinctKeys: 0 };
    const leftovers = { orphanFiles: [], stagingTables: [], stagingRuns: [] };
    return {
      sink,
      strategy,
      crashAt,
      killed: false,
      afterCrash: 'partial',
      expected,
      actual: empty,
      leftovers,
      cleaned: 0,
      problems,
      passed: false,
      ms: Date.now() - t0,
    };
  } finally {
    await dropScenario(s).catch(() => undefined);
    rmSync(s.dir, { recursive: true, force: true });
  }
}

/** A seeded PRNG (mulberry32): the same `--seed` draws the same random crash points. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random crash point: anywhere from planning to the middle of the commit. */
export function randomPoint(next: () => number, chunks = 5): string {
  const r = next();
  if (r < 0.1) return 'plan';
  if (r < 0.55) return `move:${1 + Math.floor(next() * chunks)}`;
  if (r < 0.62) return 'precommit';
  if (r < 0.68) return 'commit:inside';
  if (r < 0.75) return 'commit:after';
  return `commit:mid:${Math.floor(next() * 40)}`; // a commit takes tens of ms here: land inside it
}
