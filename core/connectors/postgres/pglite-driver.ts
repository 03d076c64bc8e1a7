/**
 * The embedded driver: PGlite (PostgreSQL compiled to WASM, in-process, one connection). COPY cannot use the
 * wire protocol here; PGlite reads `COPY … FROM '/dev/blob'` from a Blob passed with the query, so a chunk's
 * COPY data is gathered in memory first (chunks are bounded by the planner).
 */
import type { PGlite } from '@electric-sql/pglite';

/** The part of PGlite the driver uses (a PGlite instance, or a proxy to one in a worker thread). */
export interface PgliteLike {
  query<T>(
    sql: string,
    params?: unknown[],
    opts?: { rowMode?: 'array' | 'object'; blob?: Blob },
  ): Promise<{ rows: T[]; affectedRows?: number }>;
  close(): Promise<void>;
}

import type { PostgresConnectionConfig } from './config';
import { inTransaction, type PgDriver, type PgSession, type QueryResult, wrapError } from './driver';

class PgliteDriver implements PgDriver {
  readonly kind = 'pglite' as const;
  /** PGlite has one connection: sessions run one after the other. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly direct: PgSession;

  constructor(
    private readonly db: PgliteLike,
    private readonly config?: PostgresConnectionConfig,
  ) {
    this.direct = {
      query: (sql, params) => this.rawQuery(sql, params),
      queryArrays: async (sql, params) => {
        try {
          return (await this.db.query<unknown[]>(sql, params, { rowMode: 'array' })).rows;
        } catch (err) {
          throw wrapError(err, this.config);
        }
      },
      copyFrom: async (target, options, data) => {
        const parts: Uint8Array[] = [];
        for await (const part of data) parts.push(part);
        const blob = new Blob(parts as unknown as ConstructorParameters<typeof Blob>[0]);
        try {
          const r = await this.db.query(`COPY ${target} FROM '/dev/blob' ${options}`, [], { blob });
          return r.affectedRows ?? 0;
        } catch (err) {
          throw wrapError(err, this.config, 'postgres copy');
        }
      },
    };
  }

  private async rawQuery(sql: string, params?: unknown[]): Promise<QueryResult> {
    try {
      const r = await this.db.query<Record<string, unknown>>(sql, params);
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
    } catch (err) {
      throw wrapError(err, this.config);
    }
  }

  session<T>(fn: (s: PgSession) => Promise<T>): Promise<T> {
    const run = this.queue.then(() => fn(this.direct));
    this.queue = run.catch(() => undefined);
    return run;
  }

  transaction<T>(fn: (s: PgSession) => Promise<T>): Promise<T> {
    return this.session((s) => inTransaction(s, fn));
  }

  query(sql: string, params?: unknown[]): Promise<QueryResult> {
    return this.session((s) => s.query(sql, params));
  }

  queryArrays(sql: string, params?: unknown[]): Promise<unknown[][]> {
    return this.session((s) => s.queryArrays(sql, params));
  }

  copyFrom(target: string, options: string, data: AsyncIterable<Uint8Array>): Promise<number> {
    return this.session((s) => s.copyFrom(target, options, data));
  }

  async close(): Promise<void> {
    await this.queue;
    await this.db.close();
  }
}

/** Opens PGlite in `path` (a folder, created when missing) or in memory; also wraps an existing instance. */
export async function openPglite(path?: string | PgliteLike, config?: PostgresConnectionConfig): Promise<PgDriver> {
  if (path !== undefined && typeof path !== 'string') return new PgliteDriver(path, config);
  const { PGlite: Ctor } = await import('@electric-sql/pglite');
  const db = (await Ctor.create(path)) as unknown as PGlite as unknown as PgliteLike;
  return new PgliteDriver(db, config);
}
