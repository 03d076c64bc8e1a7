import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileCatalog } from '../../../../core/iceberg/catalog/file-catalog';
import { LocalFileIO } from '../../../../core/iceberg/io/local';
import { describeCatalogContract } from './catalog.contract';

describeCatalogContract('file (local folder)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'icefloe-filecat-'));
  return {
    catalog: new FileCatalog(dir, new LocalFileIO()),
    close: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
