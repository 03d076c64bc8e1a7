import { join } from 'node:path';
import { LocalFileIO, MemoryFileIO } from '../../../../core/iceberg/io';
import { locateMetadataFile } from '../../../../core/iceberg/table/locate';
import { movedPathResolver } from '../../../../core/iceberg/table/moved-paths';
import { joinLocation, parentOf } from '../../../../core/iceberg/table/paths';

const FIXTURES = join(__dirname, '../../../../../shared/fixtures/iceberg');
const enc = (s: string) => new TextEncoder().encode(s);

describe('locateMetadataFile on the fixtures', () => {
  const io = new LocalFileIO();
  it.each([
    ['icebird-spark-bunnies', 'metadata/v5.metadata.json'], // version-hint.text holding 5
    ['impala-v2-no-deletes', 'metadata/v2.metadata.json'], // version-hint.txt
    ['impala-v3-deletion-vectors', 'metadata/v3.metadata.json'], // empty hint → highest
    ['duckdb-uuid', 'metadata/00001-43fda1f4-1c96-4376-ad16-91beb71d0759.metadata.json'], // hint holds a stem
    ['duckdb-lineitem-iceberg-gz', 'metadata/v2.gz.metadata.json'], // gzip metadata
    ['duckdb-bigquery-table', 'metadata/v1749025517.metadata.json'],
    ['icebird-athena-example', 'metadata/00001-aaf0d033-d06b-43c7-be60-67f83abd4aca.metadata.json'], // no hint
    ['duckdb-v1-repro-merch', 'metadata/00004-v3-upgraded-v1-null-counts.metadata.json'],
    ['impala-alltypes-part', 'metadata/v2.metadata.json'],
  ])('%s → %s', async (fixture, expected) => {
    expect(await locateMetadataFile(join(FIXTURES, fixture), io)).toBe(join(FIXTURES, fixture, expected));
  });

  it('accepts the metadata folder and a metadata file', async () => {
    const dir = join(FIXTURES, 'icebird-spark-bunnies/metadata');
    expect(await locateMetadataFile(dir, io)).toBe(join(dir, 'v5.metadata.json'));
    expect(await locateMetadataFile(join(dir, 'v1.metadata.json'), io)).toBe(join(dir, 'v1.metadata.json'));
  });

  it('names the folder when there is no metadata', async () => {
    await expect(locateMetadataFile(join(FIXTURES, 'nope'), io)).rejects.toThrow(
      /no iceberg metadata file found in .*nope\/metadata/,
    );
  });

  it('works over any FileIO (memory)', async () => {
    const m = new MemoryFileIO();
    await m.write('memory://w/t/metadata/v1.metadata.json', enc('{}'));
    await m.write('memory://w/t/metadata/v12.metadata.json', enc('{}'));
    expect(await locateMetadataFile('memory://w/t/', m)).toBe('memory://w/t/metadata/v12.metadata.json');
  });

  it('probes past a lagging version hint (hint=1, v2 and v3 present → v3), as HadoopTableOperations does', async () => {
    const m = new MemoryFileIO();
    await m.write('memory://w/h/metadata/version-hint.text', enc('1'));
    await m.write('memory://w/h/metadata/v1.metadata.json', enc('{}'));
    await m.write('memory://w/h/metadata/v2.metadata.json', enc('{}'));
    expect(await locateMetadataFile('memory://w/h', m)).toBe('memory://w/h/metadata/v2.metadata.json');
    await m.write('memory://w/h/metadata/v3.gz.metadata.json', enc('{}'));
    await m.write('memory://w/h/metadata/v5.metadata.json', enc('{}')); // after a gap: not reached
    expect(await locateMetadataFile('memory://w/h', m)).toBe('memory://w/h/metadata/v3.gz.metadata.json');
  });
});

describe('movedPathResolver', () => {
  it.each([
    [
      's3a://hyperparam-iceberg/spark/bunnies',
      's3a://hyperparam-iceberg/spark/bunnies/data/a.parquet',
      '/f/t/data/a.parquet',
    ],
    ['/test-warehouse/ice/t', 'hdfs://localhost:20500/test-warehouse/ice/t/data/x.parq', '/f/t/data/x.parq'],
    ['/test-warehouse/ice/t', '/test-warehouse/ice/t/metadata/snap-1.avro', '/f/t/metadata/snap-1.avro'],
    ['./lineitem_iceberg', 'lineitem_iceberg/data/x.parquet', '/f/t/data/x.parquet'],
    ['file://data/persistent/map_stats', 'file://data/persistent/map_stats/data/x.parquet', '/f/t/data/x.parquet'],
    ['gs://bucket/table_name', 'data/persistent/big_query_error/metadata/m.avro', '/f/t/metadata/m.avro'],
    ['/tmp/iceberg/t1', 'file:/tmp/iceberg/t1/data/a.parquet', '/f/t/data/a.parquet'],
    ['/tmp/iceberg/t1', 'file:///tmp/iceberg/t1/data/a.parquet', '/f/t/data/a.parquet'],
  ])('location %s: %s → %s', (written, path, expected) => {
    expect(movedPathResolver('/f/t', written)(path)).toBe(expected);
  });

  it('climbs out of the table folder for a file registered from outside it', () => {
    const r = movedPathResolver('/f/w/default.db/my_table', 'data/p/warehouse/default.db/my_table');
    expect(r('data/p/warehouse/example/mock.parquet')).toBe('/f/w/example/mock.parquet');
  });

  it('re-roots onto an s3 table folder and is idempotent', () => {
    const r = movedPathResolver('s3://b/copies/t', '/test-warehouse/t');
    const once = r('/test-warehouse/t/data/a.parquet');
    expect(once).toBe('s3://b/copies/t/data/a.parquet');
    expect(r(once)).toBe(once);
  });
});

describe('paths', () => {
  it('joins and takes parents without breaking schemes', () => {
    expect(joinLocation('s3://b/w/t', '../x/y')).toBe('s3://b/w/x/y');
    expect(joinLocation('/a/b', 'c')).toBe('/a/b/c');
    expect(parentOf('s3://b/w/t/metadata/v1.metadata.json')).toBe('s3://b/w/t/metadata');
    expect(parentOf('/a')).toBe('/');
  });
});
