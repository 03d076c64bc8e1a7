import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { icebergSchemaOf } from '../../../core/arrow/write/arrow-schema';
import { conformTable } from '../../../core/arrow/write/conform';
import { truncateBinaryUpper, truncateStringUpper } from '../../../core/arrow/write/metrics';
import { writeParquet } from '../../../core/arrow/write/parquet-writer';
import { duckRows } from '../../helpers/duckdb';

const dir = mkdtempSync(join(tmpdir(), 'icefloe-pw-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sample(): arrow.Table {
  const list = new arrow.List(new arrow.Field('item', new arrow.Int32(), true));
  const struct = new arrow.Struct([new arrow.Field('lat', new arrow.Float64(), true)]);
  return new arrow.Table({
    id: arrow.makeVector(BigInt64Array.from([3n, 1n, 2n])),
    name: arrow.vectorFromArray(['bob', null, 'a-very-long-string-longer-than-16'], new arrow.Utf8()),
    score: arrow.makeVector(Float64Array.from([1.5, Number.NaN, -2])),
    tags: arrow.vectorFromArray([[1, 2], null, [3]], list),
    loc: arrow.vectorFromArray([{ lat: 1 }, { lat: null }, { lat: 3 }], struct),
  });
}

describe('parquet writer', () => {
  it('writes field ids on every field, nested ones included, as DuckDB sees them', async () => {
    const input = sample();
    const schema = icebergSchemaOf(input.schema);
    const written = await writeParquet(conformTable(input, schema), schema);
    const path = join(dir, 'a.parquet');
    writeFileSync(path, written.bytes);
    const rows = await duckRows(`select name, field_id from parquet_schema('${path}') where field_id is not null`);
    expect(rows.map(([n, id]) => `${n}:${id}`)).toEqual([
      'id:1',
      'name:2',
      'score:3',
      'tags:4',
      'element:6',
      'loc:5',
      'lat:7',
    ]);
  });

  it('computes counts and bounds that agree with the footer', async () => {
    const input = sample();
    const schema = icebergSchemaOf(input.schema);
    const w = await writeParquet(conformTable(input, schema), schema);
    expect(w.metrics.get(1)).toEqual({ valueCount: 3, nullCount: 0, lower: 1n, upper: 3n });
    expect(w.metrics.get(2)).toEqual({ valueCount: 3, nullCount: 1, lower: 'a-very-long-stri', upper: 'bob' });
    expect(w.metrics.get(3)).toEqual({ valueCount: 3, nullCount: 0, nanCount: 1, lower: -2, upper: 1.5 });
    expect(w.metrics.get(7)).toEqual({ valueCount: 3, nullCount: 1, nanCount: 0, lower: 1, upper: 3 });
    expect(w.metrics.get(6)?.valueCount).toBe(3);
    const path = join(dir, 'b.parquet');
    writeFileSync(path, w.bytes);
    const meta = await duckRows(
      `select path_in_schema, total_compressed_size, stats_null_count from parquet_metadata('${path}') order by column_id`,
    );
    const byPath = new Map(meta.map((r) => [String(r[0]), r]));
    expect(w.columnSizes.get(1)).toBe(Number(byPath.get('id')?.[1]));
    expect(w.columnSizes.get(7)).toBe(Number(byPath.get('loc, lat')?.[1]));
    expect(Number(byPath.get('name')?.[2])).toBe(w.metrics.get(2)?.nullCount);
  });

  it('truncates upper bounds and increments them', () => {
    expect(truncateStringUpper('abcdefghijklmnopqrstuvwxyz')).toBe('abcdefghijklmnoq');
    expect(truncateBinaryUpper(new Uint8Array([...new Array(16).fill(1), 9]))).toEqual(
      new Uint8Array([...new Array(15).fill(1), 2]),
    );
    expect(truncateBinaryUpper(new Uint8Array(20).fill(0xff))).toBeUndefined();
  });

  it('fills optional columns missing from the data with nulls (nested too) and rejects missing required ones', async () => {
    const schema = {
      type: 'struct' as const,
      'schema-id': 0,
      fields: [
        { id: 1, name: 'id', required: true, type: 'long' },
        { id: 2, name: 's', required: false, type: 'string' },
        {
          id: 3,
          name: 'l',
          required: false,
          type: { type: 'list' as const, 'element-id': 5, element: 'int', 'element-required': false },
        },
        {
          id: 4,
          name: 'st',
          required: false,
          type: { type: 'struct' as const, fields: [{ id: 6, name: 'x', required: false, type: 'decimal(10, 2)' }] },
        },
      ],
    };
    const input = new arrow.Table({ ID: arrow.makeVector(BigInt64Array.from([1n, 2n])) });
    const w = await writeParquet(conformTable(input, schema), schema);
    expect(w.metrics.get(2)).toEqual({ valueCount: 2, nullCount: 2 });
    expect(w.metrics.get(1)).toMatchObject({ lower: 1n, upper: 2n });
    const noId = new arrow.Table({ s: arrow.vectorFromArray(['a'], new arrow.Utf8()) });
    expect(() => conformTable(noId, schema)).toThrow('required column id is missing from the written data');
  });
});
