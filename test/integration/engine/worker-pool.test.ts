import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runWorkflowLocally } from '../../../core/engine';
import type { DepotManifest, ManifestSet } from '../../../core/manifest/types';
import { endpoint, job, workflow } from '../../unit/statemachines/workflows';
import './file-sink';

const pos = { file: 'm.yaml', line: 1, col: 1 };
const ROWS = 25_000;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'icefloe-workers-'));
  process.env.ICEFLOE_TEST_SINK_DIR = dir;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function manifests() {
  const gen: DepotManifest = {
    type: 'depot',
    name: 'gen',
    version: 'v1',
    source: pos,
    depot: { type: 'generator', secrets: [], generator: { rows: ROWS, seed: 7 } },
  };
  const out = {
    type: 'depot',
    name: 'out',
    version: 'v1',
    source: pos,
    depot: { type: 'file-sink', secrets: [] },
  } as unknown as DepotManifest;
  const wf = workflow('gen2file', [
    job(
      'load',
      endpoint('dataos://gen', { sourceTable: 'sales.orders', pageSize: 4000 }),
      endpoint('dataos://out:x/y'),
    ),
  ]);
  const set: ManifestSet = {
    manifests: [gen, out, wf],
    depots: [gen, out],
    lakehouses: [],
    secrets: [],
    workflows: [wf],
  };
  return { set, wf };
}

describe('local engine with worker threads', () => {
  it('moves generated chunks in 2 workers, every row once, and re-runs incrementally with nothing to read', async () => {
    const { set, wf } = manifests();
    const opts = {
      manifests: set,
      workflow: wf,
      stagingRoot: join(dir, '.icefloe'),
      parallelism: 2,
      workerSetup: [require.resolve('./file-sink')],
    };
    const first = await runWorkflowLocally(opts);
    expect(first.error ?? first.status).toBe('succeeded');
    expect(first.jobs[0]).toMatchObject({
      chunks: 7,
      rowsRead: ROWS,
      rowsWritten: ROWS,
      sourceCursor: `seed=7;rows=${ROWS}`,
    });
    const target = JSON.parse(readFileSync(join(dir, 'public.gen2file.load.target.json'), 'utf8'));
    expect(target.sum).toBe(String((BigInt(ROWS) * BigInt(ROWS + 1)) / 2n));
    expect(target.threads).not.toContain(0); // 0 is the main thread: every chunk moved in a worker
    const second = await runWorkflowLocally(opts);
    expect(second.jobs[0]).toMatchObject({ status: 'succeeded', chunks: 0, rowsWritten: 0, incremental: true });
  });

  it('keeps the workers of a finished run for the next run of the process (ICEFLOE_KEEP_WORKERS_MS=0: not)', async () => {
    const { set, wf } = manifests();
    const threadsOf = async (stagingRoot: string) => {
      rmSync(join(dir, 'public.gen2file.load.target.json'), { force: true });
      const run = await runWorkflowLocally({
        manifests: set,
        workflow: wf,
        stagingRoot,
        parallelism: 2,
        workerSetup: [require.resolve('./file-sink')],
      });
      expect(run.error ?? run.status).toBe('succeeded');
      return JSON.parse(readFileSync(join(dir, 'public.gen2file.load.target.json'), 'utf8')).threads as number[];
    };
    const first = await threadsOf(join(dir, '.icefloe-keep-1'));
    const second = await threadsOf(join(dir, '.icefloe-keep-2'));
    for (const t of second) expect(first).toContain(t);
    process.env.ICEFLOE_KEEP_WORKERS_MS = '0';
    try {
      const third = await threadsOf(join(dir, '.icefloe-keep-3')); // the kept pool, stopped at its end
      const fourth = await threadsOf(join(dir, '.icefloe-keep-4')); // new workers
      for (const t of fourth) expect([...first, ...third]).not.toContain(t);
    } finally {
      delete process.env.ICEFLOE_KEEP_WORKERS_MS;
    }
  });

  it('replaces a worker that crashes mid-chunk and retries the chunk', async () => {
    const { set, wf } = manifests();
    const stagingRoot = join(dir, '.icefloe-crash');
    rmSync(join(dir, 'public.gen2file.load.target.json'), { force: true });
    process.env.ICEFLOE_TEST_CRASH_CHUNK = 'rows-4000-8000';
    try {
      const opts = {
        manifests: set,
        workflow: wf,
        stagingRoot,
        parallelism: 2,
        retryIntervalMs: 0,
        workerSetup: [require.resolve('./file-sink')],
      };
      const run = await runWorkflowLocally(opts);
      expect(run.error ?? run.status).toBe('succeeded');
      expect(run.jobs[0]).toMatchObject({ chunks: 7, rowsWritten: ROWS });
      expect(readFileSync(join(dir, 'crashed'), 'utf8')).not.toBe('0');
    } finally {
      delete process.env.ICEFLOE_TEST_CRASH_CHUNK;
    }
  });
});
