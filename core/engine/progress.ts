/**
 * Progress of a local run, per job: status, chunks, rows and bytes read, and the final figures of the commit.
 * The tracker is fed by the task bindings (`run-workflow.ts`); renderers (`render.ts`) draw it.
 */
import type { MoveProgress } from '../movement/deps';
import type { CommitOutput, PlanOutput } from '../movement/types';

export type JobStatus = 'pending' | 'planning' | 'moving' | 'committing' | 'succeeded' | 'failed' | 'cancelled';

export interface JobProgress {
  job: string;
  status: JobStatus;
  chunkCount?: number;
  chunksDone: number;
  rowsRead: number;
  bytesRead: number;
  startedAt?: number;
  endedAt?: number;
  plan?: PlanOutput;
  commit?: CommitOutput;
  error?: string;
}

export type ProgressEvent =
  | { type: 'planning' | 'committing'; job: JobProgress }
  | { type: 'planned'; job: JobProgress }
  | { type: 'chunk'; job: JobProgress; done: boolean }
  | { type: 'succeeded' | 'failed' | 'cancelled'; job: JobProgress };

/** Per-job progress, keyed by DAG node name, in DAG order. */
export class ProgressTracker {
  readonly jobs = new Map<string, JobProgress>();
  private readonly chunks = new Map<string, Map<string, { rows: number; bytes: number; done: boolean }>>();
  private readonly listeners: Array<(e: ProgressEvent) => void> = [];

  constructor(
    jobNames: string[],
    private readonly clock: () => number = Date.now,
  ) {
    for (const job of jobNames)
      this.jobs.set(job, { job, status: 'pending', chunksDone: 0, rowsRead: 0, bytesRead: 0 });
  }

  on(listener: (e: ProgressEvent) => void): void {
    this.listeners.push(listener);
  }

  private get(job: string): JobProgress {
    let p = this.jobs.get(job);
    if (!p) {
      p = { job, status: 'pending', chunksDone: 0, rowsRead: 0, bytesRead: 0 };
      this.jobs.set(job, p);
    }
    return p;
  }

  private emit(e: ProgressEvent): void {
    for (const l of this.listeners) l(e);
  }

  planning(job: string): void {
    const p = this.get(job);
    p.status = 'planning';
    p.startedAt ??= this.clock();
    this.emit({ type: 'planning', job: p });
  }

  planned(plan: PlanOutput): void {
    const p = this.get(plan.job);
    Object.assign(p, { status: 'moving', plan, chunkCount: plan.chunkCount, chunksDone: 0, rowsRead: 0, bytesRead: 0 });
    this.chunks.set(plan.job, new Map());
    this.emit({ type: 'planned', job: p });
  }

  /** A chunk's progress; a retried chunk replaces its earlier figures. */
  chunk(job: string, m: MoveProgress): void {
    const p = this.get(job);
    const per = this.chunks.get(job) ?? new Map();
    this.chunks.set(job, per);
    per.set(m.chunkId, { rows: m.rowsRead, bytes: m.bytesRead, done: m.done });
    let rows = 0;
    let bytes = 0;
    let done = 0;
    for (const c of per.values()) {
      rows += c.rows;
      bytes += c.bytes;
      if (c.done) done++;
    }
    Object.assign(p, { rowsRead: rows, bytesRead: bytes, chunksDone: done });
    this.emit({ type: 'chunk', job: p, done: m.done });
  }

  committing(job: string): void {
    const p = this.get(job);
    p.status = 'committing';
    this.emit({ type: 'committing', job: p });
  }

  succeeded(commit: CommitOutput, job: string): void {
    const p = this.get(job);
    Object.assign(p, {
      status: 'succeeded',
      commit,
      endedAt: this.clock(),
      rowsRead: commit.rowsRead,
      chunksDone: commit.chunkCount,
    });
    this.emit({ type: 'succeeded', job: p });
  }

  failed(job: string, error: string, status: 'failed' | 'cancelled' = 'failed'): void {
    const p = this.get(job);
    Object.assign(p, { status, error, endedAt: this.clock() });
    this.emit({ type: status, job: p });
  }

  /** Rows per second of a job so far. */
  rate(p: JobProgress): number {
    if (!p.startedAt) return 0;
    const secs = ((p.endedAt ?? this.clock()) - p.startedAt) / 1000;
    return secs > 0 ? p.rowsRead / secs : 0;
  }
}
