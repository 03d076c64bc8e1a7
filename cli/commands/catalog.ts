import { resolve } from 'node:path';
import { InvalidInputError } from '../../core/errors';
import { catalogFromConfig } from '../../core/iceberg/catalog/from-config';
import { startRestServer } from '../../core/iceberg/catalog/rest-server';
import { parseCommandArgs } from '../args';
import type { Command } from '../command';

const HELP = `usage: icefloe catalog serve [--port N] [--host ADDR] [--catalog file|sql] [--warehouse DIR|s3://…]
                            [--sql-url postgres://…] [--catalog-name NAME]
                            [--client-id ID --client-secret SECRET]

Serves an Iceberg REST catalog (the REST catalog spec: config, namespaces, tables, commits with
requirements, rename, OAuth2 client-credentials tokens) over the file catalog (a warehouse folder,
local or S3) or the SQL catalog (JDBC-catalog tables in PostgreSQL), so any REST client — Spark,
PyIceberg, Trino, iceberg-js, icefloe itself — can share the tables. Runs until interrupted.

options:
  --port N             port to listen on (default 8181; 0 picks a free one)
  --host ADDR          address to bind (default 127.0.0.1)
  --catalog TYPE       file (default) or sql
  --warehouse DIR      warehouse folder or s3://bucket/prefix (default ./warehouse)
  --sql-url URL        PostgreSQL connection string for --catalog sql
  --catalog-name NAME  catalog_name in the SQL catalog tables (default icefloe)
  --client-id ID, --client-secret SECRET
                       require OAuth2 client-credentials tokens from /v1/oauth/tokens

examples:
  icefloe catalog serve --warehouse ./warehouse
  icefloe catalog serve --catalog sql --sql-url postgres://postgres@127.0.0.1/test --warehouse s3://lake/wh`;

/** \`icefloe catalog serve\`: an Iceberg REST catalog server over the file or SQL catalog. */
export const command: Command = {
  summary: 'serve an Iceberg REST catalog over a warehouse folder (file) or PostgreSQL (sql)',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      port: { type: 'string' },
      host: { type: 'string' },
      catalog: { type: 'string' },
      warehouse: { type: 'string' },
      'sql-url': { type: 'string' },
      'catalog-name': { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
    });
    if (positionals[0] !== 'serve')
      throw new InvalidInputError(`unknown catalog subcommand '${positionals[0] ?? ''}' (try: icefloe catalog serve)`);
    const type = values.catalog ?? 'file';
    if (type !== 'file' && type !== 'sql') throw new InvalidInputError(`--catalog must be file or sql, got '${type}'`);
    const port = Number(values.port ?? 8181);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new InvalidInputError(`--port must be a port number, got '${values.port}'`);
    const raw = values.warehouse ?? './warehouse';
    const warehouse = raw.includes('://') ? raw : resolve(raw);
    const catalog = catalogFromConfig({
      type,
      warehouse,
      ...(values['sql-url'] ? { sqlUrl: values['sql-url'] } : {}),
      ...(values['catalog-name'] ? { catalogName: values['catalog-name'] } : {}),
    });
    const credentials =
      values['client-id'] && values['client-secret']
        ? { clientId: values['client-id'], clientSecret: values['client-secret'] }
        : undefined;
    const server = await startRestServer(catalog, {
      port,
      host: values.host ?? '127.0.0.1',
      ...(credentials ? { credentials } : {}),
    });
    io.stdout.write(`icefloe REST catalog (${catalog.name}, warehouse ${warehouse}) listening on ${server.url}\n`);
    await new Promise<void>((done) => {
      const stop = () => void server.close().then(done);
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    return 0;
  },
};
