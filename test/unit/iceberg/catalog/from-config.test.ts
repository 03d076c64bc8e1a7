import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileCatalog } from '../../../../core/iceberg/catalog/file-catalog';
import { catalogFromConfig } from '../../../../core/iceberg/catalog/from-config';
import { GlueCatalog } from '../../../../core/iceberg/catalog/glue-catalog';
import { RestCatalog } from '../../../../core/iceberg/catalog/rest-catalog';
import { startRestServer } from '../../../../core/iceberg/catalog/rest-server';
import { SqlCatalog } from '../../../../core/iceberg/catalog/sql-catalog';
import { LocalFileIO } from '../../../../core/iceberg/io/local';

describe('catalogFromConfig', () => {
  it('builds each catalog type; iceberg-rest-catalog without a uri is the Glue endpoint with SigV4', () => {
    expect(catalogFromConfig({ type: 'file', warehouse: '/tmp/wh' })).toBeInstanceOf(FileCatalog);
    expect(
      catalogFromConfig({ type: 'sql', warehouse: '/tmp/wh', sql: { query: async () => ({ rows: [], rowCount: 0 }) } }),
    ).toBeInstanceOf(SqlCatalog);
    expect(catalogFromConfig({ type: 'glue', warehouse: 's3://b/wh', region: 'eu-west-1' })).toBeInstanceOf(
      GlueCatalog,
    );
    const glueRest = catalogFromConfig({
      type: 'iceberg-rest-catalog',
      warehouse: '123456789012',
      region: 'eu-west-1',
    });
    expect(glueRest).toBeInstanceOf(RestCatalog);
    expect(glueRest.name).toBe('rest:https://glue.eu-west-1.amazonaws.com/iceberg');
    expect(() => catalogFromConfig({ type: 'sql', warehouse: '/tmp/wh' })).toThrow(/needs a postgres connection/);
  });
});

describe('rest server idempotency', () => {
  it('replays the response of a repeated Idempotency-Key instead of applying the request twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'icefloe-idem-'));
    const server = await startRestServer(new FileCatalog(dir, new LocalFileIO()));
    try {
      const post = (key: string) =>
        fetch(`${server.url}/v1/namespaces`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': key },
          body: JSON.stringify({ namespace: ['once'], properties: {} }),
        });
      const first = await post('k-1');
      const again = await post('k-1');
      const other = await post('k-2');
      expect([first.status, again.status, other.status]).toEqual([200, 200, 409]);
      expect(await again.json()).toEqual({ namespace: ['once'], properties: {} });
      expect(((await other.json()) as { error: { type: string } }).error.type).toBe('AlreadyExistsException');
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
