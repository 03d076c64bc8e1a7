/**
 * A child process of the chaos runner: runs a workflow with the local engine (moves in the main thread) and
 * connectors instrumented with the crash hook, then prints the run summary as JSON on stdout.
 *
 *   tsx test/chaos/driver.ts <workflow.yaml>        (cwd: the scenario folder; ICEFLOE_CRASH_AT picks the kill)
 */
import { dirname, join } from 'node:path';
import type { Sink, Source } from '../../core/connectors/types';
import { type RunSummary, runWorkflowLocally } from '../../core/engine';
import { loadWorkflow } from '../../core/engine/load-workflow';
import { describeError } from '../../core/errors';
import { type ConnectorModule, ConnectorRegistry, connectors } from '../../core/movement/connectors';
import { crashPoint, holdPoint } from './crash-hook';

/** A sink that calls the crash hook around prepare, each staged chunk and commit. */
function instrumentSink(sink: Sink): Sink {
  return {
    prepare: async (...a) => {
      await sink.prepare(...a);
      crashPoint('plan');
    },
    stage: async (...a) => {
      const r = await sink.stage(...a);
      crashPoint('staged');
      return r;
    },
    ...(sink.stageDeletes
      ? {
          stageDeletes: async (...a: Parameters<NonNullable<Sink['stageDeletes']>>) => {
            const r = await (sink.stageDeletes as NonNullable<Sink['stageDeletes']>)(...a);
            crashPoint('staged');
            return r;
          },
        }
      : {}),
    commit: async (...a) => {
      await holdPoint();
      crashPoint('commit:start');
      const r = await sink.commit(...a);
      crashPoint('commit:done');
      return r;
    },
    abort: (...a) => sink.abort(...a),
    readState: (...a) => sink.readState(...a),
    // manifestDeps closes what it built (the Postgres pool) by duck typing.
    close: async () => (sink as { close?: () => Promise<void> }).close?.(),
  } as Sink;
}

/** The process-wide connectors with every sink instrumented. */
export function instrumentedRegistry(types = ['generator', 'lakehouse', 'postgresql']): ConnectorRegistry {
  const registry = new ConnectorRegistry();
  for (const type of types) {
    const m = connectors.module(type) as ConnectorModule;
    registry.register(type, {
      ...m,
      ...(m.source
        ? { source: async (t) => (await (m.source as NonNullable<ConnectorModule['source']>)(t)) as Source }
        : {}),
      ...(m.sink
        ? { sink: async (t) => instrumentSink(await (m.sink as NonNullable<ConnectorModule['sink']>)(t)) }
        : {}),
    });
  }
  return registry;
}

/**
 * Runs a workflow file with moves in this thread, staging in `<folder of the file>/.icefloe`.
 * @param registry the instrumented registry in the child; the plain one in-process (no crash points)
 */
export async function runWorkflowFile(file: string, registry: ConnectorRegistry = connectors): Promise<RunSummary> {
  const { set, workflow } = await loadWorkflow(file);
  return runWorkflowLocally({
    manifests: set,
    workflow,
    stagingRoot: join(dirname(file), '.icefloe'),
    parallelism: 0,
    registry,
    retryIntervalMs: 10,
  });
}

async function main(): Promise<number> {
  const file = process.argv[2];
  if (!file) throw new Error('usage: driver.ts <workflow.yaml>');
  const summary = await runWorkflowFile(file, instrumentedRegistry());
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  return summary.status === 'succeeded' ? 0 : 1;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`error: ${describeError(err)}\n`);
      process.exit(2);
    },
  );
}
