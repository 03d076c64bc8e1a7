import * as arrow from 'apache-arrow';
import { GeneratorSource, ORDERS_SCHEMA, ordersBatch, schemaFromJson } from '../../../core/movement';
import { endpoint } from '../statemachines/workflows';

const ctx = { jobId: 'j', runId: 'r' };
const source = (rows: number, seed = 42) => new GeneratorSource(endpoint('dataos://gen'), { rows, seed });

async function readAll(src: GeneratorSource, rows: number, pageSize: number) {
  const plan = await src.plan(ctx, { sourceTable: 'sales.orders', pageSize }, undefined);
  const batches: arrow.RecordBatch[] = [];
  for (const c of plan.chunks) for await (const b of src.read(ctx, {}, c)) batches.push(b);
  return { plan, table: new arrow.Table(batches), rows };
}

describe('generator source', () => {
  it('yields sales.orders with field ids, typed columns and every order id once', async () => {
    const { plan, table } = await readAll(source(10_000), 10_000, 3000);
    expect(plan.chunks.map((c) => c.chunkId)).toEqual([
      'rows-0-3000',
      'rows-3000-6000',
      'rows-6000-9000',
      'rows-9000-10000',
    ]);
    const schema = schemaFromJson(plan.schemaJson);
    expect(schema.fields.map((f) => [f.name, String(f.type), f.metadata.get('PARQUET:field_id')])).toEqual([
      ['order_id', 'Int64', '1'],
      ['customer_id', 'Int64', '2'],
      ['quantity', 'Int32', '3'],
      ['amount', 'Decimal[12e+2]', '4'],
      ['status', 'Utf8', '5'],
      ['order_ts', 'Timestamp<MICROSECOND, UTC>', '6'],
      ['updated_at', 'Timestamp<MICROSECOND, UTC>', '7'],
    ]);
    expect(table.numRows).toBe(10_000);
    const ids = table.getChild('order_id')?.toArray() as BigInt64Array;
    expect(ids[0]).toBe(1n);
    expect(ids[9999]).toBe(10_000n);
    const statuses = new Set(table.getChild('status')?.toArray() as string[]);
    expect([...statuses].sort()).toEqual(['cancelled', 'delivered', 'paid', 'pending', 'shipped']);
  });

  it('is deterministic per seed and independent of chunking', () => {
    const whole = ordersBatch(42, 0, 100);
    const part = ordersBatch(42, 50, 100);
    const other = ordersBatch(43, 0, 100);
    expect(part.get(0)?.toJSON()).toEqual(whole.get(50)?.toJSON());
    expect(JSON.stringify(other.get(3)?.toJSON(), (_k, v) => (typeof v === 'bigint' ? String(v) : v))).not.toEqual(
      JSON.stringify(whole.get(3)?.toJSON(), (_k, v) => (typeof v === 'bigint' ? String(v) : v)),
    );
    expect(whole.schema.fields.map((f) => f.name)).toEqual(ORDERS_SCHEMA.fields.map((f) => f.name));
    const amount = whole.getChild('amount')?.get(0) as Uint32Array;
    expect(amount[0]).toBeGreaterThanOrEqual(500);
  });

  it('plans only rows added since the previous cursor, and nothing when unchanged', async () => {
    const state = (cursor: string) => ({ jobId: 'j', runId: 'r0', cursor, rowsWritten: 0, committedAt: '' });
    const same = await source(1000).plan(ctx, { sourceTable: 'sales.orders' }, state('seed=42;rows=1000'));
    expect(same).toMatchObject({ chunks: [], incremental: true, cursor: 'seed=42;rows=1000' });
    const more = await source(1500).plan(ctx, { sourceTable: 'sales.orders' }, state('seed=42;rows=1000'));
    expect(more.chunks.map((c) => c.chunkId)).toEqual(['rows-1000-1500']);
    const reseeded = await source(1000, 1).plan(ctx, { sourceTable: 'sales.orders' }, state('seed=42;rows=1000'));
    expect(reseeded).toMatchObject({ incremental: false, notes: [expect.stringContaining('full read')] });
  });

  it('rejects an unknown table naming it', async () => {
    await expect(source(10).plan(ctx, { sourceTable: 'sales.nope' }, undefined)).rejects.toThrow(
      /sales\.orders; got sales\.nope/,
    );
  });
});
