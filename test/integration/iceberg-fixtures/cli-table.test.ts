/**
 * `icefloe table` end to end through `main(argv, io)`: output formats, and the failure contract —
 * a corrupt manifest, a truncated Parquet file or a missing data file give one `error:` line
 * naming the file, exit 2, and no rows on stdout (nothing partial passes as complete).
 */
import {
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanOutput } from '../../../cli/commands/table';
import { catalogFromConfig } from '../../../core/iceberg/catalog/from-config';
import { runCli } from '../../helpers/cli';
import { FIXTURES } from './fixture-helpers';

const run = (...argv: string[]) => runCli(argv);

const BUNNIES = join(FIXTURES, 'icebird-spark-bunnies');

describe('icefloe table (fixtures)', () => {
  it('scans to JSON lines with projection and limit', async () => {
    const r = await run(
      'table',
      'scan',
      BUNNIES,
      '--allow-moved-paths',
      '--columns',
      'Breed Name,Lifespan',
      '--limit',
      '2',
    );
    expect(r).toEqual({
      code: 0,
      stdout: '{"Breed Name":"Netherland Dwarf","Lifespan":10}\n{"Breed Name":"Flemish Giant","Lifespan":5}\n',
      stderr: '',
    });
  });

  it('scans to CSV with a header, time travelling by snapshot id', async () => {
    const r = await run(
      'table',
      'scan',
      BUNNIES,
      '--allow-moved-paths',
      '--format',
      'csv',
      '--limit',
      '1',
      '--snapshot-id',
      '7505300640432048841',
    );
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').slice(0, 2)).toEqual([
      'Breed Name,Average Weight,Fur Length,Lifespan,Origin Country,Ear Type,Temperament,Popularity Rank',
      'Holland Lop,1.8,3,7,The Netherlands,Lop,Friendly,1',
    ]);
  });

  it('renders longs beyond 2^53, decimals, timestamps and binary as DESIGN.md says', async () => {
    const r = await run(
      'table',
      'scan',
      join(FIXTURES, 'duckdb-add-columns-with-defaults'),
      '--allow-moved-paths',
      '--limit',
      '1',
      '--where',
      'col_boolean = false',
    );
    const row = JSON.parse(r.stdout);
    expect(row).toMatchObject({
      col_long: 328725092345834,
      col_decimal: '3423434.23',
      col_timestamp: '0011-03-05T12:06:45.000000',
      col_timestamptz: '2023-05-15T14:30:45.000000Z',
      col_binary: '800080',
    });
    const big = await run(
      'table',
      'scan',
      join(FIXTURES, 'duckdb-part-bigint'),
      '--allow-moved-paths',
      '--where',
      'user_id = 12345',
    );
    expect(JSON.parse(big.stdout).partition_col).toBe('9223372036854775807');
  });

  it('filters with --where and selects a snapshot with --as-of', async () => {
    const polars = join(FIXTURES, 'polars-spark-day-partitioned/metadata/v2.metadata.json');
    const r = await run('table', 'scan', polars, '--allow-moved-paths', '--where', 'id in (1, 3)', '--columns', 'id');
    expect(r.stdout).toBe('{"id":1}\n{"id":3}\n');
    const before = await run('table', 'scan', BUNNIES, '--allow-moved-paths', '--as-of', '1970-01-01T00:00:00Z');
    expect(before.code).toBe(2);
    expect(before.stderr).toMatch(/^error: no snapshot of table .* as of 1970-01-01/);
  });

  it('describes and lists history, as text and JSON (ids as strings)', async () => {
    const d = await run('table', 'describe', join(FIXTURES, 'icebird-spark-rename-column'));
    expect(d.stdout).toContain('  1000: id_bucket = bucket[4](id)');
    expect(d.stdout).toContain('current snapshot: 5276958600260276572');
    const h = await run('table', 'history', BUNNIES, '--json');
    const history = JSON.parse(h.stdout);
    expect(history.map((e: { snapshotId: string; operation: string }) => [e.snapshotId, e.operation])).toEqual([
      ['7505300640432048841', 'append'],
      ['469881615898633426', 'overwrite'],
      ['2701171901096418979', 'overwrite'],
    ]);
  });

  it('rejects bad arguments with exit 2', async () => {
    expect((await run('table', 'scan', BUNNIES, '--limit', 'x')).stderr).toBe(
      "error: --limit must be a non-negative integer, got 'x'\n",
    );
    expect((await run('table', 'scan', BUNNIES, '--format', 'xml')).code).toBe(2);
    expect((await run('table', 'frob', BUNNIES)).code).toBe(2);
    const unknown = await run('table', 'scan', BUNNIES, '--allow-moved-paths', '--snapshot-id', '1234');
    expect([unknown.code, unknown.stderr]).toEqual([
      2,
      'error: snapshot 1234 not found in table s3a://hyperparam-iceberg/spark/bunnies\n',
    ]);
    const column = await run('table', 'scan', BUNNIES, '--allow-moved-paths', '--columns', 'nope');
    expect(column.stderr).toMatch(/^error: unknown column 'nope'/);
  });
});

describe('icefloe table failures name the file, exit 2, print no rows', () => {
  let dir: string;
  const table = () => join(dir, 't');
  const only = (sub: string, pred: (f: string) => boolean) => {
    const name = readdirSync(join(table(), sub)).find(pred);
    if (!name) throw new Error(`no file in ${sub}`);
    return join(table(), sub, name);
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'icefloe-cli-table-'));
    cpSync(join(FIXTURES, 'impala-v2-no-deletes'), table(), { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const expectFailure = async (file: string) => {
    const r = await run('table', 'scan', table(), '--allow-moved-paths');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')).toHaveLength(2); // one line + the final newline
    expect(r.stderr).toMatch(/^error: /);
    expect(r.stderr).toContain(file);
  };

  it('a corrupt manifest', async () => {
    const manifest = only('metadata', (f) => f.endsWith('-m0.avro'));
    const bytes = readFileSync(manifest);
    writeFileSync(manifest, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expectFailure(manifest);
  });

  it('a truncated parquet file', async () => {
    const data = only('data', (f) => f.endsWith('.parquet'));
    truncateSync(data, 100);
    await expectFailure(data);
  });

  it('a missing data file', async () => {
    const data = only('data', (f) => f.endsWith('.parquet'));
    unlinkSync(data);
    await expectFailure(data);
  });

  it('a failure after rows were flushed says the output is incomplete', async () => {
    cpSync(join(FIXTURES, 'glaredb-v1-lineitem-versioned'), join(dir, 'v'), { recursive: true });
    const order = await run('table', 'scan', join(dir, 'v'), '--allow-moved-paths', '--columns', '_file');
    const files = [
      ...new Set(
        order.stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l)._file as string),
      ),
    ];
    expect(files).toHaveLength(2);
    truncateSync(join(dir, 'v', (files[1] as string).replace(/^.*?lineitem_versioned\//, '')), 100);
    scanOutput.flushAt = 10;
    try {
      const r = await run('table', 'scan', join(dir, 'v'), '--allow-moved-paths', '--columns', 'l_orderkey');
      expect(r.code).toBe(2);
      expect(r.stdout.trim().split('\n')).toHaveLength(1000);
      expect(r.stderr).toMatch(/^error: cannot read parquet file .* \(output incomplete: stopped after 1000 rows\)\n$/);
    } finally {
      scanOutput.flushAt = 1 << 20;
    }
  });

  it('a missing metadata file given by name', async () => {
    const r = await run('table', 'describe', join(table(), 'metadata/v9.metadata.json'));
    expect([r.code, r.stderr]).toEqual([
      2,
      `error: metadata file not found: ${join(table(), 'metadata/v9.metadata.json')}\n`,
    ]);
  });
});

describe('icefloe table on dataos:// addresses (file lakehouse of examples/quickstart)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'icefloe-cli-dataos-'));
    cpSync(join(__dirname, '../../../examples/quickstart/lakehouse.yaml'), join(dir, 'lakehouse.yaml'));
    // The lakehouse's file warehouse is .icefloe/warehouse beside the manifest; a table copied to
    // <warehouse>/sales/events is table sales.events of its file catalog.
    const tableDir = join(dir, '.icefloe/warehouse/sales/events');
    cpSync(join(FIXTURES, 'polars-spark-day-partitioned'), tableDir, { recursive: true });
    const catalog = catalogFromConfig({ type: 'file', warehouse: join(dir, '.icefloe/warehouse') });
    expect(await catalog.tableExists({ namespace: ['sales'], name: 'events' })).toBe(true);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('resolves the depot through the manifests and scans the catalog table', async () => {
    const r = await run(
      'table',
      'scan',
      'dataos://testawslh:sales/events',
      '--manifests',
      dir,
      '--allow-moved-paths',
      '--columns',
      'id',
      '--where',
      'id > 1',
    );
    expect(r).toEqual({ code: 0, stdout: '{"id":2}\n{"id":3}\n', stderr: '' });
  });

  it('reports unknown depots and addresses without a table, exit 2', async () => {
    const unknown = await run('table', 'describe', 'dataos://nope:sales/events', '--manifests', dir);
    expect([unknown.code, unknown.stderr]).toEqual([
      2,
      "error: unknown depot 'nope' in dataos://nope:sales/events; known depots: testawslh\n",
    ]);
    const noTable = await run('table', 'describe', 'dataos://testawslh', '--manifests', dir);
    expect(noTable.stderr).toBe(
      'error: dataos://testawslh names no table: use dataos://<depot>:<collection>/<dataset>\n',
    );
  });
});
