/**
 * A child process of the chaos runner: runs a workflow with the local engine (moves in the main thread) and
 * connectors instrumented with the crash hook, then prints the run summary as JSON on stdout.
 *
 *   tsx test/chaos/driver.ts <workflow.yaml>        (cwd: the scenario folder; ICEFLOE_CRASH_AT picks the kill)
 */
import { dirname, join } from 'node:path';
import type { PgDriver, PgSession } from '../../core/connectors/postgres/driver';
import type { Sink, Source } from '../../core/connectors/types';
import { type RunSummary, runWorkflowLocally } from '../../core/engine';
import { loadWorkflow } from '../../core/engine/load-workflow';
import { describeError } from '../../core/errors';
import { type ConnectorModule, ConnectorRegistry, connectors } from '../../core/movement/connectors';
import { crashPoint, holdPoint } from './crash-hook';

/** Set while the sink's commit runs: the inner hooks fire only then. */
let committing = false;

/**
 * The `commit:inside` hook, reached through the sink's own parts: the Iceberg sink's catalog FileIO (after the
 * write that creates `vN.metadata.json`) and the Postgres sink's driver sessions (before `COMMIT` is sent).
 */
function instrumentInside(sink: Sink): void {
  const io = (sink as { catalog?: { io?: { write: (...a: unknown[]) => Promise<void> } } }).catalog?.io;
  if (io) {
    const write = io.write.bind(io);
    io.write = async (...a: unknown[]) => {
      await write(...a);
      if (committing && /\/v\d+\.metadata\.json$/.test(String(a[0]))) crashPoint('commit:inside');
    };
  }
  const pg = sink as { driver?: () => Promise<PgDriver> };
  if (typeof pg.driver === 'function') {
    const driver = pg.driver.bind(sink);
    pg.driver = async () => {
      const d = await driver();
      return new Proxy(d, {
        get(target, prop, receiver) {
          if (prop !== 'session') return Reflect.get(target, prop, receiver);
          return <T>(fn: (s: PgSession) => Promise<T>) =>
            target.session((s) =>
              fn(
                new Proxy(s, {
                  get(st, p, r) {
                    if (p !== 'query') return Reflect.get(st, p, r);
                    return (sql: string, params?: unknown[]) => {
                      if (committing && /^\s*COMMIT\s*$/i.test(sql)) crashPoint('commit:inside');
                      return st.query(sql, params);
                    };
                  },
                }),
              ),
            );
        },
      });
    };
  }
}

/** A sink that calls the crash hook around prepare, each staged chunk and commit. */
function instrumentSink(sink: Sink): Sink {
  instrumentInside(sink);
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
      committing = true;
      const r = await sink.commit(...a).finally(() => {
        committing = false;
      });
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
