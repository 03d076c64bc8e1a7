import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvalidInputError } from '../../../../core/errors';
import { readAvroFile, readManifest, readManifestList } from '../../../../core/iceberg/avro';

const SHARED = resolve(__dirname, '../../../../../shared');
const ENCRYPTED = 'iceberg-spec/metadata-examples/iceberg-rust-manifest-lists/manifest-list-v3-encrypted.avro';
const files = execSync(`find ${SHARED}/fixtures/iceberg ${SHARED}/iceberg-spec -name '*.avro'`, { encoding: 'utf8' })
  .trim()
  .split('\n')
  .map((p) => p.slice(SHARED.length + 1))
  .filter((p) => p !== ENCRYPTED)
  .sort();

describe('every avro file of the fixtures and spec examples', () => {
  it('finds them all', () => {
    expect(files.length).toBeGreaterThan(250);
  });

  it.each(files)('%s reads as a manifest list or a manifest', (rel) => {
    const path = join(SHARED, rel);
    const bytes = readFileSync(path);
    const isList = readAvroFile(bytes, path).schema.name === 'manifest_file';
    if (isList) {
      const list = readManifestList(bytes, { path });
      for (const m of list) {
        expect(typeof m.manifestPath).toBe('string');
        expect(typeof m.sequenceNumber).toBe('bigint');
        expect(typeof m.addedSnapshotId).toBe('bigint');
      }
    } else {
      const manifest = readManifest(bytes, { path });
      for (const e of manifest.entries) {
        expect(typeof e.dataFile.filePath).toBe('string');
        expect(e.dataFile.partition).toHaveLength(manifest.spec.fields.length);
        expect(Number.isInteger(e.dataFile.recordCount)).toBe(true);
      }
    }
  });

  it('rejects the encrypted manifest list with an error naming it', () => {
    const path = join(SHARED, ENCRYPTED);
    const run = () => readManifestList(readFileSync(path), { path });
    expect(run).toThrow(InvalidInputError);
    expect(run).toThrow(/manifest-list-v3-encrypted\.avro: not an avro container file/);
  });

  it('reads typed partition values and a v1 manifest list with inherited snapshot id', () => {
    const dir = join(SHARED, 'fixtures/iceberg/polars-spark-day-partitioned/metadata');
    const manifest = execSync(`ls ${dir}/*-m0.avro`, { encoding: 'utf8' }).trim().split('\n')[0] as string;
    const m = readManifest(readFileSync(manifest), { path: manifest });
    expect(m.spec.fields[0]?.transform).toBe('day');
    expect(m.partitionTypes).toEqual(['date']);
    expect(typeof m.entries[0]?.dataFile.partition[0]).toBe('number');
  });
});
