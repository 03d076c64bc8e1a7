/**
 * `npm run chaos`: the crash matrix (sink Iceberg|Postgres × strategy append|replace|merge × crash point
 * plan|move:2|precommit|commit:after), then `--trials N` random crash points (seeded; also mid-commit kills),
 * each case checked against an uninterrupted run (see matrix.ts).
 *
 *   npm run chaos -- [--trials N] [--seed S] [--json] [--only iceberg|postgres] [--no-matrix]
 *
 * `--json` prints `{ trials, passed, failed, cases: [...] }` on stdout; progress goes to stderr.
 * Exit code 0 when every case passed, 1 otherwise. Needs PostgreSQL at 127.0.0.1:5432 (db `test`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { baseline, type CaseResult, POINTS, randomPoint, rng, runCase, SINKS, STRATEGIES } from './matrix';
import type { Digest, SinkKind, Strategy } from './scenario';

interface Plan {
  sink: SinkKind;
  strategy: Strategy;
  crashAt: string;
  kind: 'matrix' | 'random';
}

function casesToRun(o: { trials: number; seed: number; matrix: boolean; sinks: SinkKind[] }): Plan[] {
  const out: Plan[] = [];
  if (o.matrix)
    for (const sink of o.sinks)
      for (const strategy of STRATEGIES)
        for (const crashAt of POINTS) out.push({ sink, strategy, crashAt, kind: 'matrix' });
  const next = rng(o.seed);
  for (let i = 0; i < o.trials; i++) {
    const sink = o.sinks[Math.floor(next() * o.sinks.length)] as SinkKind;
    const strategy = STRATEGIES[Math.floor(next() * STRATEGIES.length)] as Strategy;
    out.push({ sink, strategy, crashAt: randomPoint(next), kind: 'random' });
  }
  return out;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      trials: { type: 'string', default: '12' },
      seed: { type: 'string', default: '20261122' },
      json: { type: 'boolean', default: false },
      only: { type: 'string' },
      'no-matrix': { type: 'boolean', default: false },
    },
  });
  const trials = Number(values.trials);
  const seed = Number(values.seed);
  if (!Number.isInteger(trials) || trials < 0)
    throw new Error(`--trials: expected a whole number, got ${values.trials}`);
  const sinks = values.only ? [values.only as SinkKind] : SINKS;
  const plans = casesToRun({ trials, seed, matrix: !values['no-matrix'], sinks });
  const root = mkdtempSync(join(tmpdir(), 'icefloe-chaos-'));
  const started = Date.now();
  const cases: (CaseResult & { kind: string })[] = [];
  try {
    const baselines = new Map<string, Digest>();
    for (const p of plans) {
      const key = `${p.sink}/${p.strategy}`;
      if (!baselines.has(key)) baselines.set(key, await baseline(root, p.sink, p.strategy));
      const r = await runCase(root, p.sink, p.strategy, p.crashAt, baselines.get(key) as Digest);
      cases.push({ ...r, kind: p.kind });
      process.stderr.write(
        `${r.passed ? 'pass' : 'FAIL'} ${p.kind} ${key} crash at ${p.crashAt}: killed=${r.killed} after-crash=${r.afterCrash} ` +
          `rows=${r.actual.rows} cleaned=${r.cleaned} (${r.ms} ms)${r.passed ? '' : `\n  ${r.problems.join('\n  ')}`}\n`,
      );
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const failed = cases.filter((c) => !c.passed).length;
  const report = {
    trials: cases.length,
    passed: cases.length - failed,
    failed,
    seed,
    durationMs: Date.now() - started,
    killed: cases.filter((c) => c.killed).length,
    crashPoints: [...new Set(cases.map((c) => c.crashAt.replace(/:\d+$/, ':N')))].sort(),
    rowsLost: cases.reduce((n, c) => n + Math.max(0, c.expected.rows - c.actual.rows), 0),
    rowsDuplicated: cases.reduce((n, c) => n + Math.max(0, c.actual.rows - c.expected.rows), 0),
    cases,
  };
  if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else
    process.stdout.write(
      `chaos: ${report.trials} trials, ${report.passed} passed, ${report.failed} failed (${report.killed} killed)\n`,
    );
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`error: ${(err as Error).message}\n`);
    process.exit(2);
  },
);
