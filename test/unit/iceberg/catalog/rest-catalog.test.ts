import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileCatalog } from '../../../../core/iceberg/catalog/file-catalog';
import { RestCatalog } from '../../../../core/iceberg/catalog/rest-catalog';
import { startRestServer } from '../../../../core/iceberg/catalog/rest-server';
import { LocalFileIO } from '../../../../core/iceberg/io/local';
import { describeCatalogContract } from './catalog.contract';

describeCatalogContract('rest client → icefloe catalog serve (file catalog)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'icefloe-restcat-'));
  const server = await startRestServer(new FileCatalog(dir, new LocalFileIO()));
  return {
    catalog: new RestCatalog({ uri: server.url }, new LocalFileIO()),
    close: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describeCatalogContract('rest client with oauth2 client credentials', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'icefloe-restoauth-'));
  const credentials = { clientId: 'icefloe', clientSecret: 's3cret' };
  const server = await startRestServer(new FileCatalog(dir, new LocalFileIO()), { credentials });
  return {
    catalog: new RestCatalog({ uri: server.url, auth: { type: 'oauth2', ...credentials } }, new LocalFileIO()),
    close: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
