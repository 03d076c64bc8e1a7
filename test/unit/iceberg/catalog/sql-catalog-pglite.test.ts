import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqlCatalog } from '../../../../core/iceberg/catalog/sql-catalog';
import { LocalFileIO } from '../../../../core/iceberg/io/local';
import { openTestPglite } from '../../../helpers/postgres';
import { describeCatalogContract } from './catalog.contract';

describeCatalogContract('sql (embedded PGlite)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'icefloe-sqlite-'));
  const db = await openTestPglite();
  return {
    catalog: new SqlCatalog(db, new LocalFileIO(), dir, 'pglite'),
    close: async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
