import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvalidInputError } from '../../../../core/errors';
import {
  manifestEntrySchema,
  manifestListSchema,
  readAvroFile,
  readManifest,
  readManifestList,
} from '../../../../core/iceberg/avro';

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

describe('written schemas equal what Iceberg Java and Spark write', () => {
  const DIR = join(SHARED, 'iceberg-spec/avro-schemas/extracted-from-fixtures');
  const load = (f: string) => JSON.parse(readFileSync(join(DIR, f), 'utf8'));
  /** Every field as name, field id, type kind and default, depth first. */
  const flat = (schema: unknown): string[] => {
    const out: string[] = [];
    const kind = (t: unknown): unknown =>
      typeof t === 'string' ? t : Array.isArray(t) ? t.map(kind) : (t as { type: string }).type;
    const walk = (t: unknown, prefix: string): void => {
      if (Array.isArray(t)) for (const x of t) walk(x, prefix);
      else if (t && typeof t === 'object') {
        const o = t as Record<string, unknown>;
        if (o.type === 'record') {
          for (const f of o.fields as Record<string, unknown>[]) {
            out.push(
              `${prefix}${f.name} ${f['field-id']} ${JSON.stringify(kind(f.type))} ${JSON.stringify(f.default)}`,
            );
            walk(f.type, `${prefix}${f.name}.`);
          }
        } else if (o.type === 'array') {
          if (o['element-id'] !== undefined) out.push(`${prefix}element ${o['element-id']}`);
          walk(o.items, prefix);
        }
      }
    };
    walk(schema, '');
    return out;
  };
  const partitionOf = (s: { fields: { name: string; type: { fields: { name: string; type: unknown }[] } }[] }) =>
    s.fields.find((f) => f.name === 'data_file')?.type.fields.find((f) => f.name === 'partition')?.type as Record<
      string,
      unknown
    >;

  it.each([
    [1, 'spark_v1_manifest-list.avsc.json'],
    [2, 'java-1.8.1_v2_manifest-list.avsc.json'],
    [3, 'spark-4.0.2_iceberg-1.10.1_v3_manifest-list.avsc.json'],
  ])('manifest list v%d', (v, file) => {
    expect(flat(manifestListSchema(v))).toEqual(flat(load(file)));
  });

  it.each([
    [1, 'spark_v1_manifest_day-partitioned.avsc.json'],
    [2, 'java-1.8.1_v2_manifest_deletes.avsc.json'],
    [3, 'spark-4.0.2_iceberg-1.10.1_v3_manifest_data.avsc.json'],
  ])('manifest v%d', (v, file) => {
    const theirs = load(file);
    expect(flat(manifestEntrySchema(v, partitionOf(theirs)))).toEqual(flat(theirs));
  });
});
