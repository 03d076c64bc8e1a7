/**
 * The summary of a local run: per job what `--json` prints and what the table at the end shows.
 */
import type { JobProgress, JobStatus, ProgressTracker } from './progress';

export interface JobSummary {
  job: string;
  jobId?: string;
  status: JobStatus;
  chunks: number;
  rowsRead: number;
  rowsWritten: number;
  rowsDeleted: number;
  /** Bytes the sink staged (data files written, staging rows). */
  bytes: number;
  /** Files or staged parts written by the sink. */
  files: number;
  /** Source position read up to (Iceberg snapshot id, incremental cursor). */
  sourceCursor?: string;
  /** The position of the previous run, when this one was incremental. */
  previousCursor?: string;
  incremental?: boolean;
  /** Sink position after the commit (Iceberg snapshot id, Postgres transaction id). */
  sinkVersion?: string;
  durationMs: number;
  notes: string[];
  error?: string;
}

export interface RunSummary {
  workflow: string;
  runId: string;
  status: 'succeeded' | 'failed';
  durationMs: number;
  /** The message of the error the run failed with (names the job, the chunk and the cause). */
  error?: string;
  /** The error's name (`TransientError`, `InvalidInputError`, `States.Timeout`, …), as Step Functions reports it. */
  errorName?: string;
  jobs: JobSummary[];
}

function jobSummary(p: JobProgress): JobSummary {
  const c = p.commit;
  const out: JobSummary = {
    job: p.job,
    status: p.status,
    chunks: p.chunkCount ?? 0,
    rowsRead: c?.rowsRead ?? p.rowsRead,
    rowsWritten: c?.rowsWritten ?? 0,
    rowsDeleted: c?.rowsDeleted ?? 0,
    bytes: c?.bytesStaged ?? 0,
    files: c?.files ?? 0,
    durationMs: p.startedAt ? (p.endedAt ?? Date.now()) - p.startedAt : 0,
    notes: p.plan?.notes ?? [],
  };
  const optional: Partial<JobSummary> = {
    jobId: p.plan?.jobId,
    sourceCursor: c?.cursor ?? p.plan?.cursor,
    previousCursor: c?.previousCursor ?? p.plan?.previousCursor,
    incremental: p.plan?.incremental,
    sinkVersion: c?.sinkVersion,
    error: p.error,
  };
  for (const [k, v] of Object.entries(optional))
    if (v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
  return out;
}

/** Builds the run summary from the tracker. */
export function summarize(tracker: ProgressTracker, run: Omit<RunSummary, 'jobs'>): RunSummary {
  return { ...run, jobs: [...tracker.jobs.values()].map(jobSummary) };
}

/** `1234567` → `1.2M`. */
export function human(n: number, unit = ''): string {
  const steps = ['', 'k', 'M', 'G', 'T'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1000 && i < steps.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? String(Math.round(v)) : v.toFixed(1)}${steps[i]}${unit}`;
}

/** Bytes with binary units. */
export function humanBytes(n: number): string {
  const steps = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < steps.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${steps[i]}`;
}

/** The summary as an aligned text table (one row per job) plus the run's outcome. */
export function summaryTable(s: RunSummary): string {
  const head = [
    'job',
    'status',
    'chunks',
    'rows read',
    'rows written',
    'deleted',
    'bytes',
    'files',
    'source',
    'sink',
    'time',
  ];
  const rows = s.jobs.map((j) => [
    j.job,
    j.status,
    String(j.chunks),
    String(j.rowsRead),
    String(j.rowsWritten),
    String(j.rowsDeleted),
    humanBytes(j.bytes),
    String(j.files),
    `${j.incremental ? '+' : ''}${j.sourceCursor ?? '-'}`,
    j.sinkVersion ?? '-',
    `${(j.durationMs / 1000).toFixed(1)}s`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const outcome = `workflow ${s.workflow} run ${s.runId}: ${s.status} in ${(s.durationMs / 1000).toFixed(1)}s${s.error ? ` (${s.error})` : ''}`;
  return [line(head), ...rows.map(line), '', outcome].join('\n');
}
