/**
 * An independent reader agrees: Debian's python3-avro reads our manifests and manifest lists and
 * finds the spec's field ids in the header schema.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeManifest, writeManifestList } from '../../../../core/iceberg/avro';
import { ManifestContent, type ManifestEntry, ManifestEntryStatus } from '../../../../core/iceberg/spec';
import { dataFile, schema, spec } from './sample-manifest';

const PY = `
import json, sys
import avro.datafile, avro.io
def ids(s, out):
    if isinstance(s, dict):
        for f in s.get('fields', []):
            out[f['name']] = f.get('field-id')
            ids(f['type'], out)
        for k in ('items', 'type'):
            if k in s: ids(s[k], out)
        for k in ('element-id',):
            if k in s: out['element-id:' + str(s[k])] = s[k]
    elif isinstance(s, list):
        for x in s: ids(x, out)
def plain(v):
    if isinstance(v, bytes): return v.hex()
    if isinstance(v, dict): return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list): return [plain(x) for x in v]
    if isinstance(v, int) and abs(v) > 2**53: return str(v)
    if isinstance(v, float) and v != v: return 'NaN'
    return v
r = avro.datafile.DataFileReader(open(sys.argv[1], 'rb'), avro.io.DatumReader())
meta = {k: v.decode('utf-8') for k, v in r.meta.items() if k != 'avro.schema'}
schema = json.loads(r.meta['avro.schema'].decode('utf-8'))
out = {}
ids(schema, out)
print(json.dumps({'meta': meta, 'ids': out, 'records': [plain(x) for x in r]}, default=str))
`;

const dir = mkdtempSync(join(tmpdir(), 'icefloe-pyavro-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pyRead(
  name: string,
  bytes: Uint8Array,
): { meta: Record<string, string>; ids: Record<string, number>; records: Record<string, unknown>[] } {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return JSON.parse(execFileSync('/usr/bin/python3', ['-W', 'ignore', '-c', PY, path], { encoding: 'utf8' }));
}

const entry: ManifestEntry = {
  status: ManifestEntryStatus.Added,
  snapshotId: 9223372036854775807n,
  sequenceNumber: 5n,
  fileSequenceNumber: 5n,
  dataFile: dataFile(3),
};

describe.each([1, 2, 3])('python3-avro reads format v%d files', (v) => {
  it('manifest: header keys, field ids, values', () => {
    const { bytes } = writeManifest([entry], {
      path: 'm',
      formatVersion: v,
      spec,
      schema,
      snapshotId: 1n,
      sequenceNumber: 5n,
    });
    const out = pyRead(`m-v${v}.avro`, bytes);
    expect(out.meta).toMatchObject({ 'format-version': String(v), 'partition-spec-id': '2', 'avro.codec': 'deflate' });
    expect(JSON.parse(out.meta['partition-spec'] as string)[0]).toMatchObject({
      'field-id': 1000,
      transform: 'bucket[16]',
    });
    expect(JSON.parse(out.meta.schema as string)['schema-id']).toBe(3);
    if (v >= 2) expect(out.meta.content).toBe('data');
    expect(out.ids).toMatchObject({
      status: 0,
      snapshot_id: 1,
      data_file: 2,
      file_path: 100,
      file_format: 101,
      partition: 102,
      record_count: 103,
      lower_bounds: 125,
      id_bucket: 1000,
      s_x2Etrunc: 1002,
      ts: 1012,
    });
    if (v >= 2)
      expect(out.ids).toMatchObject({ sequence_number: 3, file_sequence_number: 4, content: 134, equality_ids: 135 });
    if (v >= 3)
      expect(out.ids).toMatchObject({
        first_row_id: 142,
        referenced_data_file: 143,
        content_offset: 144,
        content_size_in_bytes: 145,
      });
    const rec = out.records[0] as { snapshot_id: string; data_file: Record<string, unknown> };
    expect(rec.snapshot_id).toBe('9223372036854775807');
    expect(rec.data_file.file_path).toBe('s3://bucket/t/data/f-3.parquet');
    expect(rec.data_file.partition).toMatchObject({
      id_bucket: 3,
      i: 3,
      s_x2Etrunc: 's3',
      d_month: 603,
      u: '0f9c3e09677c4bbda4793f349cb785e7',
      f: '010203',
      flag: false,
    });
    expect(rec.data_file.lower_bounds).toEqual([{ key: 1, value: '0300000000000000' }]);
  });

  it('manifest list: header keys, field ids, values', () => {
    const bytes = writeManifestList(
      [
        {
          manifestPath: 'p',
          manifestLength: 1,
          partitionSpecId: 2,
          content: ManifestContent.Data,
          sequenceNumber: 7n,
          minSequenceNumber: 7n,
          addedSnapshotId: 11n,
          addedFilesCount: 1,
          partitions: [{ containsNull: false, lowerBound: Uint8Array.of(1) }],
        },
      ],
      { formatVersion: v, snapshotId: 11n, parentSnapshotId: null, sequenceNumber: 7n },
    );
    const out = pyRead(`l-v${v}.avro`, bytes);
    expect(out.meta).toMatchObject({ 'snapshot-id': '11', 'parent-snapshot-id': 'null', 'format-version': String(v) });
    expect(out.ids).toMatchObject({
      manifest_path: 500,
      manifest_length: 501,
      partition_spec_id: 502,
      added_snapshot_id: 503,
      partitions: 507,
      contains_null: 509,
      lower_bound: 510,
    });
    if (v >= 2)
      expect(out.ids).toMatchObject({
        content: 517,
        sequence_number: 515,
        min_sequence_number: 516,
        added_files_count: 504,
      });
    else expect(out.ids).toMatchObject({ added_data_files_count: 504 });
    const rec = out.records[0] as Record<string, unknown>;
    expect(rec.manifest_path).toBe('p');
    expect(rec.added_snapshot_id).toBe(11);
    expect(rec.partitions).toEqual([
      { contains_null: false, contains_nan: null, lower_bound: '01', upper_bound: null },
    ]);
  });
});
