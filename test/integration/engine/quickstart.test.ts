/**
 * The quickstart end to end with embedded defaults (file warehouse, file catalog, PGlite): generated
 * sales.orders into the lakehouse, then merged into Postgres retail.orders; counts and checksums equal the
 * source's, and a re-run without source changes writes nothing. Runs on a copy of examples/quickstart, in
 * child processes: PGlite loads its WASM with a dynamic import(), which jest's module sandbox does not allow.
 */

import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as arrow from 'apache-arrow';
import { LakehouseSink } from '../../../core/connectors/lakehouse/sink';
import type { RunSummary } from '../../../core/engine';
import { catalogFromConfig } from '../../../core/iceberg/catalog/from-config';
import { keyFieldIds, writeKeyDeletes } from '../../../core/iceberg/transaction/merge';
import { rowDelta } from '../../../core/iceberg/transaction/operations';
import { ordersBatch } from '../../../core/movement';

const ROWS = 3000;
const SEED = 42;

const ROOT = join(__dirname, '..', '..', '..');
const exec = promisify(execFile);

async function run(dir: string) {
  const args = [join(ROOT, 'bin', 'icefloe.js'), 'run', join(dir, 'workflow.yaml'), '--json', '--parallelism', '1'];
  try {
    const { stdout } = await exec(process.execPath, args, { cwd: dir, timeout: 120_000 });
    return { code: 0, summary: JSON.parse(stdout) as RunSummary };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, summary: { error: e.stderr } as RunSummary };
  }
}

/** count, sum(order_id), sum(amount) in cents of retail.orders, read by a child process. */
async function sinkChecksum(dir: string) {
  const script = `require(${JSON.stringify(require.resolve('tsx/cjs'))});
    const { openDriver } = require(${JSON.stringify(join(ROOT, 'core', 'connectors', 'postgres', 'open.ts'))});
    (async () => {
      const pg = await openDriver({ embedded: { path: ${JSON.stringify(join(dir, '.icefloe', 'pg'))} } });
      const rows = await pg.queryArrays('SELECT count(*)::text, sum(order_id)::text, (sum(amount) * 100)::bigint::text FROM retail.orders');
      await pg.close();
      process.stdout.write(JSON.stringify(rows[0]));
    })();`;
  const { stdout } = await exec(process.execPath, ['-e', script], { timeout: 60_000 });
  const [count, ids, cents] = JSON.parse(stdout) as string[];
  return { count, ids, cents };
}

const updated = (i: number) => i % 100 === 50; // 1% of the rows get one more cent
const deleted = (i: number) => i % 1000 === 0; // 0.1% of the rows are deleted

/** count, sum(order_id), sum(amount) in cents of the generated source, optionally after the edits above. */
function sourceChecksum(edited = false) {
  const b = ordersBatch(SEED, 0, ROWS);
  const amounts = b.getChild('amount');
  let [count, ids, cents] = [0n, 0n, 0n];
  for (let i = 0; i < ROWS; i++) {
    if (edited && deleted(i)) continue;
    count++;
    ids += BigInt(i + 1);
    cents += BigInt((amounts?.get(i) as Uint32Array | undefined)?.[0] ?? 0) + (edited && updated(i) ? 1n : 0n);
  }
  return { count: String(count), ids: String(ids), cents: String(cents) };
}

/** The generated rows i where `pick(i)`, one fresh batch each. */
function rowsWhere(pick: (i: number) => boolean): arrow.RecordBatch[] {
  const out: arrow.RecordBatch[] = [];
  for (let i = 0; i < ROWS; i++) if (pick(i)) out.push(ordersBatch(SEED, i, i + 1));
  return out;
}

async function* each(batches: arrow.RecordBatch[]) {
  yield* batches;
}

/** In the lakehouse: a merge commit updating 1% of the orders, then a delete commit of 0.1% (equality deletes). */
async function editLakehouse(dir: string) {
  const catalog = catalogFromConfig({ type: 'file', warehouse: join(dir, '.icefloe', 'warehouse') });
  const upd = rowsWhere(updated);
  for (const b of upd) {
    const words = b.getChild('amount')?.data[0]?.values as Uint32Array;
    words[0] = (words[0] as number) + 1;
  }
  const options = { destTable: 'sales.orders', incrementalStrategy: 'merge' as const, primaryKey: ['order_id'] };
  const ctx = { jobId: 'edit', runId: 'edit-1' };
  const sink = new LakehouseSink(catalog);
  const staged = await sink.stage(ctx, options, 'u', each(upd));
  await sink.commit(ctx, options, [staged], {
    jobId: 'edit',
    runId: 'edit-1',
    rowsWritten: upd.length,
    committedAt: '',
  });
  const id = { namespace: ['sales'], name: 'orders' };
  const { metadata } = await catalog.loadTable(id);
  const schema = metadata.schemas.find((s) => s['schema-id'] === metadata['current-schema-id']);
  const spec = metadata['partition-specs'].find((s) => s['spec-id'] === metadata['default-spec-id']);
  if (!schema || !spec) throw new Error('sales.orders has no schema or spec');
  const keys = new arrow.Table(rowsWhere(deleted)).select(['order_id', 'order_ts']);
  const keyIds = keyFieldIds(schema, ['order_id', 'order_ts']);
  await rowDelta(
    catalog,
    id,
    await writeKeyDeletes(keys, { io: catalog.io, metadata, schema, spec, keyIds, prefix: 'edit' }),
  );
}

// Each step starts the CLI and PGlite in child processes; on the shared 2-core machine that takes a while.
jest.setTimeout(300_000);

describe('quickstart', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'icefloe-quickstart-'));
    cpSync(join(__dirname, '..', '..', '..', 'examples', 'quickstart'), dir, {
      recursive: true,
      filter: (p) => !p.endsWith('.icefloe'),
    });
    const depots = join(dir, 'depots.yaml');
    writeFileSync(depots, readFileSync(depots, 'utf8').replace(/rows: \d+/, `rows: ${ROWS}`));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('moves generated orders through the lakehouse into Postgres, then re-runs writing nothing', async () => {
    const first = await run(dir);
    expect(first.summary.error).toBeUndefined();
    expect(first.code).toBe(0);
    expect(first.summary.jobs.map((j) => [j.job, j.status, j.rowsRead, j.rowsWritten])).toEqual([
      ['load-orders', 'succeeded', ROWS, ROWS],
      ['nb-job-01', 'succeeded', ROWS, ROWS],
    ]);
    const second = await run(dir);
    expect(second.code).toBe(0);
    expect(second.summary.jobs.map((j) => [j.chunks, j.rowsWritten, j.sinkVersion])).toEqual([
      [0, 0, undefined],
      [0, 0, undefined],
    ]);
    expect(await sinkChecksum(dir)).toEqual(sourceChecksum());
  });

  it('after 1% updates and 0.1% deletes in the lakehouse, reads only the new files and leaves Postgres equal', async () => {
    await editLakehouse(dir);
    const third = await run(dir);
    expect(third.summary.error).toBeUndefined();
    const [load, merge] = third.summary.jobs;
    expect(load).toMatchObject({ chunks: 0, rowsWritten: 0 });
    expect(merge).toMatchObject({ status: 'succeeded', incremental: true, rowsDeleted: ROWS / 1000 });
    expect(merge?.rowsRead).toBe(ROWS / 100 + ROWS / 1000); // the updated rows, plus the deleted keys
    expect(await sinkChecksum(dir)).toEqual(sourceChecksum(true));
  });
});
