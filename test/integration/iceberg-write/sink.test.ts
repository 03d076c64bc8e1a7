import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { LakehouseSink } from '../../../core/connectors/lakehouse/sink';
import type { JobState } from '../../../core/connectors/types';
import { FileCatalog } from '../../../core/iceberg/catalog/file-catalog';
import { LocalFileIO } from '../../../core/iceberg/io/local';
import type { JobOptions } from '../../../core/manifest/types';
import { byKey, readRows } from '../../unit/iceberg/transaction/read-back';

const dir = mkdtempSync(join(tmpdir(), 'icefloe-sink-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function table(ids: number[], v: string): arrow.Table {
  return new arrow.Table({
    id: arrow.makeVector(Int32Array.from(ids)),
    v: arrow.vectorFromArray(
      ids.map((i) => `${v}${i}`),
      new arrow.Utf8(),
    ),
  });
}
async function* batches(t: arrow.Table) {
  yield* t.batches;
}
const state = (runId: string, cursor: string): JobState => ({
  jobId: 'job1',
  runId,
  cursor,
  rowsWritten: 0,
  committedAt: new Date(0).toISOString(),
});

describe('lakehouse sink', () => {
  it('stages chunks, commits one snapshot per run with state, merges, and re-commits idempotently', async () => {
    const catalog = new FileCatalog(dir, new LocalFileIO());
    const sink = new LakehouseSink(catalog);
    const opts: JobOptions = { destTable: 'sales.orders', incrementalStrategy: 'append' };
    const ctx = { jobId: 'job1', runId: 'r1' };
    await sink.prepare(ctx, opts, table([1], 'a').schema);
    const c1 = await sink.stage(ctx, opts, 'c1', batches(table([1, 2], 'a')));
    const c1again = await sink.stage(ctx, opts, 'c1', batches(table([1, 2], 'a')));
    const c2 = await sink.stage(ctx, opts, 'c2', batches(table([3], 'a')));
    expect(c1again.detail).toEqual(c1.detail);
    const r1 = await sink.commit(ctx, opts, [c1again, c2], state('r1', '10'));
    expect(r1.rowsWritten).toBe(3);
    const again = await sink.commit(ctx, opts, [c1again, c2], state('r1', '10'));
    expect(again.sinkVersion).toBe(r1.sinkVersion);
    expect(await sink.readState('job1', opts)).toMatchObject({ runId: 'r1', cursor: '10' });
    const merge: JobOptions = { ...opts, incrementalStrategy: 'merge', primaryKey: ['id'] };
    const ctx2 = { jobId: 'job1', runId: 'r2' };
    await sink.prepare(ctx2, merge, table([1], 'b').schema);
    const m1 = await sink.stage(ctx2, merge, 'c1', batches(table([2, 4], 'b')));
    await sink.commit(ctx2, merge, [m1], state('r2', '20'));
    const id = { namespace: ['sales'], name: 'orders' };
    expect((await readRows(catalog, id)).sort(byKey('id')).map((r) => r.v)).toEqual(['a1', 'b2', 'a3', 'b4']);
    expect(await sink.readState('job1', merge)).toMatchObject({ cursor: '20' });
    const ctx3 = { jobId: 'job1', runId: 'r3' };
    await sink.stage(ctx3, opts, 'c1', batches(table([7], 'x')));
    await sink.abort(ctx3, opts);
    const files: string[] = [];
    for await (const f of catalog.io.list(`${dir}/sales/orders/data/`)) files.push(f.path);
    expect(files.some((f) => f.includes('/r3-'))).toBe(false);
    expect(await readRows(catalog, id)).toHaveLength(4);
  });

  it.each(['merge-on-read', 'copy-on-write'])('applies deleted keys staged by stageDeletes (%s)', async (mode) => {
    const catalog = new FileCatalog(dir, new LocalFileIO());
    const sink = new LakehouseSink(catalog);
    const opts: JobOptions = {
      destTable: `del.t_${mode.replace(/-/g, '_')}`,
      incrementalStrategy: 'merge',
      primaryKey: ['id'],
    };
    const ctx = { jobId: 'j', runId: 'r1' };
    await sink.prepare(ctx, opts, table([1], 'a').schema);
    const { metadata } = await catalog.loadTable({ namespace: ['del'], name: `t_${mode.replace(/-/g, '_')}` });
    await catalog.commitTable({
      identifier: { namespace: ['del'], name: `t_${mode.replace(/-/g, '_')}` },
      requirements: [],
      updates: [{ action: 'set-properties', updates: { 'write.merge.mode': mode } }],
    });
    expect(metadata.properties['write.merge.mode']).toBeUndefined();
    const c1 = await sink.stage(ctx, opts, 'c1', batches(table([1, 2, 3], 'a')));
    await sink.commit(ctx, opts, [c1], state('r1', '1'));
    const ctx2 = { jobId: 'j', runId: 'r2' };
    const up = await sink.stage(ctx2, opts, 'c1', batches(table([3], 'b')));
    const del = await sink.stageDeletes!(
      ctx2,
      opts,
      'd1',
      batches(new arrow.Table({ id: arrow.makeVector(Int32Array.from([1])) })),
    );
    const out = await sink.commit(ctx2, opts, [up, del], state('r2', '2'));
    expect(out.rowsDeleted).toBeGreaterThanOrEqual(1);
    const rows = (await readRows(catalog, { namespace: ['del'], name: `t_${mode.replace(/-/g, '_')}` })).sort(
      byKey('id'),
    );
    expect(rows.map((r) => `${r.id}:${r.v}`)).toEqual(['2:a2', '3:b3']);
  });

  it('keeps one row per key when two chunks of a merge-on-read run stage the same key (last chunk wins)', async () => {
    const catalog = new FileCatalog(dir, new LocalFileIO());
    const sink = new LakehouseSink(catalog);
    const opts: JobOptions = { destTable: 'dup.t', incrementalStrategy: 'merge', primaryKey: ['id'] };
    const ctx = { jobId: 'j', runId: 'r1' };
    await sink.prepare(ctx, opts, table([1], 'a').schema);
    // Only primary-key columns are created required, whatever the first batch's nullability says.
    const created = (await catalog.loadTable({ namespace: ['dup'], name: 't' })).metadata.schemas[0];
    expect(created?.fields.map((f) => `${f.name}:${f.required}`)).toEqual(['id:true', 'v:false']);
    const c1 = await sink.stage(ctx, opts, 'c1', batches(table([1, 2, 3], 'first')));
    const c2 = await sink.stage(ctx, opts, 'c2', batches(table([2, 4], 'second')));
    await sink.commit(ctx, opts, [c1, c2], state('r1', '1'));
    const rows = (await readRows(catalog, { namespace: ['dup'], name: 't' })).sort(byKey('id'));
    expect(rows.map((r) => `${r.id}:${r.v}`)).toEqual(['1:first1', '2:second2', '3:first3', '4:second4']);
  });
});
