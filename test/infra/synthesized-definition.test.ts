import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const QUICKSTART = join(ROOT, 'examples', 'quickstart');
/** Generated orders per run: enough for two chunks' worth of planning, small enough to keep the suite fast. */
const ROWS = 10_000;

/** A private copy of the quickstart (its warehouse and embedded Postgres live beside the manifests). */
function quickstartCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'icefloe-synth-run-'));
  cpSync(QUICKSTART, dir, { recursive: true, filter: (src) => !src.includes('.icefloe') });
  const depots = join(dir, 'depots.yaml');
  writeFileSync(depots, readFileSync(depots, 'utf8').replace(/rows: \d+/, `rows: ${ROWS}`));
  return dir;
}

describe('the synthesized state machine, run by the local engine', () => {
  const dirs = [quickstartCopy(), quickstartCopy()];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('gives the quickstart the same result as icefloe run (the generated definition)', () => {
    // A separate Node process: PGlite (the quickstart's embedded Postgres) needs dynamic import, absent in jest's VM.
    const out = execFileSync(
      join(ROOT, 'node_modules', '.bin', 'tsx'),
      [join(__dirname, 'run-synthesized.ts'), ...dirs],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 280_000,
      },
    );
    const { aslProblems, fromTemplate, fromRun } = JSON.parse(out.trim().split('\n').pop() as string);
    expect(aslProblems).toBeNull();
    // Same statuses, errors, chunks and row counts per job, whatever the connectors of this build can do
    // (a run that fails must fail the same way through both definitions).
    expect(fromRun.jobs.map((j: unknown[]) => j[0])).toEqual(['load-orders', 'nb-job-01']);
    expect(fromRun.jobs[0]).toEqual(['load-orders', 'succeeded', 1, ROWS, ROWS, 0]);
    expect(fromTemplate).toEqual(fromRun);
  }, 300_000); // two quickstart runs in a child process: minutes when the shared machine is loaded
});
