import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readDeletionVector, readRoaring64 } from '../../../core/arrow/read/deletion-vector';

const DELETES = join(
  __dirname,
  '../../../../shared/iceberg-spec/metadata-examples/apache-iceberg/org/apache/iceberg/deletes',
);
const bytes = (name: string) => new Uint8Array(readFileSync(join(DELETES, name)));

describe('deletion vectors (Iceberg Java test vectors)', () => {
  it('decodes an empty index', () => {
    expect(readDeletionVector(bytes('empty-position-index.bin'), 'empty')).toEqual([]);
  });

  it('decodes small alternating values (TestBitmapPositionDeleteIndex)', () => {
    expect(readDeletionVector(bytes('small-alternating-values-position-index.bin'), 'x')).toEqual([1n, 3n, 5n, 7n, 9n]);
  });

  it('decodes small and large values', () => {
    const v = readDeletionVector(bytes('small-and-large-values-position-index.bin'), 'x');
    // TestBitmapPositionDeleteIndex: 100, 101, Integer.MAX_VALUE + 100, Integer.MAX_VALUE + 101
    expect(v).toEqual([100n, 101n, 2147483647n + 100n, 2147483647n + 101n]);
  });

  it('decodes all container types (array, bitmap, run)', () => {
    const v = readDeletionVector(bytes('all-container-types-position-index.bin'), 'x');
    expect(v.length).toBeGreaterThan(4096);
    expect([...v].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(v);
  });

  it('rejects a bad crc with the source named', () => {
    const b = bytes('small-alternating-values-position-index.bin');
    b[b.length - 1] = (b[b.length - 1] ?? 0) ^ 0xff;
    expect(() => readDeletionVector(b, 'dv.puffin')).toThrow(/deletion vector in dv.puffin fails its crc check/);
  });

  it('decodes 64-bit portable bitmaps (RoaringBitmap test data)', () => {
    expect(readRoaring64(bytes('64mapempty.bin'))).toEqual([]);
    // 64maphighvals.bin is not used: its stored copy went through a text decoder (EF BF BD bytes).
    const spread = readRoaring64(bytes('64mapspreadvals.bin'));
    expect(spread.some((x) => x > 0xffffffffn)).toBe(true);
    expect([...spread].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(spread);
    expect(readRoaring64(bytes('64map32bitvals.bin')).every((x) => x <= 0xffffffffn)).toBe(true);
  });
});
