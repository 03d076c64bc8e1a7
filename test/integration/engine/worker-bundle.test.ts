/**
 * Move workers run the prebuilt bundle of `core/engine/move-worker.ts` (built with esbuild into the cache folder
 * on first use), and load the sources through tsx when it cannot be built. The test sink (`file-sink.ts`, a
 * `workerSetup` module loaded through tsx inside the bundled worker) records whether its thread loaded the sources.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runWorkflowLocally } from '../../../core/engine';
import type { DepotManifest, ManifestSet } from '../../../core/manifest/types';
import type { TaskLogger } from '../../../core/movement';
import { endpoint, job, workflow } from '../../unit/statemachines/workflows';
import './file-sink';

jest.setTimeout(180_000); // a first build of the bundle takes seconds on a busy machine

const ROOT = join(__dirname, '..', '..', '..');
const pos = { file: 'm.yaml', line: 1, col: 1 };
const ROWS = 12_000;
let dir: string;
const savedCacheDir = process.env.ICEFLOE_CACHE_DIR;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'icefloe-worker-bundle-'));
  process.env.ICEFLOE_TEST_SINK_DIR = dir;
});
afterAll(() => {
  if (savedCacheDir === undefined) delete process.env.ICEFLOE_CACHE_DIR;
  else process.env.ICEFLOE_CACHE_DIR = savedCacheDir;
  rmSync(dir, { recursive: true, force: true });
});

function manifests(name: string): { set: ManifestSet; wf: ReturnType<typeof workflow> } {
  const gen = {
    type: 'depot',
    name: 'gen',
    version: 'v1',
    source: pos,
    depot: { type: 'generator', secrets: [], generator: { rows: ROWS, seed: 11 } },
  } as DepotManifest;
  const out = {
    type: 'depot',
    name: 'out',
    version: 'v1',
    source: pos,
    depot: { type: 'file-sink', secrets: [] },
  } as unknown as DepotManifest;
  const wf = workflow(name, [
    job(
      'load',
      endpoint('dataos://gen', { sourceTable: 'sales.orders', pageSize: 4000 }),
      endpoint('dataos://out:x/y'),
    ),
  ]);
  return { set: { manifests: [gen, out, wf], depots: [gen, out], lakehouses: [], secrets: [], workflows: [wf] }, wf };
}

async function runIn2Workers(name: string) {
  const { set, wf } = manifests(name);
  const debug: string[] = [];
  const logger: TaskLogger = { debug: (m) => debug.push(m), info() {}, warn() {}, error() {} };
  const run = await runWorkflowLocally({
    manifests: set,
    workflow: wf,
    stagingRoot: join(dir, `.icefloe-${name}`),
    parallelism: 2,
    logger,
    workerSetup: [require.resolve('./file-sink')],
  });
  expect(run.error ?? run.status).toBe('succeeded');
  expect(run.jobs[0]).toMatchObject({ chunks: 3, rowsWritten: ROWS });
  const target = JSON.parse(readFileSync(join(dir, `public.${name}.load.target.json`), 'utf8'));
  expect(target.sum).toBe(String((BigInt(ROWS) * BigInt(ROWS + 1)) / 2n));
  expect(target.threads).not.toContain(0); // every chunk moved in a worker
  return { debug, sources: target.sources as boolean[] };
}

describe('move workers', () => {
  it('build the bundle into an empty cache folder and move every chunk from it', async () => {
    const cache = join(dir, 'cache');
    process.env.ICEFLOE_CACHE_DIR = cache;
    const { debug, sources } = await runIn2Workers('bundled');
    expect(debug).toContainEqual(expect.stringMatching(/^move workers run .*move-worker-[0-9a-f]{16}\.js$/));
    expect(sources).toEqual([false]);
    const files = readdirSync(cache);
    expect(files).toContainEqual(expect.stringMatching(/^move-worker-[0-9a-f]{16}\.js$/));
    expect(files).toContainEqual(expect.stringMatching(/\.index\.json$/));
    expect(files).toContainEqual(expect.stringMatching(/\.cache$/)); // the V8 code cache the first worker wrote
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // the sources' __dirname is their own folder (connector discovery), parquet-wasm loads its .wasm beside itself
    const bundle = readFileSync(join(cache, files.find((f) => f.endsWith('.js')) as string), 'utf8');
    expect(bundle).toContain(`(${JSON.stringify(join(ROOT, 'core', 'movement'))}, "..", "connectors"`);
    expect(bundle).toContain(`require(${JSON.stringify(require.resolve('parquet-wasm'))})`);
  });

  it('load the sources through tsx when the bundle cannot be built', async () => {
    const notADir = join(dir, 'plain-file');
    writeFileSync(notADir, 'x');
    process.env.ICEFLOE_CACHE_DIR = join(notADir, 'cache'); // mkdir fails: ENOTDIR
    const { debug, sources } = await runIn2Workers('fallback');
    expect(debug).toContainEqual(expect.stringMatching(/^move workers load the sources \(bundle: .*ENOTDIR/));
    expect(sources).toEqual([true]);
  });
});
