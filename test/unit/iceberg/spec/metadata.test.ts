import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { InvalidInputError, NotFoundError } from '../../../../core/errors';
import {
  ancestors,
  currentSnapshot,
  parseTableMetadata,
  selectSnapshot,
  serializeTableMetadata,
  snapshotAsOf,
  snapshotById,
  snapshotByRef,
} from '../../../../core/iceberg/spec';

const SHARED = resolve(__dirname, '../../../../../shared');
const FIXTURES = join(SHARED, 'fixtures/iceberg');
const EXAMPLES = join(SHARED, 'iceberg-spec/metadata-examples/apache-iceberg');

const allMetadata = execSync(`find ${FIXTURES} -name '*.metadata.json'`, { encoding: 'utf8' })
  .trim()
  .split('\n')
  .map((p) => p.slice(FIXTURES.length + 1))
  .sort();

describe('table metadata of every fixture', () => {
  // duckdb-bigquery-table's v0.metadata.json is not table metadata (INDEX.md); it must fail cleanly.
  const real = allMetadata.filter((p) => !p.endsWith('/v0.metadata.json'));

  it('finds them all', () => {
    expect(real.length).toBeGreaterThan(150);
  });

  it.each(real)('%s parses and round-trips', (rel) => {
    const path = join(FIXTURES, rel);
    const meta = parseTableMetadata(readFileSync(path), { source: path });
    expect(meta.schemas.length).toBeGreaterThan(0);
    expect(meta['partition-specs'].length).toBeGreaterThan(0);
    expect(parseTableMetadata(serializeTableMetadata(meta))).toEqual(meta);
  });

  it('rejects the bigquery v0 file with a message naming it', () => {
    const path = join(FIXTURES, 'duckdb-bigquery-table/metadata/v0.metadata.json');
    expect(() => parseTableMetadata(readFileSync(path), { source: path })).toThrow(
      /v0\.metadata\.json: missing 'format-version'/,
    );
  });
});

describe('spec metadata examples', () => {
  it.each([
    'TableMetadataV1Valid.json',
    'TableMetadataV2Valid.json',
    'TableMetadataV2ValidMinimal.json',
    'TableMetadataV3ValidMinimal.json',
    'TableMetadataStatisticsFiles.json',
    'TableMetadataPartitionStatisticsFiles.json',
  ])('%s is valid', (name) => {
    const meta = parseTableMetadata(readFileSync(join(EXAMPLES, name), 'utf8'));
    expect(parseTableMetadata(serializeTableMetadata(meta))).toEqual(meta);
  });

  it.each([
    ['TableMetadataUnsupportedVersion.json', /unsupported format-version 42/],
    ['TableMetadataV2CurrentSchemaNotFound.json', /current-schema-id 2 is not among the schemas/],
    ['TableMetadataV2MissingLastPartitionId.json', /missing 'last-partition-id'/],
    ['TableMetadataV2MissingPartitionSpecs.json', /missing 'partition-specs'/],
    ['TableMetadataV2MissingSchemas.json', /missing 'schemas'/],
    ['TableMetadataV2MissingSortOrder.json', /missing 'sort-orders'/],
  ])('%s is rejected as invalid input', (name, message) => {
    const run = () => parseTableMetadata(readFileSync(join(EXAMPLES, name), 'utf8'), { source: name });
    expect(run).toThrow(InvalidInputError);
    expect(run).toThrow(message);
  });
});

describe('lossless values and deprecated v1 forms', () => {
  const v1 = {
    'format-version': 1,
    location: 's3://b/t',
    'last-updated-ms': 1602638573874,
    'last-column-id': 3,
    schema: { type: 'struct', fields: [{ id: 1, name: 'x', required: true, type: 'long' }] },
    'partition-spec': [{ name: 'x_bucket', transform: 'bucket[4]', 'source-id': 1 }],
    properties: { k: 'v' },
    'current-snapshot-id': 9223372036854775807n,
    snapshots: [
      { 'snapshot-id': 9223372036854775807n, 'timestamp-ms': 1515100955770, manifests: ['s3://b/t/metadata/m1.avro'] },
    ],
  };
  const text = JSON.stringify(v1, (_k, v) => (typeof v === 'bigint' ? `@@${v}@@` : v)).replace(/"@@(-?\d+)@@"/g, '$1');

  it('folds schema, partition-spec and snapshot.manifests into the v2 shape', () => {
    const m = parseTableMetadata(text);
    expect(m.schemas).toEqual([
      { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'x', required: true, type: 'long' }] },
    ]);
    expect(m['partition-specs']).toEqual([
      { 'spec-id': 0, fields: [{ name: 'x_bucket', transform: 'bucket[4]', 'source-id': 1, 'field-id': 1000 }] },
    ]);
    expect(m['last-partition-id']).toBe(1000);
    expect(m['current-snapshot-id']).toBe(9223372036854775807n);
    expect(m.snapshots[0]?.manifests).toEqual(['s3://b/t/metadata/m1.avro']);
    expect(m.snapshots[0]?.summary.operation).toBe('append');
    expect(m.refs.main).toEqual({ 'snapshot-id': 9223372036854775807n, type: 'branch' });
    expect(m['sort-orders']).toEqual([{ 'order-id': 0, fields: [] }]);
  });

  it('writes v1 with schema and partition-spec too, and ids as exact numbers', () => {
    const out = serializeTableMetadata(parseTableMetadata(text));
    expect(out).toContain('"current-snapshot-id": 9223372036854775807');
    expect(out).toContain('"partition-spec": [');
    expect(out).toContain('"schema": {');
  });

  it('reads gzip metadata by magic bytes', () => {
    const m = parseTableMetadata(gzipSync(Buffer.from(text)));
    expect(m['format-version']).toBe(1);
  });

  it('skips a utf-8 byte order mark', () => {
    expect(
      parseTableMetadata(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]))['format-version'],
    ).toBe(1);
  });

  it('reads the gzip fixture', () => {
    const path = join(FIXTURES, 'duckdb-lineitem-iceberg-gz/metadata/v2.gz.metadata.json');
    expect(parseTableMetadata(readFileSync(path))['format-version']).toBe(1);
  });

  it('normalizes current-snapshot-id -1 to null', () => {
    const m = parseTableMetadata(
      text
        .replace('"current-snapshot-id":9223372036854775807', '"current-snapshot-id":-1')
        .replace(/"snapshots":\[.*\]\}$/, '"snapshots":[]}'),
    );
    expect(m['current-snapshot-id']).toBeNull();
    expect(currentSnapshot(m)).toBeUndefined();
    expect(selectSnapshot(m)).toBeUndefined();
  });

  it('names the file in errors for bad json', () => {
    expect(() => parseTableMetadata('{"format-version": 2,', { source: 'x/v1.metadata.json' })).toThrow(
      /x\/v1\.metadata\.json: bad json/,
    );
  });
});

describe('snapshot selection', () => {
  const path = join(FIXTURES, 'icebird-spark-bunnies/metadata/v5.metadata.json');
  const meta = parseTableMetadata(readFileSync(path));

  it('selects current, by id, by ref and as of a time', () => {
    const cur = currentSnapshot(meta);
    expect(cur?.['snapshot-id']).toBe(meta['current-snapshot-id']);
    expect(snapshotById(meta, 7505300640432048841n)['snapshot-id']).toBe(7505300640432048841n);
    expect(snapshotByRef(meta, 'main')).toBe(cur);
    const first = meta['snapshot-log'][0];
    expect(first).toBeDefined();
    if (!first) return;
    expect(snapshotAsOf(meta, first['timestamp-ms'])['snapshot-id']).toBe(first['snapshot-id']);
    expect(snapshotAsOf(meta, new Date(8.64e15))['snapshot-id']).toBe(meta['snapshot-log'].at(-1)?.['snapshot-id']);
    expect(ancestors(meta, cur as NonNullable<typeof cur>).length).toBe(meta.snapshots.length);
  });

  it('fails with NotFoundError naming an unknown snapshot id, ref or time', () => {
    expect(() => snapshotById(meta, 1234n)).toThrow(NotFoundError);
    expect(() => selectSnapshot(meta, { snapshotId: 1234n })).toThrow(/snapshot 1234 not found/);
    expect(() => snapshotByRef(meta, 'nope')).toThrow(/ref 'nope' not found/);
    expect(() => snapshotAsOf(meta, 0)).toThrow(/no snapshot .* as of 1970-01-01/);
  });
});
