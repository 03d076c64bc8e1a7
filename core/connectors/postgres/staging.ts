/**
 * Per-run staging: an UNLOGGED table `icefloe_stage_<hash(job, run)>` beside the target holding the run's rows
 * (`_chunk`, `_seq` = row order inside the chunk, `_del` = a key the source reports deleted) and a small log
 * `<stage>_chunks` of the chunks loaded. Re-staging a chunk deletes its rows first, in the same transaction as
 * the new COPY, so a chunk loaded twice never duplicates rows. Unlogged: staging is rebuilt by a re-run anyway.
 */
import type { Field, RecordBatch, Schema } from 'apache-arrow';
import { pgTypeFor } from './arrow-to-pg';
import { ByteWriter } from './byte-writer';
import { encodeBatch } from './copy-encoder';
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

/** COPY text of the batches, in ~1 MiB pieces; counts rows and bytes into `stats`. */
async function* copyPieces(
  first: RecordBatch,
  rest: AsyncIterator<RecordBatch>,
  columns: Field[],
  chunkId: string,
  stats: { rows: number; bytes: number },
  opts: { deletes?: boolean; hints?: Record<string, string> },
): AsyncGenerator<Uint8Array> {
  const w = new ByteWriter();
  const prefix = new ByteWriter(256);
  const id = new TextEncoder().encode(chunkId);
  prefix.copyEscaped(id, 0, id.length);
  prefix.ascii(opts.deletes ? '\tt\t' : '\tf\t');
  const pre = prefix.buf.slice(0, prefix.pos);
  let batch: RecordBatch | undefined = first;
  while (batch) {
    for (const piece of encodeBatch(batch, columns, pre, stats.rows, w, opts.hints)) {
      stats.bytes += piece.length;
      yield piece;
    }
    stats.rows += batch.numRows;
    const next = await rest.next();
    batch = next.done ? undefined : next.value;
  }
  if (w.pos > 0) {
    stats.bytes += w.pos;
    yield w.take();
  }
}

/**
 * Loads one chunk into staging in one transaction: forget any earlier load of the chunk, COPY the rows, log it.
 * `deletes` marks the rows as keys to delete (merge only).
 */
export async function stageChunk(
  driver: PgDriver,
  names: StagingNames,
  chunkId: string,
  batches: AsyncIterable<RecordBatch>,
  opts: { deletes?: boolean; hints?: Record<string, string> } = {},
): Promise<{ rows: number; bytes: number }> {
  const it = batches[Symbol.asyncIterator]();
  let head = await it.next();
  while (!head.done && head.value.numRows === 0) head = await it.next();
  const stats = { rows: 0, bytes: 0 };
  return driver.session((s) =>
    inTransaction(s, async () => {
      await s.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${names.rows.table}/${chunkId}`]);
      const old = await s.query(`DELETE FROM ${quoteQualified(names.log)} WHERE chunk = $1`, [chunkId]);
      if (old.rowCount > 0) await s.query(`DELETE FROM ${quoteQualified(names.rows)} WHERE _chunk = $1`, [chunkId]);
      if (!head.done) {
        const columns = head.value.schema.fields;
        const list = ['_chunk', '_del', '_seq', ...columns.map((f) => f.name)].map(quoteIdent).join(', ');
        const pieces = copyPieces(head.value, it, columns, chunkId, stats, opts);
        await s.copyFrom(`${quoteQualified(names.rows)} (${list})`, '(FORMAT text)', pieces);
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
