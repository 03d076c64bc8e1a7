/**
 * The Postgres sink: prepare (create/evolve the target, create the run's staging), stage (COPY a chunk into
 * staging, idempotently), commit (one transaction: strategy SQL + the job's state row), abort / cleanup.
 * Runs unchanged on a server (`pg`) and on embedded PGlite.
 */
import type { RecordBatch, Schema } from 'apache-arrow';
import { InvalidInputError } from '../../errors';
import type { JobOptions } from '../../manifest/types';
import { assertStateUnmoved } from '../job-state';
import type { CommitResult, JobState, RunContext, Sink, StagedChunk } from '../types';
import { appendRows, type CommitPlan, mergeRows, replaceRows } from './commit-sql';
import type { PostgresConnectionConfig } from './config';
import { createTableSql, evolutionSql, hasUniqueIndexOn, idempotentDdl, readColumns, stateTableSql } from './ddl';
import { inTransaction, type PgDriver, type PgSession } from './driver';
import { parseTableName, type QualifiedName, quoteIdent, quoteQualified, STAGE_PREFIX } from './ident';
import { sharedDriver } from './open';
import {
  type CopyFormat,
  cleanupStaleStaging,
  createStaging,
  dropStaging,
  META_COLUMNS,
  stageChunk,
  stagingNames,
} from './staging';
import { readJobState, writeJobState } from './state';

/** Where the sink keeps job state: a table in the target's schema. */
export const STATE_TABLE = 'icefloe_state';

export interface PostgresSinkOptions {
  /** Default schema of unqualified `destTable` names. @default 'public' */
  defaultSchema?: string;
  /** COPY format of staging loads; `auto` uses binary when every column has a binary writer. @default 'auto' */
  copyFormat?: CopyFormat;
  /**
   * `work_mem` of the commit transaction only (`SET LOCAL`): lets the MERGE hash join and the dedup sort of
   * a large run stay in memory instead of spilling in 4 MB batches. `null` keeps the server's setting.
   * @default '128MB'
   */
  commitWorkMem?: string | null;
}

/** A Sink writing into PostgreSQL (server or PGlite). Holds only a driver; every call is self-contained. */
export class PostgresSink implements Sink {
  private driverPromise?: Promise<PgDriver>;

  constructor(
    private readonly connection: PgDriver | PostgresConnectionConfig,
    private readonly opts: PostgresSinkOptions = {},
  ) {}

  /** The driver (opened on first use when the sink was built from a config). */
  driver(): Promise<PgDriver> {
    if ('session' in this.connection) return Promise.resolve(this.connection);
    this.driverPromise ??= sharedDriver(this.connection);
    return this.driverPromise;
  }

  /** Nothing to release: drivers built from a config are shared per process (see `closeSharedDrivers`). */
  async close(): Promise<void> {}

  private target(options: JobOptions): QualifiedName {
    if (!options.destTable) throw new InvalidInputError('postgres sink: dest-table is required');
    return parseTableName(options.destTable, this.opts.defaultSchema ?? 'public');
  }

  private names(ctx: RunContext, options: JobOptions) {
    return stagingNames(this.target(options).schema, ctx.jobId, ctx.runId);
  }

  async prepare(ctx: RunContext, options: JobOptions, schema: Schema): Promise<void> {
    const target = this.target(options);
    const pk = options.primaryKey ?? [];
    const strategy = options.incrementalStrategy ?? 'append';
    const fields = new Set(schema.fields.map((f) => f.name));
    if (target.table === STATE_TABLE || target.table.startsWith(STAGE_PREFIX)) {
      throw new InvalidInputError(`table ${target.schema}.${target.table}: name is reserved by icefloe`);
    }
    if (strategy === 'merge' && pk.length === 0) {
      throw new InvalidInputError(`table ${target.schema}.${target.table}: merge needs a primary-key`);
    }
    for (const k of pk) {
      if (!fields.has(k))
        throw new InvalidInputError(
          `table ${target.schema}.${target.table}: primary-key column ${k} is not in the source`,
        );
    }
    for (const f of schema.fields) {
      if (META_COLUMNS.includes(f.name))
        throw new InvalidInputError(`column ${f.name}: name is reserved by icefloe staging`);
    }
    const driver = await this.driver();
    await driver.session(async (s) => {
      await idempotentDdl(s, `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(target.schema)}`);
      await inTransaction(s, async () => {
        const existing = await readColumns(s, target);
        if (existing.length === 0) await s.query(createTableSql(target, schema, pk, options.typeHints));
        // Every impossible change throws here, before the first ALTER runs.
        else for (const sql of evolutionSql(target, existing, schema, options.typeHints)) await s.query(sql);
      });
      await idempotentDdl(s, stateTableSql({ schema: target.schema, table: STATE_TABLE }));
      await createStaging(
        s,
        this.names(ctx, options),
        schema,
        { jobId: ctx.jobId, runId: ctx.runId },
        options.typeHints,
      );
    });
  }

  async stage(
    ctx: RunContext,
    options: JobOptions,
    chunkId: string,
    batches: AsyncIterable<RecordBatch>,
  ): Promise<StagedChunk> {
    const driver = await this.driver();
    const names = this.names(ctx, options);
    const { rows, bytes, format } = await stageChunk(driver, names, chunkId, batches, {
      hints: options.typeHints,
      format: this.opts.copyFormat,
    });
    return { chunkId, rows, bytes, detail: { stagingTable: `${names.rows.schema}.${names.rows.table}`, format } };
  }

  /**
   * Stages keys the source reports deleted (batches with the primary-key columns only). Merge deletes them at
   * commit unless a later chunk of the run upserts the key again. Same idempotence as `stage`.
   */
  async stageDeletes(
    ctx: RunContext,
    options: JobOptions,
    chunkId: string,
    batches: AsyncIterable<RecordBatch>,
  ): Promise<StagedChunk> {
    const driver = await this.driver();
    const names = this.names(ctx, options);
    const { rows, bytes } = await stageChunk(driver, names, chunkId, batches, {
      deletes: true,
      hints: options.typeHints,
    });
    return {
      chunkId,
      rows,
      bytes,
      detail: { stagingTable: `${names.rows.schema}.${names.rows.table}`, deletes: true },
    };
  }

  async commit(ctx: RunContext, options: JobOptions, chunks: StagedChunk[], state: JobState): Promise<CommitResult> {
    const target = this.target(options);
    const names = this.names(ctx, options);
    const stateTable = { schema: target.schema, table: STATE_TABLE };
    const driver = await this.driver();
    const result = await driver.session((s) =>
      inTransaction(s, async () => {
        await s.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`icefloe:${ctx.jobId}`]);
        const workMem = this.opts.commitWorkMem === undefined ? '128MB' : this.opts.commitWorkMem;
        if (workMem !== null) await s.query("SELECT set_config('work_mem', $1, true)", [workMem]);
        const previous = await readJobState(s, stateTable, ctx.jobId);
        if (previous?.runId === ctx.runId) {
          // This run already committed (a retried commit whose first attempt succeeded): change nothing.
          return { rowsWritten: previous.rowsWritten, rowsDeleted: Number(previous.detail?.rowsDeleted ?? 0) };
        }
        // under the job's advisory lock: another run of this job may have committed since this one planned
        assertStateUnmoved(`${target.schema}.${target.table}`, { ...state, jobId: ctx.jobId }, previous?.runId);
        const out = await this.applyStrategy(s, ctx, options, target, chunks);
        const version = await s.query('SELECT pg_current_xact_id()::text AS v');
        await writeJobState(
          s,
          stateTable,
          { ...state, jobId: ctx.jobId, runId: ctx.runId, rowsWritten: out.rowsWritten },
          {
            rowsDeleted: out.rowsDeleted,
            strategy: options.incrementalStrategy ?? 'append',
            chunks: chunks.length,
          },
        );
        return { ...out, sinkVersion: String(version.rows[0]?.v) };
      }),
    );
    await driver.session((s) => dropStaging(s, names)).catch(() => undefined); // stale cleanup retries it
    return result;
  }

  private async applyStrategy(
    s: PgSession,
    ctx: RunContext,
    options: JobOptions,
    target: QualifiedName,
    chunks: StagedChunk[],
  ): Promise<CommitResult> {
    const names = this.names(ctx, options);
    const logged = await s.query(`SELECT chunk, deletes FROM ${quoteQualified(names.log)}`).catch((err) => {
      if ((err as { code?: string }).code === '42P01') {
        throw new InvalidInputError(
          `table ${target.schema}.${target.table}: no staging for run ${ctx.runId} (not prepared, or aborted)`,
        );
      }
      throw err;
    });
    const staged = new Map(logged.rows.map((r) => [String(r.chunk), r.deletes === true]));
    const missing = chunks.filter((c) => !staged.has(c.chunkId)).map((c) => c.chunkId);
    if (missing.length)
      throw new InvalidInputError(`postgres sink: chunks not staged: ${missing.slice(0, 5).join(', ')}`);
    const wanted = new Set(chunks.map((c) => c.chunkId));
    const stageCols = await readColumns(s, names.rows);
    const plan: CommitPlan = {
      target,
      stage: names.rows,
      columns: stageCols.map((c) => c.name).filter((n) => !META_COLUMNS.includes(n)),
      primaryKey: options.primaryKey ?? [],
      chunkOrder: chunks.map((c) => c.chunkId),
      filterChunks: [...staged.keys()].some((c) => !wanted.has(c)),
    };
    const hasDeletes = chunks.some((c) => staged.get(c.chunkId));
    const strategy = options.incrementalStrategy ?? 'append';
    if (strategy === 'append' && !options.fullRefresh)
      return { rowsWritten: await appendRows(s, plan), rowsDeleted: 0 };
    const uniqueKey = plan.primaryKey.length > 0 && (await hasUniqueIndexOn(s, target, plan.primaryKey));
    const r =
      strategy === 'replace' || options.fullRefresh
        ? await replaceRows(s, plan, uniqueKey)
        : await mergeRows(s, plan, { uniqueKey, hasDeletes });
    return { rowsWritten: r.written, rowsDeleted: r.deleted };
  }

  async abort(ctx: RunContext, options: JobOptions): Promise<void> {
    const driver = await this.driver();
    await driver.session((s) => dropStaging(s, this.names(ctx, options)));
  }

  async readState(jobId: string, options: JobOptions): Promise<JobState | undefined> {
    const target = this.target(options);
    const driver = await this.driver();
    return driver.session((s) => readJobState(s, { schema: target.schema, table: STATE_TABLE }, jobId));
  }

  /** Drops staging tables of crashed runs older than `olderThanMs` (in the target's schema, or everywhere). */
  async cleanupStale(olderThanMs: number, options?: JobOptions): Promise<string[]> {
    const driver = await this.driver();
    return cleanupStaleStaging(driver, olderThanMs, options?.destTable ? this.target(options).schema : undefined);
  }
}
