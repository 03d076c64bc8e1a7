import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { plainProgress, type RunSummary, runWorkflowLocally, summaryTable, ttyProgress } from '../../core/engine';
import { loadWorkflow } from '../../core/engine/load-workflow';
import { InvalidInputError } from '../../core/errors';
import { parseCommandArgs } from '../args';
import type { CliIO, Command } from '../command';

const USAGE = 'usage: icefloe run <workflow.yaml> [--manifests DIR] [--parallelism N] [--json]';

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
    'exit codes: 0 every job committed, 1 a job failed (its sink unchanged), 2 invalid manifests or arguments',
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
    // Ctrl-C: stop starting work, let running tasks finish, clean up unfinished jobs (their sinks stay unchanged).
    const interrupt = new AbortController();
    const onSigint = () => interrupt.abort();
    process.once('SIGINT', onSigint);
    const summary = await runWorkflowLocally({
      signal: interrupt.signal,
      manifests: set,
      workflow,
      stagingRoot: join(process.cwd(), '.icefloe'),
      parallelism,
      onStart: (tracker) => {
        stop = tty ? ttyProgress(tracker, progressOut) : plainProgress(tracker, progressOut);
      },
    });
    process.removeListener('SIGINT', onSigint);
    stop();
    return report(summary, json, io);
  },
};
