/**
 * The Postgres connector: a Sink (append / replace / merge through per-run staging and one commit transaction)
 * and a Source (tables or queries in parallel chunks, incremental), on a server or embedded PGlite.
 * @example
 * const sink = new PostgresSink(fromDepot(depot.depot.postgresql!, secret['instance-secret'].data));
 * await sink.prepare(ctx, options, schema);
 */
export {
  describeConnection,
  type EmbeddedConfig,
  fromDepot,
  fromEnv,
  isEmbedded,
  type PostgresConnectionConfig,
  type PostgresServerConfig,
  redactUrl,
  sanitizeMessage,
} from './config';
export { type PgDriver, type PgSession, PostgresError } from './driver';
export { parseTableName, type QualifiedName, quoteIdent, quoteQualified } from './ident';
export { closeSharedDrivers, openDriver, sharedDriver } from './open';
export { PostgresSink, type PostgresSinkOptions, STATE_TABLE } from './sink';
export { DEFAULT_PAGE_SIZE, DEFAULT_PARALLELISM, PostgresSource, schemaOf } from './source';
export type { PostgresChunkSpec } from './source-plan';
export type { CopyFormat } from './staging';
