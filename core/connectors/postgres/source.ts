/**
 * The Postgres source: a table or `query:<SQL>`, read in parallel chunks (primary-key percentile ranges, or
 * ctid page ranges when there is no single-column key; a query is one chunk), optionally incremental on
 * `incremental-key` (> the stored cursor, ≤ the max planned now, within interval-start/interval-end).
 * `read` streams a chunk, `page-size` rows per Arrow batch (bounded memory): on a server through
 * `COPY (SELECT …) TO STDOUT (FORMAT binary)` decoded straight into Arrow buffers (`copy-out-binary.ts`), on
 * PGlite (or with `readFormat: 'text'`) as text rows (`arrow-build.ts`).
 */
import { type RecordBatch, Schema, Table, tableToIPC } from 'apache-arrow';
import { InvalidInputError } from '../../errors';
import type { JobOptions } from '../../manifest/types';
import type { ChunkPointer, JobState, RunContext, Source, SourcePlan } from '../types';
import { buildBatch } from './arrow-build';
import type { PostgresConnectionConfig } from './config';
import { binarySelectExpr, decodeBinaryCopy } from './copy-out-binary';
import type { PgDriver, PgSession } from './driver';
import { quoteIdent } from './ident';
import { sharedDriver } from './open';
import { arrowField, type SourceColumn, selectExpr } from './pg-to-arrow';
import {
  conditions,
  describeSource,
  type IncrementalWindow,
  keyBoundaries,
  type PostgresChunkSpec,
  readOnly,
  relationOf,
  singlePrimaryKey,
  tableSize,
  whereClause,
} from './source-plan';

/** Default rows per Arrow batch (and minimum rows per chunk). */
export const DEFAULT_PAGE_SIZE = 50_000;
/** Default number of chunks a table is split into. */
export const DEFAULT_PARALLELISM = 4;

/** The Arrow schema of source columns (field ids = column positions). */
export function schemaOf(columns: SourceColumn[]): Schema {
  return new Schema(columns.map((c, i) => arrowField(c, i, columns.length)));
}

/**
 * `SourcePlan.schemaJson`: the Arrow schema as a zero-row IPC stream in base64 (the engine's codec,
 * `core/movement/schema-json.ts`), plus the source columns.
 */
export function schemaJsonOf(columns: SourceColumn[]): { arrowIpcBase64: string; columns: SourceColumn[] } {
  const ipc = tableToIPC(new Table(schemaOf(columns)), 'stream');
  return { arrowIpcBase64: Buffer.from(ipc).toString('base64'), columns };
}

export interface PostgresSourceOptions {
  /**
   * How a server chunk is read: `auto` (default) = binary COPY where the driver can stream it (servers), else
   * text rows; `text` = always text rows through a cursor (the former path, kept for comparison).
   */
  readFormat?: 'auto' | 'text';
}

export class PostgresSource implements Source {
  private driverPromise?: Promise<PgDriver>;

  constructor(
    private readonly connection: PgDriver | PostgresConnectionConfig,
    private readonly options: PostgresSourceOptions = {},
  ) {}

  driver(): Promise<PgDriver> {
    if ('session' in this.connection) return Promise.resolve(this.connection);
    this.driverPromise ??= sharedDriver(this.connection);
    return this.driverPromise;
  }

  /** Nothing to release: drivers built from a config are shared per process (see `closeSharedDrivers`). */
  async close(): Promise<void> {}

  async plan(_ctx: RunContext, options: JobOptions, previous: JobState | undefined): Promise<SourcePlan> {
    const rel = relationOf(options);
    const driver = await this.driver();
    return driver.session(async (s) => {
      const columns = await describeSource(s, rel);
      const notes: string[] = [];
      // Read-only: for a `query:` source this runs the query's text (checked by describeSource).
      const window = await readOnly(s, () => this.window(s, rel.from, columns, options, previous, notes));
      const schemaJson = schemaJsonOf(columns);
      if (window?.upTo === null) {
        notes.push('no new rows since the stored cursor');
        return { schemaJson, chunks: [], cursor: previous?.cursor, incremental: true, notes };
      }
      const base: Omit<PostgresChunkSpec, 'columns'> = window ? { window: window as IncrementalWindow } : {};
      const specs = rel.table ? await this.split(s, rel.table, base, options, notes) : [{ spec: base, weight: 1 }];
      const chunks: ChunkPointer[] = specs.map((x, i) => ({
        chunkId: `pg-${String(i).padStart(4, '0')}`,
        weight: x.weight,
        spec: { columns, ...x.spec } satisfies PostgresChunkSpec,
      }));
      const incremental = window?.after !== undefined;
      return { schemaJson, chunks, cursor: window?.upTo ?? undefined, incremental, notes };
    });
  }

  /** The incremental window, with `upTo` = the current max of the key (null: nothing new). */
  private async window(
    s: PgSession,
    from: string,
    columns: SourceColumn[],
    options: JobOptions,
    previous: JobState | undefined,
    notes: string[],
  ): Promise<(Omit<IncrementalWindow, 'upTo'> & { upTo?: string | null }) | undefined> {
    const column = options.incrementalKey;
    if (!column) return undefined;
    if (!columns.some((c) => c.name === column)) {
      throw new InvalidInputError(`postgres source: incremental-key ${column} is not a column of the source`);
    }
    const after = options.fullRefresh ? undefined : previous?.cursor;
    if (options.fullRefresh && previous?.cursor) notes.push('full refresh: stored cursor ignored');
    const w: IncrementalWindow = { column, after, start: options.intervalStart, end: options.intervalEnd };
    const r = await s.query(
      `SELECT max(${quoteIdent(column)})::text AS m FROM ${from}${whereClause(conditions({ window: w }))}`,
    );
    const m = r.rows[0]?.m;
    return { ...w, upTo: m === null || m === undefined ? null : String(m) };
  }

  /** Splits a table into chunks: percentile ranges of a single-column key, else ctid page ranges. */
  private async split(
    s: PgSession,
    table: string,
    base: Omit<PostgresChunkSpec, 'columns'>,
    options: JobOptions,
    notes: string[],
  ): Promise<{ spec: Omit<PostgresChunkSpec, 'columns'>; weight: number }[]> {
    const size = await tableSize(s, table);
    const pageSize = positiveInt(options.pageSize, DEFAULT_PAGE_SIZE, 'page-size');
    const parallelism = positiveInt(options.extractParallelism, DEFAULT_PARALLELISM, 'extract-parallelism');
    const n = Math.max(1, Math.min(parallelism, Math.ceil(size.rows / pageSize)));
    if (n === 1) return [{ spec: base, weight: size.rows }];
    const key = options.primaryKey?.length === 1 ? options.primaryKey[0] : await singlePrimaryKey(s, table);
    if (key) {
      const bounds = await keyBoundaries(s, table, key, conditions(base), n, size.rows);
      const edges = [undefined, ...bounds, undefined];
      notes.push(`split on ${key} into ${edges.length - 1} ranges`);
      return edges.slice(1).map((upTo, i) => ({
        spec: { ...base, key: { column: key, after: edges[i], upTo } },
        weight: Math.ceil(size.rows / (edges.length - 1)),
      }));
    }
    const per = Math.max(1, Math.ceil(size.pages / n));
    notes.push(`split on ctid into ${n} page ranges`);
    return Array.from({ length: n }, (_, i) => ({
      spec: { ...base, pages: { from: i * per, to: i === n - 1 ? undefined : (i + 1) * per } },
      weight: Math.ceil(size.rows / n),
    }));
  }

  async *read(ctx: RunContext, options: JobOptions, chunk: ChunkPointer): AsyncIterable<RecordBatch> {
    const spec = chunk.spec as PostgresChunkSpec;
    const rel = relationOf(options);
    const schema = schemaOf(spec.columns);
    const where = rel.table ?? 'query';
    const rest = ` FROM ${rel.from}${whereClause(conditions(spec))}`;
    const pageSize = positiveInt(options.pageSize, DEFAULT_PAGE_SIZE, 'page-size');
    const driver = await this.driver();
    if (driver.kind === 'pglite') {
      // One in-process connection: holding a cursor across yields would block the consumer's own queries.
      const sql = `SELECT ${spec.columns.map(selectExpr).join(', ')}${rest}`;
      const rows = (await driver.session((s) => readOnly(s, () => s.queryArrays(sql)))) as (string | null)[][];
      for (let i = 0; i < rows.length; i += pageSize)
        yield buildBatch(schema, spec.columns, rows.slice(i, i + pageSize), where);
      return;
    }
    if (this.options.readFormat === 'text') {
      const sql = `SELECT ${spec.columns.map(selectExpr).join(', ')}${rest}`;
      yield* cursorBatches(driver, sql, pageSize, schema, spec.columns, where, ctx.signal);
      return;
    }
    const sql = `COPY (SELECT ${spec.columns.map(binarySelectExpr).join(', ')}${rest}) TO STDOUT (FORMAT binary)`;
    yield* copyBatches(driver, sql, pageSize, schema, spec.columns, where, ctx.signal);
  }
}

/** A positive integer option, or its default; anything else is bad input. */
function positiveInt(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1)
    throw new InvalidInputError(`postgres source: ${name} must be a positive integer, got ${value}`);
  return value;
}

/**
 * A session kept open until `release` (generators cannot yield inside `driver.session`'s callback).
 * `release(failure)` makes the session fail, so the driver discards the connection instead of reusing it.
 */
function holdSession(driver: PgDriver): Promise<{ s: PgSession; release: (failure?: unknown) => Promise<void> }> {
  return new Promise((resolve, reject) => {
    let finish!: (failure?: unknown) => void;
    const finished = new Promise<void>((ok, fail) => {
      finish = (failure) => (failure === undefined ? ok() : fail(failure));
    });
    const work = driver.session(async (s) => {
      resolve({
        s,
        release: async (failure) => {
          finish(failure);
          await work.catch(() => undefined);
        },
      });
      await finished;
    });
    work.catch(reject);
  });
}

/** Streams a query through `DECLARE … CURSOR` / `FETCH n` in a read-only transaction: one batch per fetch. */
async function* cursorBatches(
  driver: PgDriver,
  sql: string,
  pageSize: number,
  schema: Schema,
  columns: SourceColumn[],
  where: string,
  signal?: AbortSignal,
): AsyncGenerator<RecordBatch> {
  const { s, release } = await holdSession(driver);
  let ok = false;
  try {
    await s.query('BEGIN TRANSACTION READ ONLY');
    await s.query(`DECLARE icefloe_read NO SCROLL CURSOR FOR ${sql}`);
    for (;;) {
      if (signal?.aborted) throw new InvalidInputError('postgres source: read aborted');
      const rows = (await s.queryArrays(`FETCH ${pageSize} FROM icefloe_read`)) as (string | null)[][];
      if (rows.length > 0) yield buildBatch(schema, columns, rows, where);
      if (rows.length < pageSize) break;
    }
    await s.query('COMMIT');
    ok = true;
  } finally {
    if (!ok) await s.query('ROLLBACK').catch(() => undefined);
    await release();
  }
}

/**
 * Streams `COPY (SELECT …) TO STDOUT (FORMAT binary)` in a read-only transaction, decoded into batches of
 * `pageSize` rows as the bytes arrive (the consumer's pace drives the socket: bounded memory). When the read
 * stops early (the consumer returns, an error, an abort) the connection is mid-COPY and is discarded.
 */
async function* copyBatches(
  driver: PgDriver,
  sql: string,
  pageSize: number,
  schema: Schema,
  columns: SourceColumn[],
  where: string,
  signal?: AbortSignal,
): AsyncGenerator<RecordBatch> {
  const { s, release } = await holdSession(driver);
  if (!s.copyTo) {
    await release();
    throw new InvalidInputError('postgres source: this driver cannot stream COPY TO');
  }
  let ok = false;
  try {
    await s.query('BEGIN TRANSACTION READ ONLY');
    yield* decodeBinaryCopy(s.copyTo(sql), schema, columns, pageSize, where, signal);
    await s.query('COMMIT');
    ok = true;
  } finally {
    await release(ok ? undefined : new InvalidInputError('postgres source: read stopped before the end'));
  }
}
