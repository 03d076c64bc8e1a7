/**
 * A small driver abstraction so the same connector code runs on a PostgreSQL server (`pg` pool,
 * `pg-copy-streams` for COPY) and on embedded PGlite (one in-process connection; COPY through `/dev/blob`).
 * Row values are driver-typed (pg and PGlite parse differently): callers that need exact values cast to text in SQL.
 */
import { IcefloeError, TransientError } from '../../errors';
import type { PostgresConnectionConfig } from './config';
import { sanitizeMessage } from './config';

export interface QueryResult {
  rows: Record<string, unknown>[];
  rowCount: number;
}

/** One connection: statements run in order; `BEGIN`/`COMMIT` span calls. */
export interface PgSession {
  query(sql: string, params?: unknown[]): Promise<QueryResult>;
  /** Rows as arrays in column order. */
  queryArrays(sql: string, params?: unknown[]): Promise<unknown[][]>;
  /** Column names, type OIDs and type modifiers of a query's result (servers only; PGlite has no typmods). */
  queryFields?(sql: string): Promise<{ name: string; typeOid: number; typmod: number }[]>;
  /**
   * `COPY <target> FROM STDIN <options>` fed by `data`; returns the rows copied.
   * @param target quoted table and column list, e.g. `"s"."t" ("a","b")`
   * @param options e.g. `(FORMAT text)`
   */
  copyFrom(target: string, options: string, data: AsyncIterable<Uint8Array>): Promise<number>;
  /**
   * `COPY (<query>) TO STDOUT <options>` as a stream of bytes (servers only; the Postgres source's binary read).
   * Ending the iteration early leaves the connection mid-COPY: the session must then fail (not be reused).
   */
  copyTo?(sql: string): AsyncIterable<Uint8Array>;
}

export interface PgDriver extends PgSession {
  readonly kind: 'pg' | 'pglite';
  /** Runs `fn` on one dedicated connection. */
  session<T>(fn: (s: PgSession) => Promise<T>): Promise<T>;
  /** Runs `fn` inside BEGIN … COMMIT on one connection; ROLLBACK when it throws. */
  transaction<T>(fn: (s: PgSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** SQLSTATE classes/codes worth retrying: connection loss, serialization failure, deadlock, shutdown, overload. */
const TRANSIENT = /^(08|40001|40P01|57P0[123]|53300|53400)/;

/** Database errors as icefloe errors: sanitized one-line message, SQLSTATE kept as `code`. */
export class PostgresError extends IcefloeError {
  override readonly name: string = 'PostgresError';
  readonly code?: string;
  constructor(message: string, code?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Wraps any driver error; keeps IcefloeErrors as they are. */
export function wrapError(err: unknown, config?: PostgresConnectionConfig, what = 'postgres'): Error {
  if (err instanceof IcefloeError) return err;
  const e = err as { message?: string; code?: string };
  const msg = sanitizeMessage(`${what}: ${String(e?.message ?? err).split('\n')[0]}`, config);
  const code = typeof e?.code === 'string' ? e.code : undefined;
  if (code && TRANSIENT.test(code)) return new TransientError(msg);
  if (code && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN)$/.test(code))
    return new TransientError(msg);
  // node-postgres reports a lost connection without a SQLSTATE.
  if (!code && /connection terminated|terminating connection|socket hang up|connection error/i.test(msg)) {
    return new TransientError(msg);
  }
  return new PostgresError(msg, code);
}

/** BEGIN … COMMIT around `fn` on a session, rolling back on any error. */
export async function inTransaction<T>(s: PgSession, fn: (s: PgSession) => Promise<T>): Promise<T> {
  await s.query('BEGIN');
  try {
    const out = await fn(s);
    await s.query('COMMIT');
    return out;
  } catch (err) {
    await s.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
