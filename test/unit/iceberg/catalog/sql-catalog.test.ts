import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RestCatalog } from '../../../../core/iceberg/catalog/rest-catalog';
import { startRestServer } from '../../../../core/iceberg/catalog/rest-server';
import { SqlCatalog } from '../../../../core/iceberg/catalog/sql-catalog';
import { LocalFileIO } from '../../../../core/iceberg/io/local';
import { openTestPg } from '../../../helpers/postgres';
import { describeCatalogContract } from './catalog.contract';

describeCatalogContract('sql (PostgreSQL)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'icefloe-sqlcat-'));
  const db = openTestPg();
  const name = `test_${randomBytes(4).toString('hex')}`;
  return {
    catalog: new SqlCatalog(db, new LocalFileIO(), dir, name),
    close: async () => {
      await db.query('DELETE FROM iceberg_tables WHERE catalog_name = $1', [name]);
      await db.query('DELETE FROM iceberg_namespace_properties WHERE catalog_name = $1', [name]);
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describeCatalogContract('rest client → icefloe catalog serve (sql catalog on PostgreSQL)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'icefloe-restsql-'));
  const db = openTestPg();
  const name = `rest_${randomBytes(4).toString('hex')}`;
  const server = await startRestServer(new SqlCatalog(db, new LocalFileIO(), dir, name));
  return {
    catalog: new RestCatalog({ uri: server.url }, new LocalFileIO()),
    close: async () => {
      await server.close();
      await db.query('DELETE FROM iceberg_tables WHERE catalog_name = $1', [name]);
      await db.query('DELETE FROM iceberg_namespace_properties WHERE catalog_name = $1', [name]);
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
