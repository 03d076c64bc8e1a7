/**
 * Progress output: redrawn bars on a terminal, plain log lines otherwise (CI, pipes, tests).
 */
import type { JobProgress, ProgressEvent, ProgressTracker } from './progress';
import { human, humanBytes } from './summary';

const BAR = 24;

function bar(p: JobProgress): string {
  const total = p.chunkCount ?? 0;
  const filled = total > 0 ? Math.round((p.chunksDone / total) * BAR) : p.status === 'succeeded' ? BAR : 0;
  return `[${'#'.repeat(filled)}${'.'.repeat(BAR - filled)}]`;
}

function line(t: ProgressTracker, p: JobProgress, width: number): string {
  const chunks = p.chunkCount === undefined ? '-' : `${p.chunksDone}/${p.chunkCount}`;
  return `${p.job.padEnd(width)} ${bar(p)} ${chunks.padStart(9)} chunks ${human(p.rowsRead).padStart(7)} rows ${humanBytes(p.bytesRead).padStart(10)} ${human(t.rate(p), ' rows/s').padStart(13)}  ${p.status}`;
}

/** Redraws one line per job every `intervalMs` on a terminal; returns a stop function that draws the last frame. */
export function ttyProgress(t: ProgressTracker, out: NodeJS.WritableStream, intervalMs = 200): () => void {
  const width = Math.max(...[...t.jobs.keys()].map((j) => j.length), 3);
  let drawn = 0;
  const draw = () => {
    const lines = [...t.jobs.values()].map((p) => line(t, p, width));
    out.write(`${drawn > 0 ? `\x1b[${drawn}A` : ''}${lines.map((l) => `\x1b[2K${l}\n`).join('')}`);
    drawn = lines.length;
  };
  const timer = setInterval(draw, intervalMs);
  timer.unref();
  draw();
  return () => {
    clearInterval(timer);
    draw();
  };
}

/** Writes a plain line per notable event (chunk progress at each tenth); returns a no-op stop function. */
export function plainProgress(t: ProgressTracker, out: NodeJS.WritableStream): () => void {
  const lastTenth = new Map<string, number>();
  const write = (p: JobProgress, msg: string) => out.write(`${new Date().toISOString()} job ${p.job}: ${msg}\n`);
  t.on((e: ProgressEvent) => {
    const p = e.job;
    switch (e.type) {
      case 'planning':
        return write(p, 'planning');
      case 'planned': {
        const plan = p.plan;
        const how = plan?.incremental ? `incremental since ${plan.previousCursor ?? 'start'}` : 'full read';
        return write(
          p,
          `planned ${p.chunkCount} chunk(s), ${how}, cursor ${plan?.cursor ?? '-'}${plan?.notes.length ? `; ${plan.notes.join('; ')}` : ''}`,
        );
      }
      case 'chunk': {
        if (!e.done || !p.chunkCount) return;
        const tenth = Math.floor((p.chunksDone / p.chunkCount) * 10);
        if (tenth === (lastTenth.get(p.job) ?? 0)) return;
        lastTenth.set(p.job, tenth);
        return write(
          p,
          `${p.chunksDone}/${p.chunkCount} chunks, ${p.rowsRead} rows, ${humanBytes(p.bytesRead)}, ${human(t.rate(p))} rows/s`,
        );
      }
      case 'committing':
        return write(p, 'committing');
      case 'succeeded':
        return write(
          p,
          `committed ${p.commit?.rowsWritten ?? 0} rows (${p.commit?.rowsDeleted ?? 0} deleted), sink version ${p.commit?.sinkVersion ?? '-'}`,
        );
      case 'failed':
      case 'cancelled':
        return write(p, `${e.type}: ${p.error ?? ''}`);
    }
  });
  return () => {};
}
