import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { maintainOptionsOf, olderThanMs } from '../../../cli/table-maintain';
import { icebergSchemaOf } from '../../../core/arrow/write/arrow-schema';
import { conformTable } from '../../../core/arrow/write/conform';
import { writeDataFiles } from '../../../core/arrow/write/data-file-writer';
import { FileCatalog } from '../../../core/iceberg/catalog/file-catalog';
import { LocalFileIO } from '../../../core/iceberg/io/local';
import { appendFiles } from '../../../core/iceberg/transaction/operations';
import { runCli } from '../../helpers/cli';

const dir = mkdtempSync(join(tmpdir(), 'icefloe-maintain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (argv: string[]) => runCli(argv);

describe('icefloe table maintain', () => {
  it('parses ages and refuses to do nothing', () => {
    expect(olderThanMs('2d', 1_000_000_000_000)).toBe(1_000_000_000_000 - 2 * 86_400_000);
    expect(olderThanMs('2026-01-01T00:00:00Z')).toBe(Date.parse('2026-01-01T00:00:00Z'));
    expect(() => olderThanMs('soon')).toThrow(/--older-than must be/);
    expect(() => maintainOptionsOf({})).toThrow(/nothing to do/);
    expect(() => maintainOptionsOf({ expire: true, 'retain-last': '0' })).toThrow(/--retain-last/);
  });

  it('expires old snapshots, merges manifests and removes only unreferenced files', async () => {
    const catalog = new FileCatalog(dir, new LocalFileIO());
    await catalog.createNamespace(['db']);
    const id = { namespace: ['db'], name: 't' };
    const first = new arrow.Table({ id: arrow.makeVector(BigInt64Array.from([1n, 2n])) });
    const schema = icebergSchemaOf(first.schema);
    await catalog.createTable(id, { schema });
    for (const [i, ids] of [[1n, 2n], [3n], [4n]].entries()) {
      const { metadata: m } = await catalog.loadTable(id);
      const t = new arrow.Table({ id: arrow.makeVector(BigInt64Array.from(ids)) });
      const files = await writeDataFiles(conformTable(t, schema), {
        io: catalog.io,
        location: m.location,
        schema,
        spec: m['partition-specs'][0]!,
        properties: m.properties,
        prefix: `r${i}`,
      });
      await appendFiles(catalog, id, files);
    }
    const table = join(dir, 'db', 't');
    const orphan = join(table, 'data', 'orphan.parquet');
    writeFileSync(orphan, 'not referenced by any snapshot');

    const dry = await cli(['table', 'maintain', table, '--remove-orphans', '--older-than', '0s', '--dry-run']);
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('orphans: 1 files found (dry run, nothing deleted)');
    expect(dry.stdout).toContain(orphan);

    const r = await cli([
      'table',
      'maintain',
      table,
      '--rewrite-manifests',
      '--expire',
      '--older-than',
      '0s',
      '--retain-last',
      '1',
      '--remove-orphans',
      '--json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { expired: { snapshots: string[] }; orphans: string[] };
    expect(report.expired.snapshots.length).toBeGreaterThanOrEqual(2);
    expect(report.orphans).toEqual([orphan]);

    const scan = await cli(['table', 'scan', table, '--format', 'csv']);
    expect(scan.code).toBe(0);
    expect(scan.stdout.trim().split('\n').slice(1).sort()).toEqual(['1', '2', '3', '4']);
  });
});
