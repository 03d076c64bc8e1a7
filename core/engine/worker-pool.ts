/**
 * A fixed pool of worker threads running Move tasks, one task per worker at a time (Move is CPU-bound:
 * Parquet and Arrow encoding), so `--parallelism N` uses N cores. Workers run the prebuilt bundle of
 * `move-worker.ts` (`worker-bundle.ts`: one script and a V8 code cache, built on first use); when it cannot be
 * built they load the TypeScript sources with tsx (`require('tsx/cjs')` in an eval'd bootstrap), so the pool
 * works the same from the CLI and from jest.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { MoveProgress, TaskLogger } from '../movement/deps';
import type { MoveInput, MoveOutput } from '../movement/types';
import type { WorkerInit, WorkerReply, WorkerRequest } from './move-worker';
import { moveWorkerBundle, type WorkerBundle, workerCacheDir } from './worker-bundle';

/** An error thrown in a worker, re-created with the same `name` (Step Functions retries match names). */
export class RemoteTaskError extends Error {
  override name: string;
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

interface Pending {
  input: MoveInput;
  resolve: (out: MoveOutput) => void;
  reject: (err: unknown) => void;
}

export interface WorkerPoolOptions {
  /** The worker code; undefined: the sources through tsx. @default the cached bundle ({@link moveWorkerBundle}) */
  bundle?: () => Promise<WorkerBundle | undefined>;
  /** Hears (debug) how workers load their code, and why not from the bundle. */
  logger?: Pick<TaskLogger, 'debug'>;
}

const TSX = require.resolve('tsx/cjs');
const VIA_TSX = `require(${JSON.stringify(TSX)}); require(${JSON.stringify(join(__dirname, 'move-worker.ts'))});`;

/**
 * A worker's eval'd code: compile the bundle with its V8 code cache (written on first use), start it; the
 * sources through tsx when it does not compile.
 */
function bootstrap(b: WorkerBundle | undefined): string {
  if (!b) return VIA_TSX;
  return `const B = ${JSON.stringify({ ...b, tsx: TSX })};
const fs = require('node:fs'), vm = require('node:vm'), path = require('node:path'), M = require('node:module');
let script, cached;
try { cached = fs.readFileSync(B.codeCache); } catch {}
try {
  script = new vm.Script(M.wrap(fs.readFileSync(B.file, 'utf8')), {
    filename: B.file, cachedData: cached,
    importModuleDynamically: vm.constants && vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
} catch { script = undefined; }
if (script === undefined) { ${VIA_TSX} } else {
  const m = { exports: {} };
  script.runInThisContext()(m.exports, M.createRequire(B.file), m, B.file, path.dirname(B.file));
  m.exports.start({ tsx: B.tsx });
  if (cached === undefined || script.cachedDataRejected) {
    const tmp = B.codeCache + '.' + process.pid + '-' + require('node:worker_threads').threadId + '.tmp';
    try { fs.writeFileSync(tmp, script.createCachedData()); fs.renameSync(tmp, B.codeCache); } catch { try { fs.rmSync(tmp, { force: true }); } catch {} }
  }
}`;
}

/**
 * How long the workers of a finished run stay parked for the next run of this process (a worker's start costs
 * hundreds of ms of CPU). Parked workers hold no connection and do not keep the process alive.
 * `ICEFLOE_KEEP_WORKERS_MS=0` stops them at the end of each run.
 */
function keepMs(): number {
  const v = Number(process.env.ICEFLOE_KEEP_WORKERS_MS ?? 15_000);
  return Number.isFinite(v) && v > 0 ? v : 0;
}

/** Parked pools by {@link WorkerPool.acquire}'s key (size, setup modules, code). */
const parked = new Map<string, WorkerPool>();

export class WorkerPool {
  /**
   * A pool for one run: the parked pool of an earlier run with the same size, setup modules and worker code when
   * there is one (its workers get this run's init), else a new pool. End the run with {@link release}.
   */
  static acquire(
    size: number,
    init: WorkerInit,
    onProgress?: (p: MoveProgress) => void,
    options: WorkerPoolOptions = {},
  ): WorkerPool {
    const key = options.bundle ? undefined : JSON.stringify([size, init.setupModules, workerCacheDir()]);
    const kept = key === undefined || keepMs() === 0 ? undefined : parked.get(key);
    if (kept && key !== undefined) {
      parked.delete(key);
      kept.resume(init, onProgress);
      return kept;
    }
    const pool = new WorkerPool(size, init, onProgress, options);
    pool.key = key;
    return pool;
  }

  private readonly idle: Worker[] = [];
  private readonly queue: Pending[] = [];
  private readonly busy = new Map<Worker, Pending>();
  private readonly live = new Set<Worker>();
  private closed = false;
  /** How workers load their code: the prebuilt bundle or the sources through tsx (undefined until known). */
  mode?: 'bundle' | 'tsx';
  /** The workers' eval'd code, once the bundle is ready (or known to be unavailable). */
  private code?: string;
  private readonly ready: Promise<void>;
  private waiting = false;
  /** Set by {@link acquire}: the pool may be parked under this key. */
  private key?: string;
  private parkTimer?: NodeJS.Timeout;

  constructor(
    private readonly size: number,
    private init: WorkerInit,
    private onProgress?: (p: MoveProgress) => void,
    options: WorkerPoolOptions = {},
  ) {
    // The bundle is found or built while the run plans; workers start once it is there.
    let why: unknown;
    const bundle = options.bundle ?? (() => moveWorkerBundle(undefined, (err) => (why = err)));
    this.ready = bundle()
      .catch((err) => {
        why = err;
        return undefined;
      })
      .then((b) => {
        this.code = bootstrap(b);
        this.mode = b ? 'bundle' : 'tsx';
        const reason = why instanceof Error ? why.message : why === undefined ? 'none built' : String(why);
        options.logger?.debug(b ? `move workers run ${b.file}` : `move workers load the sources (bundle: ${reason})`);
      });
  }

  /** Resolves when the workers' code is known (bundle found or built, or the tsx fallback chosen). */
  whenReady(): Promise<void> {
    return this.ready;
  }

  /** Runs one Move in a worker. */
  move(input: MoveInput): Promise<MoveOutput> {
    if (this.closed) return Promise.reject(new Error('worker pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      this.dispatch();
    });
  }

  /** Starts up to `n` workers ahead of need (a worker takes a while to load its modules). */
  warm(n = 1): void {
    if (this.code === undefined) {
      this.ready.then(() => this.warm(n));
      return;
    }
    while (!this.closed && this.live.size < Math.min(n, this.size)) this.idle.push(this.spawn());
  }

  private dispatch(): void {
    if (this.code === undefined) {
      if (!this.waiting) {
        this.waiting = true;
        this.ready.then(() => this.dispatch());
      }
      return;
    }
    while (this.queue.length > 0) {
      const worker = this.idle.pop() ?? (this.live.size < this.size ? this.spawn() : undefined);
      if (!worker) return;
      const job = this.queue.shift() as Pending;
      this.busy.set(worker, job);
      worker.postMessage({ input: job.input } satisfies WorkerRequest);
    }
  }

  private spawn(): Worker {
    const worker = new Worker(this.code as string, { eval: true, workerData: this.init, env: { ...process.env } });
    this.live.add(worker);
    worker.on('message', (msg: WorkerReply) => this.onMessage(worker, msg));
    // A crashed worker (out of memory, native fault) is replaced; its chunk fails as transient, so it is retried.
    worker.on('error', (err) =>
      this.onExit(worker, new RemoteTaskError('TransientError', `move worker failed: ${err.message}`)),
    );
    worker.on('exit', (code) =>
      this.onExit(worker, new RemoteTaskError('TransientError', `move worker exited with code ${code}`)),
    );
    return worker;
  }

  private onMessage(worker: Worker, msg: WorkerReply): void {
    if (msg.progress) {
      this.onProgress?.(msg.progress);
      return;
    }
    const job = this.busy.get(worker);
    this.busy.delete(worker);
    if (job) {
      if (msg.error) job.reject(new RemoteTaskError(msg.error.name, msg.error.message));
      else job.resolve(msg.output ?? []);
    }
    this.idle.push(worker);
    this.dispatch();
  }

  private onExit(worker: Worker, err: Error): void {
    if (!this.live.delete(worker)) return; // 'error' is followed by 'exit': handle the first only
    const job = this.busy.get(worker);
    this.busy.delete(worker);
    const i = this.idle.indexOf(worker);
    if (i >= 0) this.idle.splice(i, 1);
    if (job) job.reject(err);
    if (!this.closed) this.dispatch();
  }

  /**
   * Ends a run's use of the pool: parks its workers for the next run of this process ({@link acquire}), or
   * stops them (nothing to keep, keeping disabled, or a pool of the same key already parked).
   */
  async release(): Promise<void> {
    const key = this.key;
    const ms = keepMs();
    if (key === undefined || ms === 0 || this.closed || this.busy.size > 0 || this.live.size === 0 || parked.has(key))
      return this.close();
    for (const w of this.live) {
      w.postMessage({ park: true });
      w.unref();
    }
    this.onProgress = undefined;
    parked.set(key, this);
    this.parkTimer = setTimeout(() => {
      if (parked.get(key) === this) parked.delete(key);
      void this.close();
    }, ms).unref();
  }

  /** A parked pool taken by a new run: its workers rebuild their deps from the run's init and environment. */
  private resume(init: WorkerInit, onProgress?: (p: MoveProgress) => void): void {
    clearTimeout(this.parkTimer);
    this.init = init;
    this.onProgress = onProgress;
    for (const w of this.live) {
      w.ref();
      w.postMessage({ init, env: { ...process.env } });
    }
  }

  /** Stops every worker; queued moves fail. */
  async close(): Promise<void> {
    clearTimeout(this.parkTimer);
    if (this.key !== undefined && parked.get(this.key) === this) parked.delete(this.key);
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error('worker pool closed'));
    const all = [...this.idle, ...this.busy.keys()];
    this.idle.length = 0;
    await Promise.all(all.map((w) => w.terminate()));
  }
}
