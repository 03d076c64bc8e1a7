import { createHash } from 'node:crypto';
import * as arrow from 'apache-arrow';
import { maskBatch, maskSchema, masksOf } from '../../../core/movement/mask';
import { ordersBatch } from '../../../core/movement/sources/generator';
import { endpoint } from '../statemachines/workflows';

const masks = (m: Record<string, string>) => masksOf(endpoint('dataos://a', { mask: m }), endpoint('dataos://b'));

describe('column masks', () => {
  it('hashes, redacts and nulls columns, keeping field ids and other columns', () => {
    const b = ordersBatch(1, 0, 3);
    const m = masks({ customer_id: 'hash', status: 'redact', amount: 'NULL' });
    const out = maskBatch(b, m);
    expect(out.numRows).toBe(3);
    const cust = out.getChild('customer_id');
    expect(String(cust?.type)).toBe('Utf8');
    expect(cust?.get(0)).toBe(
      createHash('sha256')
        .update(String(b.getChild('customer_id')?.get(0)))
        .digest('hex'),
    );
    expect(out.getChild('status')?.toArray()).toEqual(['****', '****', '****']);
    expect(out.getChild('amount')?.nullCount).toBe(3);
    expect(out.getChild('order_id')?.get(2)).toBe(3n);
    expect(out.schema.fields.find((f) => f.name === 'customer_id')?.metadata.get('PARQUET:field_id')).toBe('2');
    expect(String(maskSchema(b.schema, m).fields[1]?.type)).toBe('Utf8');
  });

  it('leaves batches without masked columns alone and rejects unknown functions and columns', () => {
    const keys = new arrow.RecordBatch({
      order_id: arrow.makeData({ type: new arrow.Int64(), length: 1, data: new BigInt64Array([1n]) }),
    });
    expect(maskBatch(keys, masks({ status: 'hash' }))).toBe(keys);
    expect(() => masks({ status: 'scramble' })).toThrow(
      "mask of column status: unknown function 'scramble'; use one of hash, redact, null",
    );
    expect(() => maskSchema(ordersBatch(1, 0, 1).schema, masks({ nope: 'hash' }))).toThrow(
      'mask: column nope is not in the source',
    );
  });
});
