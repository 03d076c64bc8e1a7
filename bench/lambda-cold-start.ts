/**
 * Benchmark 6 (issue 8): each task function `lambdas/<task>/handler.ts`, bundled as the CDK construct bundles it
 * (`taskBundleSettings()` of `lib/constructs/task-function.ts`: esbuild, platform node, target node22, CJS,
 * minified, external source map, ES builds first, absent optional imports external, PGlite replaced by its
 * stand-in; parquet-wasm's `.wasm` copied beside the bundle), then: bundle size, and the time from process start
 * to the handler ready (`node -e` requiring the bundle and checking `handler`, with the function's `NODE_OPTIONS`;
 * median of 10, after one warm-up that fills the OS file cache; also the CPU time those processes used, which the
 * load of a shared machine hardly changes). Plus the peak RSS of a move on one ~128 MB chunk
 * (quick: ~13 MB) of Parquet input: `icefloe run --parallelism 0` (the move runs in the main thread, as in a
 * Lambda container) of an Iceberg table of one data file into another table; the RSS is the whole process's.
 * `npx tsx bench/lambda-cold-start.ts [--quick]`.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { build } from 'esbuild';
import { FileCatalog } from '../core/iceberg/catalog/file-catalog';
import { LocalFileIO } from '../core/iceberg/io/local';
import { ensureTable, writeArrow } from '../core/iceberg/transaction/write-arrow';
import { parquetWasmPath, type TaskName, taskBuildOptions, taskBundleSettings } from '../lib/constructs/task-function';
import { writeDepots, writeJob } from './lib/engine';
import { orderBatches } from './lib/orders';
import { ICEFLOE_BIN, median, peakRss } from './lib/proc';
import { type BenchOptions, type BenchResult, result, runIfMain } from './lib/types';

const TASKS: TaskName[] = ['plan', 'move', 'commit', 'cleanup'];
const RUNS = 10;

/** Bundles one handler into `<dir>/<task>/index.js` (+ its map and the wasm); returns the bundle and the sizes. */
async function bundle(task: TaskName, dir: string): Promise<{ file: string; bytes: number; mapBytes: number }> {
  const out = join(dir, task);
  mkdirSync(out, { recursive: true });
  const file = join(out, 'index.js');
  await build({ ...taskBuildOptions(task), outfile: file, logLevel: 'error' });
  copyFileSync(parquetWasmPath(), join(out, 'parquet_wasm_bg.wasm'));
  return {
    file,
    bytes: statSync(file).size,
    mapBytes: taskBundleSettings().sourcemap ? statSync(`${file}.map`).size : 0,
  };
}

/**
 * Seconds from spawning `node -e code` until it exits (as `spawnSeconds`), and the CPU time (user + system) the
 * process used until the end of `code`: the CPU figure hardly moves with the load of the shared machine.
 */
function spawnReady(code: string, env: NodeJS.ProcessEnv): Promise<{ seconds: number; cpuMs: number }> {
  const start = process.hrtime.bigint();
  const cpu = ';const u=process.cpuUsage();process.stdout.write(String((u.user+u.system)/1000))';
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', code + cpu], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (c) =>
      c === 0
        ? resolve({ seconds: Number(process.hrtime.bigint() - start) / 1e9, cpuMs: Number(out) })
        : reject(new Error(`node -e: ${err.trim()}`)),
    );
  });
}

/**
 * Medians of 10 runs from process start to `require(bundle).handler` being a function (`null`: bare `node -e 0`):
 * wall seconds and CPU milliseconds.
 */
async function ready(file: string | null): Promise<{ seconds: number; cpuMs: number }> {
  const code =
    file === null ? '0' : `if (typeof require(${JSON.stringify(file)}).handler !== 'function') process.exit(3)`;
  // the bare baseline without NODE_OPTIONS (nothing to map); a bundle with the function's own
  const nodeOptions = file === null ? '' : taskBundleSettings().nodeOptions;
  const env = { ...process.env, STAGING_BUCKET: 'bench', AWS_REGION: 'us-east-1', NODE_OPTIONS: nodeOptions };
  await spawnReady(code, env); // warm-up
  const runs: { seconds: number; cpuMs: number }[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await spawnReady(code, env));
  return { seconds: median(runs.map((r) => r.seconds)), cpuMs: median(runs.map((r) => r.cpuMs)) };
}

/** Peak RSS of `icefloe run --parallelism 0` moving a one-file Iceberg table of `rows` rows into another table. */
async function moveRss(dir: string, rows: number): Promise<{ rssBytes: number; chunkBytes: number; seconds: number }> {
  const warehouse = join(dir, 'warehouse');
  const catalog = new FileCatalog(warehouse, new LocalFileIO());
  const id = { namespace: ['bench'], name: 'chunk' };
  const data = new arrow.Table([...orderBatches(4, 0, rows)]);
  await ensureTable(catalog, id, data.schema);
  const write = await writeArrow(catalog, id, data, { mode: 'append' });
  const chunkBytes = Number(write.snapshot.summary['added-files-size'] ?? 0);
  const manifests = join(dir, 'manifests');
  writeDepots(manifests, { warehouse, rows, seed: 4 });
  const wf = writeJob(
    manifests,
    'move-chunk',
    { address: 'dataos://lh', options: { 'source-table': 'bench.chunk', 'extract-parallelism': '1' } },
    { address: 'dataos://lh', options: { 'dest-table': 'bench.copy', 'incremental-strategy': 'append' } },
  );
  const r = await peakRss([ICEFLOE_BIN, 'run', wf, '--manifests', manifests, '--parallelism', '0', '--json'], dir);
  return { ...r, chunkBytes };
}

/** Runs benchmark 6: one result per handler, the move figure in the move handler's `extra`. */
export async function run({ quick }: BenchOptions): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'icefloe-bench-lambda-'));
  try {
    const out: BenchResult[] = [];
    const rss = await moveRss(dir, quick ? 500_000 : 5_000_000);
    const bare = await ready(null); // the floor: a bare node process on this machine, now
    for (const task of TASKS) {
      const b = await bundle(task, join(dir, 'bundles'));
      const { seconds, cpuMs } = await ready(b.file);
      const extra: Record<string, number | string> = {
        bundleBytes: b.bytes,
        mapBytes: b.mapBytes,
        readyMs: Math.round(seconds * 1000),
        readyCpuMs: Math.round(cpuMs),
        bareCpuMs: Math.round(bare.cpuMs),
      };
      if (task === 'move') {
        extra.moveChunkBytes = rss.chunkBytes;
        extra.movePeakRssBytes = rss.rssBytes;
        extra.moveSeconds = Math.round(rss.seconds * 1000) / 1000;
      }
      out.push(
        result(
          `lambda-cold-start ${task}`,
          { rows: 0, bytes: b.bytes, seconds },
          { name: 'bare node start (node -e 0)', seconds: bare.seconds },
          extra,
        ),
      );
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

runIfMain(module, run);
