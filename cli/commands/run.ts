import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import {
  newRunId,
  plainProgress,
  type RunSummary,
  runWorkflowLocally,
  summaryTable,
  ttyProgress,
} from '../../core/engine';
import { loadWorkflow } from '../../core/engine/load-workflow';
import { acquireRunLock, removeStaleStaging } from '../../core/engine/run-lock';
import { InvalidInputError } from '../../core/errors';
import { parseCommandArgs } from '../args';
import type { CliIO, Command } from '../command';

const USAGE = 'usage: icefloe run <workflow.yaml> [--manifests DIR] [--parallelism N] [--json]';

/** After SIGTERM, the run exits at the latest after this long, even with tasks still running. */
const SIGTERM_GRACE_MS = 10_000;

function parallelismOf(v: string | undefined): number {
  if (v === undefined) return availableParallelism();
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidInputError(`--parallelism: expected a whole number >= 0, got '${v}'`);
  return n;
}

function report(summary: RunSummary, json: boolean, io: CliIO): number {
  if (json) io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else io.stdout.write(`\n${summaryTable(summary)}\n`);
  if (summary.status === 'succeeded') return 0;
  if (summary.errorName === 'ExecutionAbortedError') {
    io.stderr.write('error: interrupted; unfinished jobs were cleaned up and their sinks are unchanged\n');
    return 1;
  }
  const failed = summary.jobs.find((j) => j.status === 'failed');
  io.stderr.write(`error: ${failed ? `job ${failed.job} failed: ` : ''}${summary.error ?? 'the run failed'}\n`);
  // A run that failed on bad input (unknown depot type, bad option) exits 2 like any invalid input.
  return summary.errorName === 'InvalidInputError' || summary.errorName === 'NotFoundError' ? 2 : 1;
}

/** `icefloe run`: runs a workflow's state machine on this machine. */
export const command: Command = {
  summary: 'run a workflow on this machine (the same state machine Step Functions runs)',
  help: [
    USAGE,
    '',
    'Runs every job of the workflow (Plan -> Move chunks in parallel -> one atomic Commit), dependencies first,',
    'independent jobs at the same time. Staging goes to .icefloe/ in the current folder.',
    '',
    'options:',
    "  --manifests DIR    folder of the depots, lakehouses and secrets (default: the workflow file's folder)",
    '  --parallelism N    worker threads moving chunks (default: the number of cores; 0: in the main thread)',
    '  --json             print a machine-readable summary on stdout (progress goes to stderr)',
    '',
    "One run of a workflow at a time in this folder: when it is running already, the schedule's concurrencyPolicy",
    'decides: Allow (default) waits for it, Forbid fails at once, Replace stops it (SIGTERM) and runs. Staging left',
    'by killed runs of the workflow is removed at start.',
    '',
    'exit codes: 0 every job committed, 1 a job failed (its sink unchanged) or the workflow is running (Forbid),',
    '            2 invalid manifests or arguments',
    'example: icefloe run examples/quickstart/workflow.yaml',
  ].join('\n'),
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      manifests: { type: 'string' },
      parallelism: { type: 'string' },
      json: { type: 'boolean' },
    });
    const [file, ...extra] = positionals;
    if (!file || extra.length > 0) throw new InvalidInputError(USAGE);
    const parallelism = parallelismOf(values.parallelism);
    const { set, workflow } = await loadWorkflow(file, values.manifests);
    const json = values.json === true;
    const progressOut = json ? io.stderr : io.stdout;
    const tty = json ? Boolean((io.stderr as NodeJS.WriteStream).isTTY) : io.isTTY;
    let stop = () => {};
    const stagingRoot = join(process.cwd(), '.icefloe');
    const runId = newRunId();
    // One run of a workflow at a time here, as its schedule's concurrencyPolicy says (core/engine/run-lock.ts).
    const lock = await acquireRunLock({
      stagingRoot,
      workflow,
      runId,
      onBusy: (h, policy) =>
        io.stderr.write(
          policy === 'Replace'
            ? `replacing run ${h.runId} (pid ${h.pid}) of workflow ${h.workflow}: stopping it (concurrencyPolicy Replace)\n`
            : `waiting for run ${h.runId} (pid ${h.pid}) of workflow ${h.workflow} to finish (concurrencyPolicy ${policy})\n`,
        ),
    });
    // Ctrl-C, or SIGTERM (a Replace run stopping this one): start no new task (so no commit), let running tasks
    // finish, clean up unfinished jobs (their sinks stay unchanged). SIGTERM exits after a grace period anyway.
    const interrupt = new AbortController();
    const onSigint = () => interrupt.abort();
    const onSigterm = () => {
      io.stderr.write('stopping: SIGTERM received; no new task starts, unfinished jobs are cleaned up\n');
      interrupt.abort();
      setTimeout(() => {
        lock.release();
        process.exit(143);
      }, SIGTERM_GRACE_MS).unref();
    };
    process.once('SIGINT', onSigint);
    process.once('SIGTERM', onSigterm);
    let summary: RunSummary;
    try {
      const removed = await removeStaleStaging(stagingRoot, workflow, runId);
      if (removed.length > 0)
        io.stderr.write(`removed the staging of ${removed.length} killed run(s): ${removed.join(', ')}\n`);
      summary = await runWorkflowLocally({
        signal: interrupt.signal,
        manifests: set,
        workflow,
        stagingRoot,
        runId,
        parallelism,
        onStart: (tracker) => {
          stop = tty ? ttyProgress(tracker, progressOut) : plainProgress(tracker, progressOut);
        },
      });
    } finally {
      process.removeListener('SIGINT', onSigint);
      process.removeListener('SIGTERM', onSigterm);
      lock.release();
    }
    stop();
    return report(summary, json, io);
  },
};
