import { isDeepStrictEqual } from 'node:util';
import * as avsc from 'avsc';
import { readManifest, writeManifest } from '../../../../core/iceberg/avro';
import { LazyAvroMap, skipKeyValueArray } from '../../../../core/iceberg/avro/lazy-map';
import { ManifestEntryStatus } from '../../../../core/iceberg/spec';
import { dataFile, schema, spec } from './sample-manifest';

const kv = (value: 'long' | 'bytes') =>
  avsc.Type.forSchema({
    type: 'array',
    items: {
      type: 'record',
      name: `kv_${value}`,
      fields: [
        { name: 'key', type: 'int' },
        { name: 'value', type: value },
      ],
    },
  });

describe('LazyAvroMap', () => {
  const counts = [
    { key: 1, value: 0 },
    { key: -7, value: 2 ** 40 },
    { key: 2147483647, value: -3 },
  ];
  const bounds = [
    { key: 3, value: Buffer.from([1, 2, 3]) },
    { key: 4, value: Buffer.alloc(0) },
  ];

  it('decodes counts and bytes on first use and equals the plain Map', () => {
    const a = kv('long').toBuffer(counts);
    const m = LazyAvroMap.over<number>(a, 0, a.length, false);
    expect(skipKeyValueArray(a, 0, false)).toBe(a.length);
    const want = new Map(counts.map((c) => [c.key, c.value]));
    expect(m).toEqual(want);
    // node's strict deep equality also compares prototypes: only the plain copy passes it
    expect(isDeepStrictEqual(m.toModel(), want)).toBe(true);
    expect(m.get(-7)).toBe(2 ** 40);
    expect(m.size).toBe(3);
    expect(LazyAvroMap.is(m)).toBe(true);
    expect(LazyAvroMap.is(want)).toBe(false);
    expect(m.toModel()).toEqual(want);
    const b = kv('bytes').toBuffer(bounds);
    const bm = LazyAvroMap.over<Uint8Array>(b, 0, b.length, true);
    expect([...bm].map(([k, v]) => [k, [...v]])).toEqual([
      [3, [1, 2, 3]],
      [4, []],
    ]);
  });

  it('reads arrays written in blocks with byte sizes (negative counts)', () => {
    // count -2, size, two items; count -1, size, one item; 0
    const item = (k: number, v: number) => [
      ...kv('long')
        .toBuffer([{ key: k, value: v }])
        .subarray(1, -1),
    ];
    const first = [...item(1, 10), ...item(2, 20)];
    const second = item(3, 30);
    const zig = (n: number) => (n >= 0 ? n * 2 : -n * 2 - 1);
    const buf = Uint8Array.from([zig(-2), zig(first.length), ...first, zig(-1), zig(second.length), ...second, 0]);
    expect(skipKeyValueArray(buf, 0, false)).toBe(buf.length);
    expect(LazyAvroMap.over<number>(buf, 0, buf.length, false)).toEqual(
      new Map([
        [1, 10],
        [2, 20],
        [3, 30],
      ]),
    );
  });

  it('rejects truncated arrays', () => {
    const a = kv('bytes').toBuffer(bounds);
    expect(() => skipKeyValueArray(a.subarray(0, a.length - 3), 0, true)).toThrow(/truncated/);
  });

  it('manifests read with lazy metrics maps that equal the written ones; updates work', () => {
    const entries = [0, 1].map((n) => ({
      status: ManifestEntryStatus.Added,
      snapshotId: 1n,
      sequenceNumber: 1n,
      fileSequenceNumber: 1n,
      dataFile: dataFile(n),
    }));
    const { bytes, manifest } = writeManifest(entries, {
      path: 'mem://m.avro',
      formatVersion: 2,
      spec,
      schema,
      snapshotId: 1n,
      sequenceNumber: 1n,
    });
    const back = readManifest(bytes, { path: 'mem://m.avro', specs: [spec], schema, manifestFile: manifest });
    const f = back.entries[1]?.dataFile;
    expect(LazyAvroMap.is(f?.lowerBounds)).toBe(true);
    expect(LazyAvroMap.is(f?.valueCounts)).toBe(true);
    expect(f).toEqual(entries[1]?.dataFile);
    f?.valueCounts?.set(999, 1);
    expect(f?.valueCounts?.get(999)).toBe(1);
    expect(f?.valueCounts?.size).toBe((entries[1]?.dataFile.valueCounts?.size ?? 0) + 1);
  });
});
