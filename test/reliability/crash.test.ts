/**
 * A few crash cases of the chaos matrix in `npm test` (the whole matrix and random trials: `npm run chaos`).
 * Each case kills a child run with SIGKILL at a crash point, re-runs, and compares the sink with an
 * uninterrupted run; see test/chaos/matrix.ts for the checks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCrashAt } from '../chaos/crash-hook';
import { baseline, randomPoint, rng, runCase } from '../chaos/matrix';
import type { SinkKind, Strategy } from '../chaos/scenario';

jest.setTimeout(120_000);

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'icefloe-crash-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** One case per crash point, spread over both sinks and all strategies. */
const CASES: [SinkKind, Strategy, string][] = [
  ['postgres', 'merge', 'plan'],
  ['iceberg', 'merge', 'move:2'],
  ['postgres', 'replace', 'precommit'],
  ['iceberg', 'append', 'commit:after'],
];

describe('crash and re-run equals an uninterrupted run', () => {
  it.each(CASES)('%s %s, killed at %s', async (sink, strategy, crashAt) => {
    const expected = await baseline(root, sink, strategy);
    const r = await runCase(root, sink, strategy, crashAt, expected);
    expect(r.problems).toEqual([]);
    expect(r.killed).toBe(true);
    expect(r.actual).toEqual(expected);
    expect(r.afterCrash).toBe(crashAt.startsWith('commit') ? 'complete' : 'untouched');
  });

  it('random crash points are seeded and parse', () => {
    const a = rng(7);
    const b = rng(7);
    const points = Array.from({ length: 50 }, () => randomPoint(a));
    expect(Array.from({ length: 50 }, () => randomPoint(b))).toEqual(points);
    for (const p of points) expect(parseCrashAt(p)).toBeDefined();
    expect(() => parseCrashAt('later')).toThrow(/unknown crash point/);
  });
});
