/**
 * Runs workflows through icefloe's local engine in this process (`runWorkflowLocally`, what `icefloe run`
 * calls), with manifests written to a temp folder: a file-warehouse lakehouse, the Postgres server of the
 * project and the generator depot.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RunSummary, runWorkflowLocally } from '../../core/engine';
import { loadWorkflow } from '../../core/engine/load-workflow';
import { PG } from './pg';
import { timed } from './types';

/** The depots of the benchmarks: `lh` (lakehouse in `warehouse`), `pg` (the server), `gen` (rows, seed). */
export function writeDepots(dir: string, o: { warehouse: string; rows: number; seed: number }): void {
  mkdirSync(dir, { recursive: true });
  const docs = [
    `name: lh\nversion: v1alpha\ntype: lakehouse\nlayer: user\nlakehouse:\n  type: iceberg\n  compute: runnable-default
  iceberg:\n    storage:\n      depotName: lh\n      type: file\n      file:\n        path: ${o.warehouse}\n    metastore:\n      type: file`,
    `name: pg\nversion: v2alpha\ntype: depot\nlayer: user\ndepot:\n  type: postgresql\n  external: true\n  secrets:
    - name: pg-rw\n      allkeys: true\n  postgresql:\n    subprotocol: postgresql\n    host: ${PG.host}\n    port: ${PG.port}
    database: ${PG.database}\n    params:\n      sslmode: disable`,
    `name: pg-rw\nversion: v1\ntype: instance-secret\nlayer: user\ninstance-secret:\n  type: key-value-properties
  acl: rw\n  data:\n    username: ${PG.user}\n    password: ""`,
    `name: gen\nversion: v1\ntype: depot\nlayer: user\ndepot:\n  type: generator\n  generator:\n    rows: ${o.rows}\n    seed: ${o.seed}`,
  ];
  writeFileSync(join(dir, 'depots.yaml'), `${docs.join('\n---\n')}\n`);
}

/** Writes a one-job workflow `<name>.yaml` (source → sink with the given options); returns its path. */
export function writeJob(
  dir: string,
  name: string,
  source: { address: string; options: Record<string, string> },
  sink: { address: string; options: Record<string, string> },
): string {
  const opts = (o: Record<string, string>) =>
    Object.entries(o)
      .map(([k, v]) => `\n              ${k}: ${v}`)
      .join('');
  const text = `name: ${name}\nversion: v1\ntype: workflow\nworkflow:\n  dag:\n    - name: ${name}\n      spec:
        stack: nilus:1.0\n        compute: runnable-default\n        stackSpec:\n          source:
            address: ${source.address}\n            options:${opts(source.options)}\n          sink:
            address: ${sink.address}\n            options:${opts(sink.options)}\n`;
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, text);
  return file;
}

/** Runs a workflow file with the engine; throws unless every job committed. */
export async function runEngine(
  file: string,
  manifestsDir: string,
  stagingRoot: string,
  parallelism: number,
): Promise<{ seconds: number; summary: RunSummary }> {
  const { set, workflow } = await loadWorkflow(file, manifestsDir);
  const { value: summary, seconds } = await timed(() =>
    runWorkflowLocally({ manifests: set, workflow, stagingRoot, parallelism }),
  );
  if (summary.status !== 'succeeded') throw new Error(`engine run of ${file} failed: ${summary.error}`);
  return { seconds, summary };
}
