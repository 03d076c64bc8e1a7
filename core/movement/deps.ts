/**
 * What the tasks need from their host (a Lambda container or the local engine), built once and reused:
 * the job lookup, connector resolution, the staging area and a logger.
 */
import type { Sink, Source } from '../connectors/types';
import { InvalidInputError, NotFoundError } from '../errors';
import { depotOfLakehouse } from '../manifest/depot';
import type { DagNode, DepotManifest, Endpoint, ManifestSet, WorkflowManifest } from '../manifest/types';
import { type ConnectorRegistry, connectors as defaultRegistry } from './connectors';
import type { Staging } from './staging';

/** The structured logger the tasks write to (Powertools' Logger fits; so does a console adapter). */
export interface TaskLogger {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/** Progress of one chunk being moved (rows and bytes read so far); `done` on its last report. */
export interface MoveProgress {
  jobId: string;
  runId: string;
  chunkId: string;
  rowsRead: number;
  bytesRead: number;
  done: boolean;
}

/** How Plan and Cleanup name their job. */
export interface JobRef {
  workflow: string;
  workspace?: string;
  job: string;
  manifests?: string;
}

export interface ResolvedJob {
  workflow: WorkflowManifest;
  node: DagNode;
  /** `<workspace>.<workflow>.<job>`. */
  jobId: string;
}

export interface TaskDeps {
  resolveJob(ref: JobRef): Promise<ResolvedJob>;
  resolveSource(endpoint: Endpoint): Promise<Source>;
  resolveSink(endpoint: Endpoint): Promise<Sink>;
  staging: Staging;
  logger: TaskLogger;
  /** Called while a chunk moves (the local engine draws progress bars from it). */
  onProgress?: (progress: MoveProgress) => void;
  /** The clock (tests pin it). */
  now?: () => Date;
}

/** The stable id of a job: keys its incremental state. */
export function jobIdOf(workflow: WorkflowManifest, node: DagNode): string {
  return `${workflow.workspace ?? 'public'}.${workflow.name}.${node.name}`;
}

/** The depot manifest an endpoint names (declared depots, then depots created by lakehouses). */
export function depotOf(set: ManifestSet, endpoint: Endpoint): DepotManifest {
  const declared = set.depots.find((d) => d.name === endpoint.depot);
  if (declared) return declared;
  const lh = set.lakehouses.find((l) => l.lakehouse.storage.depotName === endpoint.depot);
  if (lh) return depotOfLakehouse(lh);
  const names = [...set.depots.map((d) => d.name), ...set.lakehouses.map((l) => l.lakehouse.storage.depotName)];
  throw new InvalidInputError(
    `${endpoint.address}: unknown depot '${endpoint.depot}'; depots in the manifests: ${names.length ? names.sort().join(', ') : 'none'}`,
  );
}

/** Finds a DAG node of a workflow in a manifest set. */
export function findJob(set: ManifestSet, ref: JobRef): ResolvedJob {
  const workflow = set.workflows.find(
    (w) => w.name === ref.workflow && (ref.workspace === undefined || (w.workspace ?? 'public') === ref.workspace),
  );
  if (!workflow) throw new NotFoundError(`workflow '${ref.workflow}' is not in the manifests`);
  const node = workflow.workflow.dag.find((n) => n.name === ref.job);
  if (!node) throw new NotFoundError(`workflow '${ref.workflow}' has no job '${ref.job}'`);
  return { workflow, node, jobId: jobIdOf(workflow, node) };
}

export interface ManifestDepsOptions {
  staging: Staging;
  logger: TaskLogger;
  registry?: ConnectorRegistry;
  onProgress?: TaskDeps['onProgress'];
}

/** Task deps over a loaded manifest set; `close()` releases the connectors it built (pools, embedded databases). */
export function manifestDeps(set: ManifestSet, opts: ManifestDepsOptions): TaskDeps & { close(): Promise<void> } {
  const registry = opts.registry ?? defaultRegistry;
  const built = new Map<string, Promise<Source | Sink>>();
  const cached = <T extends Source | Sink>(key: string, make: () => Promise<T>): Promise<T> => {
    let p = built.get(key);
    if (!p) {
      p = make();
      built.set(key, p);
      p.catch(() => built.delete(key));
    }
    return p as Promise<T>;
  };
  const target = (endpoint: Endpoint) => ({ endpoint, depot: depotOf(set, endpoint), manifests: set });
  return {
    staging: opts.staging,
    logger: opts.logger,
    onProgress: opts.onProgress,
    resolveJob: async (ref) => findJob(set, ref),
    resolveSource: async (e) => cached(`source ${e.depot}`, () => registry.source(target(e))),
    resolveSink: async (e) => cached(`sink ${e.depot}`, () => registry.sink(target(e))),
    async close() {
      const all = await Promise.allSettled(built.values());
      built.clear();
      for (const r of all) {
        const c = r.status === 'fulfilled' ? (r.value as { close?: () => Promise<void> | void }) : undefined;
        if (typeof c?.close === 'function') await c.close();
      }
    },
  };
}

/** A TaskLogger writing JSON lines to a stream (stderr by default); `debug` only when enabled. */
export function consoleLogger(stream: NodeJS.WritableStream = process.stderr, debug = false): TaskLogger {
  const log = (level: string) => (message: string, extra?: Record<string, unknown>) =>
    stream.write(`${JSON.stringify({ level, message, ...extra })}\n`);
  return { debug: debug ? log('DEBUG') : () => {}, info: log('INFO'), warn: log('WARN'), error: log('ERROR') };
}
