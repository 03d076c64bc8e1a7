/**
 * Builds a Catalog from settings (CLI flags, a lakehouse manifest's `metastore`): `file` (warehouse
 * folder or s3:// prefix), `sql` (PostgreSQL connection string or a driver), `rest` (uri + auth),
 * `glue` (AWS Glue Data Catalog). `iceberg-rest-catalog` without a uri means AWS Glue's Iceberg REST
 * endpoint of the region, signed with SigV4.
 */
import { InvalidInputError } from '../../errors';
import type { FileIOConfig } from '../io';
import type { Catalog } from './catalog';
import { FileCatalog } from './file-catalog';
import { GlueCatalog, type GlueClientLike } from './glue-catalog';
import type { RestAuth } from './rest-auth';
import { RestCatalog } from './rest-catalog';
import { RoutingFileIO } from './routing-file-io';
import { SqlCatalog, type SqlClient } from './sql-catalog';

export interface CatalogConfig {
  type: 'file' | 'sql' | 'rest' | 'iceberg-rest-catalog' | 'glue';
  /** Warehouse folder or `s3://bucket/prefix` (file, sql: where new tables go; rest: the `warehouse` parameter). */
  warehouse: string;
  uri?: string;
  auth?: RestAuth;
  /** For `sql`: a ready client (e.g. core/connectors/postgres PgDriver) … */
  sql?: SqlClient;
  /** … or a connection string, opened with `pg`. */
  sqlUrl?: string;
  catalogName?: string;
  region?: string;
  glue?: GlueClientLike;
  io?: FileIOConfig;
}

/** The catalog for a config. */
export function catalogFromConfig(c: CatalogConfig): Catalog {
  const io = new RoutingFileIO(c.io ?? {});
  switch (c.type) {
    case 'file':
      return new FileCatalog(c.warehouse, io);
    case 'sql': {
      const client = c.sql ?? (c.sqlUrl ? pgClient(c.sqlUrl) : undefined);
      if (!client) throw new InvalidInputError('sql catalog needs a postgres connection (--sql-url)');
      return new SqlCatalog(client, io, c.warehouse, c.catalogName ?? 'icefloe');
    }
    case 'rest':
    case 'iceberg-rest-catalog': {
      const region = c.region ?? process.env.AWS_REGION ?? 'us-east-1';
      const uri = c.uri ?? `https://glue.${region}.amazonaws.com/iceberg`;
      const auth = c.auth ?? (c.uri ? { type: 'none' as const } : { type: 'sigv4' as const, region, service: 'glue' });
      return new RestCatalog({ uri, warehouse: c.warehouse, auth }, io);
    }
    case 'glue':
      return new GlueCatalog(
        {
          ...(c.glue ? { client: c.glue } : {}),
          region: c.region ?? process.env.AWS_REGION ?? 'us-east-1',
          warehouse: c.warehouse,
          ...(c.catalogName ? { catalogId: c.catalogName } : {}),
        },
        io,
      );
    default:
      throw new InvalidInputError(`unknown catalog type ${(c as { type: string }).type}`);
  }
}

function pgClient(url: string): SqlClient {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Pool } = require('pg') as typeof import('pg');
  const pool = new Pool({ connectionString: url, max: 4 });
  return {
    query: async (sql, params) => {
      const r = await pool.query(sql, params);
      return { rows: r.rows, rowCount: r.rowCount ?? 0 };
    },
  };
}
