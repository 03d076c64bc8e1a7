/**
 * A fixed pool of worker threads running Move tasks, one task per worker at a time (Move is CPU-bound:
 * Parquet and Arrow encoding), so `--parallelism N` uses N cores. Workers load the TypeScript sources with
 * tsx (`require('tsx/cjs')` in an eval'd bootstrap), so the pool works the same from the CLI and from jest.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { MoveProgress } from '../movement/deps';
import type { MoveInput, MoveOutput } from '../movement/types';
import type { WorkerInit, WorkerReply } from './move-worker';

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

const BOOTSTRAP = `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(join(__dirname, 'move-worker.ts'))});`;

export class WorkerPool {
  private readonly idle: Worker[] = [];
  private readonly queue: Pending[] = [];
  private readonly busy = new Map<Worker, Pending>();
  private readonly live = new Set<Worker>();
  private closed = false;

  constructor(
    private readonly size: number,
    private readonly init: WorkerInit,
    private readonly onProgress?: (p: MoveProgress) => void,
  ) {}

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
    while (!this.closed && this.live.size < Math.min(n, this.size)) this.idle.push(this.spawn());
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const worker = this.idle.pop() ?? (this.live.size < this.size ? this.spawn() : undefined);
      if (!worker) return;
      const job = this.queue.shift() as Pending;
      this.busy.set(worker, job);
      worker.postMessage({ input: job.input });
    }
  }

  private spawn(): Worker {
    const worker = new Worker(BOOTSTRAP, { eval: true, workerData: this.init, env: { ...process.env } });
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

  /** Stops every worker; queued moves fail. */
  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error('worker pool closed'));
    const all = [...this.idle, ...this.busy.keys()];
    this.idle.length = 0;
    await Promise.all(all.map((w) => w.terminate()));
  }
}
