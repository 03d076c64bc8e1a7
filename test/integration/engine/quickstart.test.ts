/**
 * The quickstart end to end with embedded defaults (file warehouse, file catalog, PGlite): generated
 * sales.orders into the lakehouse, then merged into Postgres retail.orders; counts and checksums equal the
 * source's, and a re-run without source changes writes nothing. Runs on a copy of examples/quickstart, in
 * child processes: PGlite loads its WASM with a dynamic import(), which jest's module sandbox does not allow.
 */

import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RunSummary } from '../../../core/engine';
import { ordersBatch } from '../../../core/movement';

const ROWS = 3000;
const SEED = 42;

const ROOT = join(__dirname, '..', '..', '..');
const exec = promisify(execFile);

async function run(dir: string) {
  const args = [join(ROOT, 'bin', 'icefloe.js'), 'run', join(dir, 'workflow.yaml'), '--json', '--parallelism', '1'];
  try {
    const { stdout } = await exec(process.execPath, args, { cwd: dir, timeout: 120_000 });
    return { code: 0, summary: JSON.parse(stdout) as RunSummary };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, summary: { error: e.stderr } as RunSummary };
  }
}

/** count, sum(order_id), sum(amount) in cents of retail.orders, read by a child process. */
async function sinkChecksum(dir: string) {
  const script = `require(${JSON.stringify(require.resolve('tsx/cjs'))});
    const { openDriver } = require(${JSON.stringify(join(ROOT, 'core', 'connectors', 'postgres', 'open.ts'))});
    (async () => {
      const pg = await openDriver({ embedded: { path: ${JSON.stringify(join(dir, '.icefloe', 'pg'))} } });
      const rows = await pg.queryArrays('SELECT count(*)::text, sum(order_id)::text, (sum(amount) * 100)::bigint::text FROM retail.orders');
      await pg.close();
      process.stdout.write(JSON.stringify(rows[0]));
    })();`;
  const { stdout } = await exec(process.execPath, ['-e', script], { timeout: 60_000 });
  const [count, ids, cents] = JSON.parse(stdout) as string[];
  return { count, ids, cents };
}

/** count, sum(order_id), sum(amount in cents) of the generated source. */
function sourceChecksum() {
  const b = ordersBatch(SEED, 0, ROWS);
  const amounts = b.getChild('amount');
  let cents = 0n;
  for (let i = 0; i < ROWS; i++) cents += BigInt((amounts?.get(i) as Uint32Array | undefined)?.[0] ?? 0);
  return { count: String(ROWS), ids: String((BigInt(ROWS) * BigInt(ROWS + 1)) / 2n), cents: String(cents) };
}

describe('quickstart', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'icefloe-quickstart-'));
    cpSync(join(__dirname, '..', '..', '..', 'examples', 'quickstart'), dir, { recursive: true });
    const depots = join(dir, 'depots.yaml');
    writeFileSync(depots, readFileSync(depots, 'utf8').replace(/rows: \d+/, `rows: ${ROWS}`));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('moves generated orders through the lakehouse into Postgres, then re-runs writing nothing', async () => {
    const first = await run(dir);
    expect(first.summary.error).toBeUndefined();
    expect(first.code).toBe(0);
    expect(first.summary.jobs.map((j) => [j.job, j.status, j.rowsRead, j.rowsWritten])).toEqual([
      ['load-orders', 'succeeded', ROWS, ROWS],
      ['nb-job-01', 'succeeded', ROWS, ROWS],
    ]);
    const second = await run(dir);
    expect(second.code).toBe(0);
    expect(second.summary.jobs.map((j) => [j.chunks, j.rowsWritten, j.sinkVersion])).toEqual([
      [0, 0, undefined],
      [0, 0, undefined],
    ]);
    expect(await sinkChecksum(dir)).toEqual(sourceChecksum());
  });
});
