/**
 * An independent REST client (iceberg-js) against `icefloe catalog serve`'s server over the file catalog.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { IcebergRestCatalog } from 'iceberg-js';
import { FileCatalog } from '../../../core/iceberg/catalog/file-catalog';
import { startRestServer } from '../../../core/iceberg/catalog/rest-server';
import { LocalFileIO } from '../../../core/iceberg/io/local';
import { ensureTable, writeArrow } from '../../../core/iceberg/transaction/write-arrow';

const dir = mkdtempSync(join(tmpdir(), 'icefloe-icebergjs-'));
let server: Awaited<ReturnType<typeof startRestServer>>;
const files = new FileCatalog(dir, new LocalFileIO());
beforeAll(async () => {
  server = await startRestServer(files);
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('iceberg-js talking to the icefloe REST server', () => {
  it('manages namespaces and tables, commits property updates, and sees snapshots written by icefloe', async () => {
    const client = new IcebergRestCatalog({ baseUrl: server.url, auth: { type: 'none' } });
    await client.createNamespace({ namespace: ['analytics'] }, { properties: { owner: 'js' } });
    expect(await client.namespaceExists({ namespace: ['analytics'] })).toBe(true);
    const listed = await client.listNamespaces();
    expect(JSON.stringify(listed)).toContain('analytics');
    expect((await client.loadNamespaceMetadata({ namespace: ['analytics'] })).properties).toMatchObject({
      owner: 'js',
    });
    const created = await client.createTable(
      { namespace: ['analytics'] },
      {
        name: 'events',
        schema: {
          type: 'struct',
          fields: [
            { id: 1, name: 'id', type: 'long', required: true },
            { id: 2, name: 'kind', type: 'string', required: false },
          ],
          'schema-id': 0,
        },
        'partition-spec': {
          'spec-id': 0,
          fields: [{ 'source-id': 2, 'field-id': 1000, name: 'kind', transform: 'identity' }],
        },
        properties: { 'format-version': '2' },
      },
    );
    expect(created['format-version']).toBe(2);
    const tables = await client.listTables({ namespace: ['analytics'] });
    expect(JSON.stringify(tables)).toContain('events');
    const id = { namespace: ['analytics'], name: 'events' };
    await client.updateTable(id, { updates: [{ action: 'set-properties', updates: { 'x.y': 'z' } }] } as never);
    expect((await files.loadTable(id)).metadata.properties['x.y']).toBe('z');
    await ensureTable(files, id, new arrow.Schema([]));
    const rows = new arrow.Table({
      id: arrow.makeVector(BigInt64Array.from([1n, 2n])),
      kind: arrow.vectorFromArray(['a', 'b'], new arrow.Utf8()),
    });
    const out = await writeArrow(files, id, rows, { mode: 'append' });
    const loaded = await client.loadTable(id);
    // iceberg-js parses with JSON.parse, so 64-bit ids arrive rounded to a double: compare as doubles.
    expect(Number(loaded['current-snapshot-id'])).toBe(Number(out.snapshot['snapshot-id']));
    expect(loaded.snapshots?.[0]?.summary).toMatchObject({ operation: 'append', 'added-records': '2' });
    expect(await client.tableExists({ namespace: ['analytics'], name: 'nope' })).toBe(false);
    await client.dropTable(id);
    expect(await files.tableExists(id)).toBe(false);
  });
});
