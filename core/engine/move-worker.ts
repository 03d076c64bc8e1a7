/**
 * The body of a Move worker thread: builds task deps once (manifests from `workerData`, connectors from the
 * registry's discovery plus `setupModules`), then runs `move` for every message and replies with the output,
 * progress reports, or the error's name and message.
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

export interface WorkerReply {
  output?: MoveOutput;
  progress?: MoveProgress;
  error?: { name: string; message: string };
}

if (parentPort) {
  const port = parentPort;
  const init = workerData as WorkerInit;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  for (const m of init.setupModules) require(m);
  const deps = manifestDeps(init.manifests, {
    staging: new Staging(new LocalFileIO(), init.stagingRoot),
    logger: consoleLogger(process.stderr),
    registry: connectors,
    onProgress: (progress) => port.postMessage({ progress } satisfies WorkerReply),
  });
  port.on('message', async ({ input }: { input: MoveInput }) => {
    try {
      port.postMessage({ output: await move(deps, input) } satisfies WorkerReply);
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      port.postMessage({ error: { name: e.name, message: e.message } } satisfies WorkerReply);
    }
  });
}
