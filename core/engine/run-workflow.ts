/**
 * `icefloe run`: executes a workflow's state machine definition on this machine. The definition is the one
 * deployed to Step Functions (or a synthesized one passed in); its Task resources are bound to the movement
 * tasks, Move runs in a worker-thread pool, and a progress tracker records every job.
 */
import { availableParallelism } from 'node:os';
import { TASK_OF_PLACEHOLDER, workflowDefinition } from '../../statemachines';
import type { AslDefinition, Json } from '../../statemachines/asl';
import type { DefinitionOptions } from '../../statemachines/job-chain';
import { describeError } from '../errors';
import type { FileIO } from '../iceberg/io/file-io';
import { LocalFileIO } from '../iceberg/io/local';
import type { ManifestSet, WorkflowManifest } from '../manifest/types';
import { type ConnectorRegistry, connectors } from '../movement/connectors';
import { depotOf, manifestDeps, type TaskLogger } from '../movement/deps';
import { Staging } from '../movement/staging';
import { cleanup, commit, move, plan } from '../movement/tasks';
import type { CleanupInput, CommitInput, MoveInput, PlanInput, PlanOutput, TaskName } from '../movement/types';
import { executeDefinition, type LocalTaskFn } from './executor';
import { ProgressTracker } from './progress';
import { Semaphore } from './semaphore';
import { type RunSummary, summarize } from './summary';
import { WorkerPool } from './worker-pool';

export interface LocalRunOptions {
  manifests: ManifestSet;
  workflow: WorkflowManifest;
  /** Root of the staging area, e.g. `<cwd>/.icefloe` (chunk lists land in `<root>/staging/...`). */
  stagingRoot: string;
  /** The store of the staging root. @default LocalFileIO */
  stagingIO?: FileIO;
  /** Move worker threads; 0 moves in the main thread. @default the number of cores */
  parallelism?: number;
  /** @default `local-<time>-<random>` */
  runId?: string;
  /** @default the process-wide registry (workers are used only with it: they rebuild it by discovery) */
  registry?: ConnectorRegistry;
  /** Modules each worker requires first (they may register connectors). */
  workerSetup?: string[];
  /** Overrides every retry wait, in ms (tests). */
  retryIntervalMs?: number;
  /** Runs this definition instead of generating one (e.g. the `DefinitionString` CDK synthesized). */
  definition?: AslDefinition;
  definitionOptions?: DefinitionOptions;
  /** Extra Task `Resource` → task bindings (deployed function ARNs); placeholders are always bound. */
  resources?: Record<string, TaskName>;
  logger?: TaskLogger;
  /** Stops the run (Ctrl-C): running tasks finish, unfinished jobs are cleaned up, the run fails. */
  signal?: AbortSignal;
  /** Receives the tracker before the run starts (progress renderers subscribe here). */
  onStart?: (tracker: ProgressTracker) => void;
}

const quiet: TaskLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** A run id that sorts by time and is a valid Step Functions execution name. */
export function newRunId(now = new Date()): string {
  return `local-${now.toISOString().replace(/[-:.]/g, '').replace('T', '-').slice(0, 15)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Tracks the promises of each job's tasks, so cleanup can wait for moves still running. */
class InFlight {
  private readonly byJob = new Map<string, Set<Promise<unknown>>>();
  track<T>(job: string, p: Promise<T>): Promise<T> {
    const set = this.byJob.get(job) ?? new Set();
    this.byJob.set(job, set);
    set.add(p);
    p.then(
      () => set.delete(p),
      () => set.delete(p),
    );
    return p;
  }
  async settle(job?: string): Promise<void> {
    const sets = job === undefined ? [...this.byJob.values()] : [this.byJob.get(job) ?? new Set()];
    await Promise.allSettled(sets.flatMap((s) => [...s]));
  }
}

/** Runs a workflow locally; resolves with the summary whether it succeeded or failed. */
export async function runWorkflowLocally(opts: LocalRunOptions): Promise<RunSummary> {
  const runId = opts.runId ?? newRunId();
  const started = Date.now();
  const definition = opts.definition ?? workflowDefinition(opts.workflow, opts.definitionOptions);
  const tracker = new ProgressTracker(opts.workflow.workflow.dag.map((n) => n.name));
  opts.onStart?.(tracker);
  const staging = new Staging(opts.stagingIO ?? new LocalFileIO(), opts.stagingRoot);
  const registry = opts.registry ?? connectors;
  const deps = manifestDeps(opts.manifests, {
    staging,
    logger: opts.logger ?? quiet,
    registry,
    onProgress: (m) => tracker.chunk(jobOfId(opts.workflow, m.jobId), m),
  });
  const size = opts.parallelism ?? availableParallelism();
  const pool = workerPool(opts, size, registry, tracker);
  const inflight = new InFlight();
  const local = new Semaphore(Math.max(1, size || availableParallelism()));
  const bound = bindTasks({ deps, tracker, inflight, pool, local, registry, manifests: opts.manifests });
  const tasks: Record<string, LocalTaskFn> = {};
  for (const [resource, name] of Object.entries({ ...TASK_OF_PLACEHOLDER, ...opts.resources }))
    tasks[resource] = bound[name];
  let error: { error: string; errorName: string } | undefined;
  try {
    await executeDefinition(
      definition,
      {},
      {
        tasks,
        executionName: runId,
        retryIntervalMs: opts.retryIntervalMs,
        ...(opts.signal ? { signal: opts.signal } : {}),
        readItems: async (reader) => staging.getJson<Json[]>((reader as { Key: string }).Key),
      },
    );
  } catch (err) {
    error = { errorName: (err as Error)?.name ?? 'Error', error: describeError(err) };
    const why = opts.signal?.aborted ? 'interrupted' : 'another job of the run failed';
    await cancelUnfinished(tracker, inflight, bound.cleanup, opts.workflow, runId, why);
  } finally {
    await inflight.settle();
    await (error === undefined ? pool?.release() : pool?.close()); // a successful run's workers wait for the next
    await deps.close();
  }
  const status = error === undefined ? 'succeeded' : 'failed';
  return summarize(tracker, {
    workflow: opts.workflow.name,
    runId,
    status,
    durationMs: Date.now() - started,
    ...error,
  });
}

/**
 * The Move worker pool, when moves may leave the main thread: workers rebuild the process-wide registry by
 * discovery (a custom registry cannot follow them) and reach staging through a local folder.
 */
function workerPool(opts: LocalRunOptions, size: number, registry: ConnectorRegistry, tracker: ProgressTracker) {
  if (size <= 0 || registry !== connectors || opts.stagingIO !== undefined) return undefined;
  const init = { manifests: opts.manifests, stagingRoot: opts.stagingRoot, setupModules: opts.workerSetup ?? [] };
  return WorkerPool.acquire(size, init, (m) => tracker.chunk(jobOfId(opts.workflow, m.jobId), m), {
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
}

function jobOfId(wf: WorkflowManifest, jobId: string): string {
  const prefix = `${wf.workspace ?? 'public'}.${wf.name}.`;
  return jobId.startsWith(prefix) ? jobId.slice(prefix.length) : jobId;
}

interface BindContext {
  deps: ReturnType<typeof manifestDeps>;
  tracker: ProgressTracker;
  inflight: InFlight;
  pool?: WorkerPool;
  /** Bounds moves run in this thread (connectors that cannot move in workers, or --parallelism 0). */
  local: Semaphore;
  registry: ConnectorRegistry;
  manifests: ManifestSet;
}

/** The four tasks as local functions feeding the tracker. */
function bindTasks(c: BindContext): Record<TaskName, LocalTaskFn> {
  const inWorkers = (p: Pick<PlanOutput, 'source' | 'sink'>) =>
    c.pool !== undefined &&
    c.registry.workerSafe(depotOf(c.manifests, p.source)) &&
    c.registry.workerSafe(depotOf(c.manifests, p.sink));
  return {
    plan: async (input) => {
      const i = input as unknown as PlanInput;
      c.tracker.planning(i.job);
      // Start a worker while the plan runs, when this job's chunks may move in workers.
      const { node } = await c.deps.resolveJob(i);
      if (c.pool && inWorkers(node.spec.stackSpec)) c.pool.warm(1);
      const out = await c.inflight.track(i.job, plan(c.deps, i));
      c.tracker.planned(out);
      return out as unknown as Json;
    },
    move: async (input) => {
      const i = input as unknown as MoveInput;
      const p = i.BatchInput.plan;
      const run = c.pool && inWorkers(p) ? c.pool.move(i) : c.local.run(() => move(c.deps, i));
      return (await c.inflight.track(p.job, run)) as unknown as Json;
    },
    commit: async (input) => {
      const i = input as unknown as CommitInput;
      c.tracker.committing(i.plan.job);
      const out = await c.inflight.track(i.plan.job, commit(c.deps, i));
      c.tracker.succeeded(out, i.plan.job);
      return out as unknown as Json;
    },
    cleanup: async (input) => {
      const i = input as unknown as CleanupInput;
      await c.inflight.settle(i.job); // moves of the failed map may still be writing staging
      const out = await cleanup(c.deps, i);
      c.tracker.failed(i.job, i.error ? `${i.error.Error}: ${i.error.Cause ?? ''}` : 'failed');
      return out as unknown as Json;
    },
  };
}

/** After a failed run: jobs that started but neither committed nor cleaned up (cancelled by a sibling's failure). */
async function cancelUnfinished(
  t: ProgressTracker,
  inflight: InFlight,
  cleanupFn: LocalTaskFn,
  wf: WorkflowManifest,
  runId: string,
  why: string,
): Promise<void> {
  for (const p of t.jobs.values()) {
    if (p.status === 'pending' || p.status === 'succeeded' || p.status === 'failed') continue;
    await inflight.settle(p.job);
    if ((p.status as string) === 'succeeded') continue; // its commit finished while we waited
    const input: CleanupInput = { workflow: wf.name, workspace: wf.workspace ?? 'public', job: p.job, runId };
    await cleanupFn(input as unknown as Json, `${p.job}/cleanup`).catch(() => undefined);
    t.failed(p.job, `cancelled: ${why}`, 'cancelled');
  }
}
