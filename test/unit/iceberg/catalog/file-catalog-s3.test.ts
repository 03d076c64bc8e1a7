import { FileCatalog } from '../../../../core/iceberg/catalog/file-catalog';
import { S3FileIO } from '../../../../core/iceberg/io/s3';
import { s3ConfigFor, startS3Server } from '../../../helpers/s3-server';
import { describeCatalogContract } from './catalog.contract';

describeCatalogContract('file (S3 via s3rver with If-None-Match)', async () => {
  const s3 = await startS3Server();
  return {
    catalog: new FileCatalog(`s3://${s3.bucket}/warehouse`, new S3FileIO(s3ConfigFor(s3.endpoint))),
    close: () => s3.stop(),
  };
});
