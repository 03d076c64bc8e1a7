/**
 * The lakehouse source reads only what changed since the committed snapshot: an append adds its files; a
 * merge (equality deletes + new files) and a key delete yield the new rows plus exactly the deleted keys.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { LakehouseSink } from '../../../core/connectors/lakehouse/sink';
import type { JobState } from '../../../core/connectors/types';
import { catalogFromConfig } from '../../../core/iceberg/catalog/from-config';
import { keyFieldIds, writeKeyDeletes } from '../../../core/iceberg/transaction/merge';
import { rowDelta } from '../../../core/iceberg/transaction/operations';
import type { JobOptions } from '../../../core/manifest/types';
import { LakehouseSource } from '../../../core/movement/sources/lakehouse';

const field = (n: string, t: arrow.DataType, nullable: boolean) => new arrow.Field(n, t, nullable);
const SCHEMA = new arrow.Schema([field('id', new arrow.Int64(), false), field('v', new arrow.Int32(), true)]);

function batch(rows: Array<[number, number]>): arrow.RecordBatch {
  const id = arrow.makeData({
    type: new arrow.Int64(),
    length: rows.length,
    data: BigInt64Array.from(rows.map((r) => BigInt(r[0]))),
  });
  const v = arrow.makeData({
    type: new arrow.Int32(),
    length: rows.length,
    data: Int32Array.from(rows.map((r) => r[1])),
  });
  return new arrow.RecordBatch(
    SCHEMA,
    arrow.makeData({ type: new arrow.Struct(SCHEMA.fields), length: rows.length, children: [id, v] }),
  );
}

async function* once(b: arrow.RecordBatch) {
  yield b;
}

async function readRows(
  source: LakehouseSource,
  options: JobOptions,
  chunks: { chunkId: string; weight: number; spec: unknown }[],
) {
  const out: Array<[string, number | null]> = [];
  for (const c of chunks)
    for await (const b of source.read({ jobId: 'j', runId: 'r' }, options, c))
      for (let i = 0; i < b.numRows; i++)
        out.push([String(b.getChild('id')?.get(i)), (b.getChild('v')?.get(i) as number | undefined) ?? null]);
  return out.sort((a, b) => Number(a[0]) - Number(b[0]));
}

describe('lakehouse source, incremental', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'icefloe-lh-inc-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads appended files, merged rows and deleted keys since the committed snapshot', async () => {
    const catalog = catalogFromConfig({ type: 'file', warehouse: dir });
    const sink = new LakehouseSink(catalog);
    const source = new LakehouseSource(catalog);
    const write = async (runId: string, options: JobOptions, rows: Array<[number, number]>) => {
      const ctx = { jobId: 'w', runId };
      await sink.prepare(ctx, options, SCHEMA);
      const staged = await sink.stage(ctx, options, 'c0', once(batch(rows)));
      await sink.commit(ctx, options, [staged], { jobId: 'w', runId, rowsWritten: rows.length, committedAt: '' });
    };
    await write(
      'r1',
      { destTable: 'sales.t' },
      Array.from({ length: 50 }, (_, i) => [i + 1, 0] as [number, number]),
    );
    const opts: JobOptions = { sourceTable: 'sales.t', primaryKey: ['id'] };
    const first = await source.plan({ jobId: 'j', runId: 'p1' }, opts, undefined);
    expect(first.incremental).toBe(false);
    expect((await readRows(source, opts, first.chunks)).length).toBe(50);
    const state = (cursor: string): JobState => ({ jobId: 'j', runId: 'p1', cursor, rowsWritten: 50, committedAt: '' });

    await write('r2', { destTable: 'sales.t' }, [
      [51, 0],
      [52, 0],
    ]);
    const appended = await source.plan({ jobId: 'j', runId: 'p2' }, opts, state(first.cursor as string));
    expect(appended).toMatchObject({ incremental: true, notes: [], deletes: [] });
    expect(await readRows(source, opts, appended.chunks)).toEqual([
      ['51', 0],
      ['52', 0],
    ]);

    await write('r3', { destTable: 'sales.t', incrementalStrategy: 'merge', primaryKey: ['id'] }, [
      [5, 9],
      [60, 1],
    ]);
    const { metadata } = await catalog.loadTable({ namespace: ['sales'], name: 't' });
    const schema = metadata.schemas.find((s) => s['schema-id'] === metadata['current-schema-id']);
    const spec = metadata['partition-specs'][0];
    if (!schema || !spec) throw new Error('table without schema or spec');
    const keys = new arrow.Table([batch([[7, 0]])]).select(['id']);
    const dels = await writeKeyDeletes(keys, {
      io: catalog.io,
      metadata,
      schema,
      spec,
      keyIds: keyFieldIds(schema, ['id']),
      prefix: 'del',
    });
    await rowDelta(catalog, { namespace: ['sales'], name: 't' }, dels);

    const merged = await source.plan({ jobId: 'j', runId: 'p3' }, opts, state(appended.cursor as string));
    expect(merged.incremental).toBe(true);
    expect(merged.notes).toEqual([]);
    expect(await readRows(source, opts, merged.chunks)).toEqual([
      ['5', 9],
      ['60', 1],
    ]);
    expect(merged.deletes?.length).toBe(1);
    expect((await readRows(source, opts, merged.deletes ?? [])).map((r) => r[0])).toEqual(['7']);

    const noKey = await source.plan(
      { jobId: 'j', runId: 'p4' },
      { sourceTable: 'sales.t' },
      state(appended.cursor as string),
    );
    expect(noKey.incremental).toBe(false);
    expect(noKey.notes[0]).toMatch(/is a (overwrite|delete).*full read/);

    const expired = await source.plan({ jobId: 'j', runId: 'p5' }, opts, state('123456789'));
    expect(expired.incremental).toBe(false);
    expect(expired.notes[0]).toMatch(/snapshot 123456789 is not in the table's history.*full read/);
    expect((await readRows(source, opts, expired.chunks)).length).toBe(52 + 1 - 1); // 52 + id 60 - id 7
  });
});
