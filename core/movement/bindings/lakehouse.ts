/**
 * Binds lakehouse depots (created by `type: lakehouse` manifests) to the Iceberg connector
 * (`core/connectors/lakehouse`): the catalog from the lakehouse's storage and metastore, S3 settings and
 * credentials from its depot secret.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidInputError } from '../../errors';
import type { CatalogConfig } from '../../iceberg/catalog/from-config';
import type { Endpoint, LakehouseManifest } from '../../manifest/types';
import type { ConnectorModule, ConnectorTarget } from '../connectors';
import { depotSecret } from './secrets';

function warehouseOf(lh: LakehouseManifest['lakehouse']): string {
  const st = lh.storage;
  if (st.type === 'file' && st.file) return st.file.path;
  if (st.s3) return `s3://${st.s3.bucket}${st.s3.relativePath ? `/${st.s3.relativePath}` : ''}`;
  throw new InvalidInputError(`lakehouse storage ${st.depotName}: neither a file path nor an s3 bucket`);
}

/** Secret keys compared loosely: `AWS_ACCESS_KEY_ID`, `awsaccesskeyid` and `aws-access-key-id` are one key. */
function normalizedKeys(data: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k.toLowerCase().replace(/[^a-z0-9]/g, ''), v]));
}

/** The catalog settings of a lakehouse depot (exported for tests and other commands). */
export function catalogConfigOf(
  t: ConnectorTarget,
  access: 'r' | 'rw',
  options: Endpoint['options'] = {},
): CatalogConfig {
  const lh = t.depot.depot.lakehouse;
  if (!lh) throw new InvalidInputError(`depot ${t.depot.name}: not a lakehouse depot`);
  const secret = normalizedKeys(depotSecret(t.manifests, t.depot, access));
  const s3 = lh.storage.s3;
  const region = options.awsRegion ?? s3?.region ?? secret.awsregion;
  const endpoint = options.awsEndpoint ?? s3?.endpoint ?? secret.awsendpoint;
  const credentials =
    secret.awsaccesskeyid && secret.awssecretaccesskey
      ? {
          accessKeyId: secret.awsaccesskeyid,
          secretAccessKey: secret.awssecretaccesskey,
          ...(secret.awssessiontoken ? { sessionToken: secret.awssessiontoken } : {}),
        }
      : undefined;
  const type = lh.metastore.type;
  if (type === 'sql')
    throw new InvalidInputError(
      `lakehouse ${t.depot.name}: metastore type sql is not bound for runs yet; use file, glue or iceberg-rest-catalog`,
    );
  return {
    type,
    warehouse: lh.metastore.warehouse && type !== 'file' ? lh.metastore.warehouse : warehouseOf(lh),
    ...(lh.metastore.uri ? { uri: lh.metastore.uri } : {}),
    ...(region ? { region } : {}),
    io: {
      s3: { ...(region ? { region } : {}), ...(endpoint ? { endpoint } : {}), ...(credentials ? { credentials } : {}) },
    },
  };
}

function catalog(t: ConnectorTarget, access: 'r' | 'rw') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { catalogFromConfig } =
    require('../../iceberg/catalog/from-config') as typeof import('../../iceberg/catalog/from-config');
  return catalogFromConfig(catalogConfigOf(t, access, t.endpoint.options));
}

/** The table an endpoint names (`dataos://lake:collection/dataset`), if it names one. */
function tableOf(e: Endpoint) {
  return e.collection && e.dataset ? { namespace: [e.collection], name: e.dataset } : undefined;
}

type SourceCtor = new (catalog: unknown, opts: unknown) => import('../../connectors/types').Source;

/** `LakehouseSource` of `core/connectors/lakehouse/source.ts`, when that file exists. */
function ownSource(): SourceCtor | undefined {
  // A computed path: bundlers (esbuild for Lambda) must not fail on a file that may not exist.
  const file = join(__dirname, '..', '..', 'connectors', 'lakehouse', 'source');
  if (!existsSync(`${file}.ts`) && !existsSync(`${file}.js`)) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(file) as { LakehouseSource?: SourceCtor }).LakehouseSource;
}

export const lakehouseBinding: ConnectorModule = {
  sink: (t) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { LakehouseSink } =
      require('../../connectors/lakehouse/sink') as typeof import('../../connectors/lakehouse/sink');
    const table = tableOf(t.endpoint);
    return new LakehouseSink(catalog(t, 'rw'), table ? { table } : {});
  },
  source: (t) => {
    // The connector's own source when it has one; else icefloe's generic one over the catalog and read path.
    const table = tableOf(t.endpoint);
    const own = ownSource();
    if (own) return new own(catalog(t, 'r'), table ? { table } : {});
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { LakehouseSource } = require('../sources/lakehouse') as typeof import('../sources/lakehouse');
    return new LakehouseSource(catalog(t, 'r'), table ? { table } : {});
  },
};
