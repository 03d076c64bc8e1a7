/**
 * The body of a Move worker thread: builds task deps (manifests from `workerData`, connectors from the
 * registry's discovery plus `setupModules`), then runs `move` for every message and replies with the output,
 * progress reports, or the error's name and message. A worker kept for a later run of the same process gets
 * that run's init (`{ init }`: deps rebuilt, environment replaced) and is told when it is parked (`{ park }`:
 * connectors closed).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LocalFileIO } from '../iceberg/io/local';
import type { ManifestSet } from '../manifest/types';
import { connectors, consoleLogger, type MoveProgress, manifestDeps, move, Staging } from '../movement';
import type { MoveInput, MoveOutput } from '../movement/types';

/** What the pool passes each worker. */
export interface WorkerInit {
  manifests: ManifestSet;
  stagingRoot: string;
  /** Modules required first in each worker (they may register connectors). */
  setupModules: string[];
}

/** A message to a worker: one move, a new run's init, or "parked" (release connections). */
export type WorkerRequest = { input: MoveInput } | { init: WorkerInit; env: NodeJS.ProcessEnv } | { park: true };

export interface WorkerReply {
  output?: MoveOutput;
  progress?: MoveProgress;
  error?: { name: string; message: string };
}

if (parentPort) {
  const port = parentPort;
  const required = new Set<string>();
  const build = (init: WorkerInit) => {
    for (const m of init.setupModules) {
      if (required.has(m)) continue;
      required.add(m);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(m);
    }
    return manifestDeps(init.manifests, {
      staging: new Staging(new LocalFileIO(), init.stagingRoot),
      logger: consoleLogger(process.stderr),
      registry: connectors,
      onProgress: (progress) => port.postMessage({ progress } satisfies WorkerReply),
    });
  };
  // Messages are handled in order: a move waits for the init before it.
  let deps: Promise<ReturnType<typeof manifestDeps> | undefined> = Promise.resolve(build(workerData as WorkerInit));
  const swap = (next: () => ReturnType<typeof manifestDeps> | undefined) => {
    deps = deps
      .catch(() => undefined) // a failed init (its moves failed with its error) does not block the next
      .then(async (d) => {
        await d?.close().catch(() => undefined);
        return next();
      });
  };
  port.on('message', async (msg: WorkerRequest) => {
    if ('park' in msg) return swap(() => undefined);
    if ('init' in msg) {
      for (const k of Object.keys(process.env)) if (!(k in msg.env)) delete process.env[k];
      Object.assign(process.env, msg.env);
      return swap(() => build(msg.init));
    }
    try {
      const d = await deps;
      if (!d) throw new Error('move worker is parked');
      port.postMessage({ output: await move(d, msg.input) } satisfies WorkerReply);
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      port.postMessage({ error: { name: e.name, message: e.message } } satisfies WorkerReply);
    }
  });
}
