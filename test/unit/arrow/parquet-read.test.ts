import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { buildData, buildVector } from '../../../core/arrow/read/build';
import { closeParquet, openParquet, readRowGroups, rowGroupBatches } from '../../../core/arrow/read/parquet';
import { converterFor, findSourceIndex, initialDefault, planColumns } from '../../../core/arrow/read/project';
import { vectorGetter } from '../../../core/arrow/read/raw-values';
import { csvCell, jsonValue, shortestFloat32 } from '../../../core/arrow/read/render';
import { type ByteRange, LocalFileIO } from '../../../core/iceberg/io';
import type { IcebergType, NestedField } from '../../../core/iceberg/spec/types';

const FIXTURES = join(__dirname, '../../../../shared/fixtures/iceberg');
const MULTIBLOCK = join(
  FIXTURES,
  'impala-lineitem-multiblock/data/00000-0-data-gfurnstahl_20230705104815_d51294d1-5658-497c-94f2-54269eb011be-job_16881608248131_0342-1-00001.parquet',
);

class CountingIO extends LocalFileIO {
  bytes = 0;
  override async read(path: string, range?: ByteRange): Promise<Uint8Array> {
    const b = await super.read(path, range);
    this.bytes += b.length;
    return b;
  }
}

describe('openParquet / readRowGroups', () => {
  it('reads a large file by byte ranges: footer + one row group, not the whole object', async () => {
    const io = new CountingIO();
    const source = await openParquet(MULTIBLOCK, io, 0);
    expect(source.rowGroupRows).toHaveLength(200);
    const table = await readRowGroups(source, [7]);
    closeParquet(source);
    expect(table.numRows).toBe(100);
    expect(io.bytes).toBeLessThan(source.size / 2);
  });

  it('batches row groups by compressed size, in order', async () => {
    const source = await openParquet(MULTIBLOCK, new LocalFileIO());
    const batches = rowGroupBatches(source, 50_000);
    closeParquet(source);
    expect(batches.flat()).toEqual(source.rowGroupRows.map((_, i) => i));
    expect(batches.length).toBeGreaterThan(1);
  });
});

describe('lossless values through Arrow', () => {
  const cases: [IcebergType, unknown[]][] = [
    ['long', [9223372036854775807n, -9223372036854775808n, null]],
    ['timestamptz', [-1n, 1_700_000_000_123_456n, null]],
    ['decimal(36, 23)', [-100000000000000000000000000000000001n, 3n, null]],
    ['uuid', ['8dc314d8-3fd4-4b3a-8bf5-c008f363c2e4', null]],
    ['date', [-1, 19000, null]],
    ['string', ['Flopsy 🐇', '', null]],
    ['binary', [Uint8Array.of(0, 255), null]],
    [{ type: 'list', 'element-id': 2, element: 'int', 'element-required': false }, [[1, null, 3], [], null]],
    [
      { type: 'map', 'key-id': 2, key: 'string', 'value-id': 3, value: 'long', 'value-required': false },
      [[['a', 1n]], null],
    ],
    [{ type: 'struct', fields: [{ id: 2, name: 'x', required: false, type: 'double' }] }, [[1.5], null]],
  ];
  it.each(cases)('%j round-trips', (type, values) => {
    const get = vectorGetter(buildVector(type, values));
    const back = values.map((_, i) => get(i));
    if (type === 'uuid') expect(back.map((b) => (b instanceof Uint8Array ? b.length : b))).toEqual([16, null]);
    else expect(back).toEqual(values);
  });

  it('reads nanosecond timestamps (INT96) as microseconds, flooring before 1970', () => {
    const data = arrow.makeData({
      type: new arrow.TimestampNanosecond(),
      length: 2,
      nullCount: 0,
      data: BigInt64Array.of(-1_500n, 1_999n),
    });
    const get = vectorGetter(arrow.makeVector(data));
    expect([get(0), get(1)]).toEqual([-2n, 1n]);
  });
});

describe('projection by field id', () => {
  const withId = (name: string, type: arrow.DataType, id?: number) =>
    new arrow.Field(name, type, true, id === undefined ? new Map() : new Map([['PARQUET:field_id', String(id)]]));
  const field = (id: number, name: string, type: IcebergType, extra: Partial<NestedField> = {}): NestedField => ({
    id,
    name,
    required: false,
    type,
    ...extra,
  });

  it('matches renamed columns by id, fills missing ones from partitions, defaults or null', () => {
    const file = [withId('old_name', new arrow.Int32(), 1), withId('other', new arrow.Utf8(), 9)];
    const plan = planColumns(
      file,
      [
        field(1, 'new_name', 'long'),
        field(2, 'part', 'string'),
        field(3, 'added', 'int', { 'initial-default': 7 }),
        field(4, 'nothing', 'int'),
      ],
      { hasIds: true },
      new Map([[2, 'p']]),
    );
    expect(plan.map((p) => p.kind)).toEqual(['file', 'constant', 'constant', 'constant']);
    expect(plan.slice(1).map((p) => (p.kind === 'constant' ? p.value : undefined))).toEqual(['p', 7, null]);
    const first = plan[0];
    expect(first?.kind === 'file' ? first.convert(5) : undefined).toBe(5n); // int → long
  });

  it('uses the name mapping when the file has no ids, and only mapped names', () => {
    const file = [withId('a', new arrow.Int32()), withId('b', new arrow.Int32())];
    const mapping = [{ 'field-id': 1, names: ['a'] }];
    expect(findSourceIndex(file, field(1, 'a', 'int'), [], { hasIds: false, mapping })).toBe(0);
    expect(findSourceIndex(file, field(2, 'b', 'int'), [], { hasIds: false, mapping })).toBe(-1);
    expect(findSourceIndex(file, field(2, 'b', 'int'), [], { hasIds: false })).toBe(1);
  });

  it('converts nested structs by child id', () => {
    const source = withId(
      's',
      new arrow.Struct([withId('y', new arrow.Utf8(), 3), withId('x', new arrow.Int32(), 2)]),
      1,
    );
    const target: IcebergType = {
      type: 'struct',
      fields: [field(2, 'x', 'long'), field(3, 'y', 'string'), field(4, 'z', 'int')],
    };
    expect(converterFor(source, target, ['s'], { hasIds: true })(['why', 4])).toEqual([4n, 'why', null]);
  });

  it('decodes initial-default by type', () => {
    expect(initialDefault(field(1, 'd', 'decimal(16, 2)', { 'initial-default': '12345.00' }))).toBe(1234500n);
    expect(initialDefault(field(1, 'b', 'binary', { 'initial-default': '0102' }))).toEqual(Uint8Array.of(1, 2));
  });

  it('buildData keeps the requested Arrow type', () => {
    expect(String(buildData('timestamptz', [1n]).type)).toBe('Timestamp<MICROSECOND, UTC>');
  });
});

describe('rendering', () => {
  it('follows DESIGN.md for JSON lines', () => {
    expect(jsonValue('long', 2n ** 53n + 1n)).toBe('9007199254740993');
    expect(jsonValue('long', 42n)).toBe(42);
    expect(jsonValue('decimal(10, 2)', -500n)).toBe('-5.00');
    expect(jsonValue('timestamp', 1n)).toBe('1970-01-01T00:00:00.000001');
    expect(jsonValue('timestamptz', -1n)).toBe('1969-12-31T23:59:59.999999Z');
    expect(jsonValue('binary', Uint8Array.of(0xab, 1))).toBe('ab01');
    expect(jsonValue('float', Math.fround(1.1))).toBe(1.1);
    expect(shortestFloat32(Math.fround(3.4028234663852886e38))).toBe(3.4028235e38);
  });

  it('quotes CSV cells that need it', () => {
    expect([csvCell('a,b'), csvCell('say "hi"'), csvCell(null), csvCell({ k: 1 })]).toEqual([
      '"a,b"',
      '"say ""hi"""',
      '',
      '"{""k"":1}"',
    ]);
  });
});
