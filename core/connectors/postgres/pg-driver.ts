/** The `pg` (node-postgres) driver: a pool, COPY through pg-copy-streams. */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Pool, type PoolClient } from 'pg';
import { from as copyFromStream } from 'pg-copy-streams';
import type { PostgresServerConfig } from './config';
import { poolOptions } from './config';
import { CopyOut } from './copy-out-stream';
import { inTransaction, type PgDriver, type PgSession, type QueryResult, wrapError } from './driver';

class PgClientSession implements PgSession {
  constructor(
    private readonly client: Pool | PoolClient,
    private readonly config: PostgresServerConfig,
  ) {}

  async query(sql: string, params?: unknown[]): Promise<QueryResult> {
    try {
      const r = await this.client.query(sql, params);
      return { rows: r.rows, rowCount: r.rowCount ?? 0 };
    } catch (err) {
      throw wrapError(err, this.config);
    }
  }

  async queryArrays(sql: string, params?: unknown[]): Promise<unknown[][]> {
    try {
      const r = await this.client.query({ text: sql, values: params, rowMode: 'array' });
      return r.rows as unknown[][];
    } catch (err) {
      throw wrapError(err, this.config);
    }
  }

  async queryFields(sql: string): Promise<{ name: string; typeOid: number; typmod: number }[]> {
    try {
      const r = await this.client.query({ text: sql, rowMode: 'array' });
      return r.fields.map((f) => ({ name: f.name, typeOid: f.dataTypeID, typmod: f.dataTypeModifier }));
    } catch (err) {
      throw wrapError(err, this.config);
    }
  }

  async copyFrom(target: string, options: string, data: AsyncIterable<Uint8Array>): Promise<number> {
    if (!('release' in this.client)) throw new Error('copyFrom needs a session');
    const stream = this.client.query(copyFromStream(`COPY ${target} FROM STDIN ${options}`));
    try {
      await pipeline(Readable.from(data, { objectMode: false }), stream);
    } catch (err) {
      throw wrapError(err, this.config, 'postgres copy');
    }
    return stream.rowCount;
  }

  async *copyTo(sql: string): AsyncIterable<Uint8Array> {
    if (!('release' in this.client)) throw new Error('copyTo needs a session');
    const stream = this.client.query(new CopyOut(sql) as never) as unknown as CopyOut;
    // A connection ended while the stream is abandoned reports its error here, not as an uncaught 'error'.
    stream.on('error', () => undefined);
    try {
      for await (const chunk of stream) yield chunk as Uint8Array;
    } catch (err) {
      throw wrapError(err, this.config, 'postgres copy');
    }
  }
}

class PgPoolDriver extends PgClientSession implements PgDriver {
  readonly kind = 'pg' as const;
  constructor(
    private readonly pool: Pool,
    private readonly cfg: PostgresServerConfig,
  ) {
    super(pool, cfg);
  }

  async session<T>(fn: (s: PgSession) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw wrapError(err, this.cfg, 'postgres connect');
    }
    let broken = false;
    // The pool listens for errors of idle clients only: without a listener of our own, a connection the server
    // ends while we hold it would raise an uncaught 'error' and kill the process. The statement in flight is
    // rejected with the same error, which is what the caller sees.
    const onError = () => {
      broken = true;
    };
    client.on('error', onError);
    try {
      return await fn(new PgClientSession(client, this.cfg));
    } catch (err) {
      broken = true; // a failed COPY or aborted transaction: do not hand this connection to the next caller
      throw err;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  transaction<T>(fn: (s: PgSession) => Promise<T>): Promise<T> {
    return this.session((s) => inTransaction(s, fn));
  }

  override copyFrom(target: string, options: string, data: AsyncIterable<Uint8Array>): Promise<number> {
    return this.session((s) => s.copyFrom(target, options, data));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** A pooled driver for a PostgreSQL server. */
export function openPgPool(config: PostgresServerConfig): PgDriver {
  const pool = new Pool(poolOptions(config));
  pool.on('error', () => undefined); // idle-client errors surface on the next query instead of crashing the process
  return new PgPoolDriver(pool, config);
}
