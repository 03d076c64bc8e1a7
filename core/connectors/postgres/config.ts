/**
 * Connection settings of the Postgres connector: a server (host/port/… or a connection string) or an embedded
 * PGlite database (a folder, or in memory). Passwords never appear in messages: use `describeConnection`.
 */
import type { ConnectionOptions } from 'node:tls';
import { InvalidInputError } from '../../errors';
import type { PostgresDepotSpec } from '../../manifest/types';

/** A PostgreSQL server. */
export interface PostgresServerConfig {
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  password?: string;
  /** libpq-style parameters: `sslmode` (disable|allow|prefer|require|verify-ca|verify-full), `application_name`, … */
  params?: Record<string, string>;
  /** Alternative to the fields above (they override it): `postgresql://user:pass@host:5432/db?sslmode=require`. */
  connectionString?: string;
  /** Pool size. @default 4 */
  maxConnections?: number;
}

/** An in-process PGlite database: `path` is a folder (created when missing); no path keeps it in memory. */
export interface EmbeddedConfig {
  embedded: { path?: string };
}

export type PostgresConnectionConfig = PostgresServerConfig | EmbeddedConfig;

/** Whether the config asks for an embedded PGlite database. */
export function isEmbedded(config: PostgresConnectionConfig): config is EmbeddedConfig {
  return (config as EmbeddedConfig).embedded !== undefined;
}

/**
 * The connection of a `postgresql` depot. Credentials come from its instance secret: `username` (or `user`)
 * and `password`; a secret may also carry a full `url`/`connection_string`.
 */
export function fromDepot(depot: PostgresDepotSpec, secret: Record<string, string>): PostgresConnectionConfig {
  if (depot.embedded) return { embedded: { path: depot.embedded.path } };
  const url = secret.url ?? secret.connection_string ?? secret.connectionString;
  return {
    connectionString: url,
    host: depot.host,
    port: depot.port,
    database: depot.database,
    user: secret.username ?? secret.user ?? secret.USERNAME,
    password: secret.password ?? secret.PASSWORD,
    params: { ...depot.params },
  };
}

/** The connection named by `DATABASE_URL` (undefined when unset). `embedded:` / `embedded:<folder>` selects PGlite. */
export function fromEnv(env: NodeJS.ProcessEnv = process.env): PostgresConnectionConfig | undefined {
  const url = env.DATABASE_URL;
  if (!url) return undefined;
  if (url === 'embedded:' || url === 'embedded:memory') return { embedded: {} };
  if (url.startsWith('embedded:')) return { embedded: { path: url.slice('embedded:'.length) } };
  return { connectionString: url };
}

/** Options for `new pg.Pool(...)`, with TLS as `sslmode` asks (libpq semantics, §34.19.1 of the PG manual). */
export function poolOptions(config: PostgresServerConfig): Record<string, unknown> {
  const fromUrl = config.connectionString ? parseUrl(config.connectionString) : {};
  const params = { ...fromUrl.params, ...config.params };
  const out: Record<string, unknown> = {
    host: config.host ?? fromUrl.host ?? '127.0.0.1',
    port: config.port ?? fromUrl.port ?? 5432,
    database: config.database ?? fromUrl.database ?? 'postgres',
    user: config.user ?? fromUrl.user ?? 'postgres',
    password: config.password ?? fromUrl.password,
    max: config.maxConnections ?? 4,
    idleTimeoutMillis: 10_000,
    allowExitOnIdle: true, // a shared pool must not keep a finished CLI process alive
    ssl: sslOptions(params.sslmode, params),
  };
  if (params.application_name) out.application_name = params.application_name;
  if (params.connect_timeout) out.connectionTimeoutMillis = Number(params.connect_timeout) * 1000;
  if (params.statement_timeout) out.statement_timeout = Number(params.statement_timeout);
  if (params.options) out.options = params.options; // libpq `options`, e.g. `-c default_transaction_read_only=on`
  return out;
}

/** TLS per sslmode. `prefer`/`allow` cannot fall back in node-postgres; they connect without TLS. */
export function sslOptions(mode: string | undefined, params: Record<string, string> = {}): false | ConnectionOptions {
  switch (mode ?? 'prefer') {
    case 'disable':
    case 'allow':
    case 'prefer':
      return false;
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-ca':
      // verify-ca checks the chain but not the host name.
      return { rejectUnauthorized: true, checkServerIdentity: () => undefined, ...caOption(params) };
    case 'verify-full':
      return { rejectUnauthorized: true, ...caOption(params) };
    default:
      throw new InvalidInputError(`unknown sslmode ${mode}: use disable, require, verify-ca or verify-full`);
  }
}

function caOption(params: Record<string, string>): ConnectionOptions {
  return params.sslrootcert ? { ca: require('node:fs').readFileSync(params.sslrootcert, 'utf8') } : {};
}

interface UrlParts {
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  password?: string;
  params?: Record<string, string>;
}

function parseUrl(text: string): UrlParts {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidInputError(`bad postgres connection string ${redactUrl(text)}`);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new InvalidInputError(`bad postgres connection string ${redactUrl(text)}: scheme must be postgresql://`);
  }
  return {
    host: url.hostname ? decodeURIComponent(url.hostname) : undefined,
    port: url.port ? Number(url.port) : undefined,
    database: url.pathname.length > 1 ? decodeURIComponent(url.pathname.slice(1)) : undefined,
    user: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    params: Object.fromEntries(url.searchParams.entries()),
  };
}

/** A connection string with its password replaced by `***` (also for strings that do not parse). */
export function redactUrl(text: string): string {
  return text.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@').replace(/(password=)[^&\s]*/gi, '$1***');
}

/** A one-line, password-free description of where a config points, for messages. */
export function describeConnection(config: PostgresConnectionConfig): string {
  if (isEmbedded(config)) return `embedded postgres ${config.embedded.path ?? '(in memory)'}`;
  const o = poolOptions(config);
  return `postgres ${String(o.user)}@${String(o.host)}:${String(o.port)}/${String(o.database)}`;
}

/** Removes any password of `config` from a message (driver errors can echo connection strings). */
export function sanitizeMessage(message: string, config?: PostgresConnectionConfig): string {
  let out = redactUrl(message);
  const secrets = config && !isEmbedded(config) ? [config.password, parseMaybe(config)?.password] : [];
  for (const s of secrets) if (s && s.length >= 3) out = out.split(s).join('***');
  return out;
}

function parseMaybe(config: PostgresServerConfig): UrlParts | undefined {
  try {
    return config.connectionString ? parseUrl(config.connectionString) : undefined;
  } catch {
    return undefined;
  }
}
