/**
 * Per-run staging: an UNLOGGED table `icefloe_stage_<hash(job, run)>` beside the target holding the run's rows
 * (`_chunk`, `_seq` = row order inside the chunk, `_del` = a key the source reports deleted) and a small log
 * `<stage>_chunks` of the chunks loaded. Re-staging a chunk deletes its rows first, in the same transaction as
 * the new COPY, so a chunk loaded twice never duplicates rows. Unlogged: staging is rebuilt by a re-run anyway.
 */
import type { Field, RecordBatch, Schema } from 'apache-arrow';
import { pgTypeFor } from './arrow-to-pg';
import { ByteWriter } from './byte-writer';
import { BINARY_HEADER, BINARY_TRAILER, binaryCapable, encodeBinaryBatch } from './copy-binary';
import { encodeBatch } from './copy-encoder';
import { readColumns } from './ddl';
import type { PgDriver, PgSession } from './driver';
import { inTransaction } from './driver';
import { type QualifiedName, quoteIdent, quoteLiteral, quoteQualified, STAGE_PREFIX, stagingTableName } from './ident';

/** Staging columns icefloe adds in front of the data columns. */
export const META_COLUMNS = ['_chunk', '_seq', '_del'];

export interface StagingNames {
  rows: QualifiedName;
  log: QualifiedName;
}

export function stagingNames(schema: string, jobId: string, runId: string): StagingNames {
  const table = stagingTableName(jobId, runId);
  return { rows: { schema, table }, log: { schema, table: `${table}_chunks` } };
}

/** Creates the run's staging tables (idempotent), with a comment recording job, run and creation time. */
export async function createStaging(
  s: PgSession,
  names: StagingNames,
  schema: Schema,
  meta: { jobId: string; runId: string },
  hints?: Record<string, string>,
): Promise<void> {
  const cols = schema.fields.map((f) => `${quoteIdent(f.name)} ${pgTypeFor(f, hints)}`);
  const rows = quoteQualified(names.rows);
  await s.query(
    `CREATE UNLOGGED TABLE IF NOT EXISTS ${rows} (_chunk text NOT NULL, _seq bigint NOT NULL, ` +
      `_del boolean NOT NULL DEFAULT false${cols.map((c) => `, ${c}`).join('')})`,
  );
  await s.query(
    `CREATE UNLOGGED TABLE IF NOT EXISTS ${quoteQualified(names.log)} ` +
      '(chunk text PRIMARY KEY, rows bigint NOT NULL, bytes bigint NOT NULL, deletes boolean NOT NULL)',
  );
  const comment = JSON.stringify({ icefloe: 'stage', ...meta, createdAt: new Date().toISOString() });
  await s.query(`COMMENT ON TABLE ${rows} IS ${quoteLiteral(comment)}`);
}

/** COPY data format of the staging load: `auto` picks binary when every column has a binary writer. */
export type CopyFormat = 'auto' | 'text' | 'binary';

type Encode = (batch: RecordBatch, seq0: number, w: ByteWriter) => Generator<Uint8Array>;

/** The encoder of a chunk's rows in `format`, with the staging prefix (`_chunk`, `_del`, `_seq`). */
function encoderFor(format: 'text' | 'binary', columns: Field[], chunkId: string, opts: StageOptions): Encode {
  const id = new TextEncoder().encode(chunkId);
  if (format === 'binary') {
    return (batch, seq0, w) => encodeBinaryBatch(batch, columns, id, opts.deletes === true, seq0, w, opts.hints);
  }
  const prefix = new ByteWriter(256);
  prefix.copyEscaped(id, 0, id.length);
  prefix.ascii(opts.deletes ? '\tt\t' : '\tf\t');
  const pre = prefix.buf.slice(0, prefix.pos);
  return (batch, seq0, w) => encodeBatch(batch, columns, pre, seq0, w, opts.hints);
}

/** COPY data of the batches in ~1 MiB pieces; counts rows and bytes into `stats`. */
async function* copyPieces(
  first: RecordBatch,
  rest: AsyncIterator<RecordBatch>,
  encode: Encode,
  binary: boolean,
  stats: { rows: number; bytes: number },
): AsyncGenerator<Uint8Array> {
  const w = new ByteWriter();
  if (binary) w.bytes(BINARY_HEADER);
  let batch: RecordBatch | undefined = first;
  while (batch) {
    for (const piece of encode(batch, stats.rows, w)) {
      stats.bytes += piece.length;
      yield piece;
    }
    stats.rows += batch.numRows;
    const next = await rest.next();
    batch = next.done ? undefined : next.value;
  }
  if (binary) w.bytes(BINARY_TRAILER);
  if (w.pos > 0) {
    stats.bytes += w.pos;
    yield w.take();
  }
}

export interface StageOptions {
  /** The rows are keys to delete (merge only). */
  deletes?: boolean;
  hints?: Record<string, string>;
  /** @default 'auto' */
  format?: CopyFormat;
}

/** Binary only when every column has a binary writer and its staging column has exactly the mapped type. */
async function pickFormat(
  s: PgSession,
  names: StagingNames,
  columns: Field[],
  opts: StageOptions,
): Promise<'text' | 'binary'> {
  const format = opts.format ?? 'auto';
  if (format === 'text' || !binaryCapable(columns, opts.hints)) return 'text';
  const staged = new Map((await readColumns(s, names.rows)).map((c) => [c.name, c.type]));
  const same = columns.every((f) => staged.get(f.name) === pgTypeFor(f, opts.hints));
  return same ? 'binary' : 'text';
}

/**
 * Loads one chunk into staging in one transaction: forget any earlier load of the chunk, COPY the rows, log it.
 */
export async function stageChunk(
  driver: PgDriver,
  names: StagingNames,
  chunkId: string,
  batches: AsyncIterable<RecordBatch>,
  opts: StageOptions = {},
): Promise<{ rows: number; bytes: number; format?: string }> {
  const it = batches[Symbol.asyncIterator]();
  let head = await it.next();
  while (!head.done && head.value.numRows === 0) head = await it.next();
  const stats: { rows: number; bytes: number; format?: string } = { rows: 0, bytes: 0 };
  return driver.session((s) =>
    inTransaction(s, async () => {
      await s.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${names.rows.table}/${chunkId}`]);
      const old = await s.query(`DELETE FROM ${quoteQualified(names.log)} WHERE chunk = $1`, [chunkId]);
      if (old.rowCount > 0) await s.query(`DELETE FROM ${quoteQualified(names.rows)} WHERE _chunk = $1`, [chunkId]);
      if (!head.done) {
        const columns = head.value.schema.fields;
        const list = ['_chunk', '_del', '_seq', ...columns.map((f) => f.name)].map(quoteIdent).join(', ');
        const format = await pickFormat(s, names, columns, opts);
        const encode = encoderFor(format, columns, chunkId, opts);
        const pieces = copyPieces(head.value, it, encode, format === 'binary', stats);
        await s.copyFrom(`${quoteQualified(names.rows)} (${list})`, `(FORMAT ${format})`, pieces);
        stats.format = format;
      }
      await s.query(`INSERT INTO ${quoteQualified(names.log)} (chunk, rows, bytes, deletes) VALUES ($1, $2, $3, $4)`, [
        chunkId,
        stats.rows,
        stats.bytes,
        opts.deletes === true,
      ]);
      return stats;
    }),
  );
}

/** Drops a run's staging tables. */
export async function dropStaging(s: PgSession, names: StagingNames): Promise<void> {
  await s.query(`DROP TABLE IF EXISTS ${quoteQualified(names.rows)}, ${quoteQualified(names.log)}`);
}

/**
 * Drops staging tables left by crashed runs: those created more than `olderThanMs` ago (by their comment).
 * Looks in `schema`, or in every schema when omitted. Returns the dropped `schema.table` names.
 */
export async function cleanupStaleStaging(driver: PgDriver, olderThanMs: number, schema?: string): Promise<string[]> {
  const r = await driver.query(
    `SELECT n.nspname::text AS schema, c.relname::text AS table, obj_description(c.oid, 'pg_class') AS comment
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND c.relname LIKE $1 AND ($2::text IS NULL OR n.nspname = $2)`,
    [`${STAGE_PREFIX.replace(/_/g, '\\_')}%`, schema ?? null],
  );
  const cutoff = Date.now() - olderThanMs;
  const dropped: string[] = [];
  for (const row of r.rows) {
    let meta: { icefloe?: string; createdAt?: string };
    try {
      meta = JSON.parse(String(row.comment ?? 'null')) ?? {};
    } catch {
      continue;
    }
    if (meta.icefloe !== 'stage' || !meta.createdAt || Date.parse(meta.createdAt) > cutoff) continue;
    const rows = { schema: String(row.schema), table: String(row.table) };
    await driver.session((s) => dropStaging(s, { rows, log: { ...rows, table: `${rows.table}_chunks` } }));
    dropped.push(`${rows.schema}.${rows.table}`);
  }
  return dropped;
}
