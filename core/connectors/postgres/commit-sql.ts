/**
 * The statements of the one commit transaction, per strategy. They read the run's staging table; duplicates of
 * a key within a run are resolved as "last by source order": the chunk's position in the commit's chunk list,
 * then `_seq` (row order inside the chunk). MERGE is PostgreSQL 15 syntax (no RETURNING, no NOT MATCHED BY SOURCE).
 */
import type { PgSession } from './driver';
import { type QualifiedName, quoteIdent, quoteQualified } from './ident';

export interface CommitPlan {
  target: QualifiedName;
  stage: QualifiedName;
  /** Data columns present in staging (and in the target). */
  columns: string[];
  primaryKey: string[];
  /** Chunk ids in source order (the commit's list). */
  chunkOrder: string[];
  /** Staging holds chunks not in `chunkOrder` (stale attempts): filter them out. */
  filterChunks: boolean;
}

function where(plan: CommitPlan, extra?: string): string {
  const parts = [plan.filterChunks ? '_chunk = ANY($1::text[])' : '', extra ?? ''].filter(Boolean);
  return parts.length ? ` WHERE ${parts.join(' AND ')}` : '';
}

function params(plan: CommitPlan): unknown[] {
  return plan.filterChunks ? [plan.chunkOrder] : [];
}

/** The staging rows with one row per key: the last by (chunk order, _seq). */
function dedupedSource(plan: CommitPlan, extra?: string): string {
  const keys = plan.primaryKey.map(quoteIdent).join(', ');
  const cols = ['_del', ...plan.columns].map(quoteIdent).join(', ');
  const filter = where({ ...plan, filterChunks: true }, extra);
  return (
    `(SELECT DISTINCT ON (${keys}) ${cols} FROM ${quoteQualified(plan.stage)}${filter} ` +
    `ORDER BY ${keys}, array_position($1::text[], _chunk) DESC, _seq DESC)`
  );
}

/** `append`: insert every staged row. */
export async function appendRows(s: PgSession, plan: CommitPlan): Promise<number> {
  const cols = plan.columns.map(quoteIdent).join(', ');
  const r = await s.query(
    `INSERT INTO ${quoteQualified(plan.target)} (${cols}) SELECT ${cols} FROM ${quoteQualified(plan.stage)}${where(plan, 'NOT _del')}`,
    params(plan),
  );
  return r.rowCount;
}

/**
 * `replace`: DELETE then INSERT inside the commit transaction. Unlike TRUNCATE (not MVCC-safe), concurrent
 * readers keep seeing the old rows until the commit, then the new ones; never an empty table.
 */
export async function replaceRows(
  s: PgSession,
  plan: CommitPlan,
  uniqueKey: boolean,
): Promise<{ written: number; deleted: number }> {
  const del = await s.query(`DELETE FROM ${quoteQualified(plan.target)}`);
  const cols = plan.columns.map(quoteIdent).join(', ');
  const insert = (source: string, p: unknown[]) =>
    s.query(`INSERT INTO ${quoteQualified(plan.target)} (${cols}) SELECT ${cols} FROM ${source}`, p);
  if (plan.primaryKey.length === 0) {
    return {
      written: (await insert(`${quoteQualified(plan.stage)}${where(plan, 'NOT _del')}`, params(plan))).rowCount,
      deleted: del.rowCount,
    };
  }
  const fast = () => insert(`${quoteQualified(plan.stage)}${where(plan, 'NOT _del')}`, params(plan));
  const slow = () => insert(`${dedupedSource(plan, 'NOT _del')} s`, [plan.chunkOrder]);
  const written = uniqueKey ? await withDuplicateFallback(s, fast, slow) : (await slow()).rowCount;
  return { written, deleted: del.rowCount };
}

/**
 * Tries the plain statement (fast: no sort) in a savepoint; when staging had duplicate keys, PostgreSQL refuses it
 * (21000: MERGE would touch a row twice; 23505: unique violation) and the deduplicating statement runs instead.
 * Only valid when a unique index on the key guarantees those errors.
 */
async function withDuplicateFallback(
  s: PgSession,
  fast: () => Promise<{ rowCount: number }>,
  slow: () => Promise<{ rowCount: number }>,
): Promise<number> {
  await s.query('SAVEPOINT icefloe_fast');
  try {
    const r = await fast();
    await s.query('RELEASE SAVEPOINT icefloe_fast');
    return r.rowCount;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== '21000' && code !== '23505') throw err;
    await s.query('ROLLBACK TO SAVEPOINT icefloe_fast');
    return (await slow()).rowCount;
  }
}

function mergeSql(plan: CommitPlan, source: string, withDeletes: boolean): string {
  const t = quoteQualified(plan.target);
  const on = plan.primaryKey.map((k) => `t.${quoteIdent(k)} = s.${quoteIdent(k)}`).join(' AND ');
  const keys = new Set(plan.primaryKey);
  const sets = plan.columns.filter((c) => !keys.has(c)).map((c) => `${quoteIdent(c)} = s.${quoteIdent(c)}`);
  const cols = plan.columns.map(quoteIdent).join(', ');
  const vals = plan.columns.map((c) => `s.${quoteIdent(c)}`).join(', ');
  return (
    `MERGE INTO ${t} t USING ${source} s ON ${on}` +
    (withDeletes ? ' WHEN MATCHED AND s._del THEN DELETE' : '') +
    (sets.length ? ` WHEN MATCHED THEN UPDATE SET ${sets.join(', ')}` : ' WHEN MATCHED THEN DO NOTHING') +
    ` WHEN NOT MATCHED${withDeletes ? ' AND NOT s._del' : ''} THEN INSERT (${cols}) VALUES (${vals})`
  );
}

/**
 * `merge`: upsert on the primary key (composite keys too) and, when staging holds deleted keys, delete them.
 * @param uniqueKey the target has a unique index on the key (enables the no-sort fast path)
 */
export async function mergeRows(
  s: PgSession,
  plan: CommitPlan,
  opts: { uniqueKey: boolean; hasDeletes: boolean },
): Promise<{ written: number; deleted: number }> {
  const slowSource = dedupedSource(plan);
  if (opts.hasDeletes) {
    // Last operation per key wins: a key whose last staged row is a delete is deleted, the others upserted.
    const on = plan.primaryKey.map((k) => `t.${quoteIdent(k)} = s.${quoteIdent(k)}`).join(' AND ');
    const del = await s.query(
      `DELETE FROM ${quoteQualified(plan.target)} t USING ${slowSource} s WHERE s._del AND ${on}`,
      [plan.chunkOrder],
    );
    const up = await s.query(mergeSql(plan, `(SELECT * FROM ${slowSource} d WHERE NOT d._del)`, false), [
      plan.chunkOrder,
    ]);
    return { written: up.rowCount, deleted: del.rowCount };
  }
  const slow = () => s.query(mergeSql(plan, slowSource, false), [plan.chunkOrder]);
  if (!opts.uniqueKey) return { written: (await slow()).rowCount, deleted: 0 };
  const fastSource = plan.filterChunks
    ? `(SELECT * FROM ${quoteQualified(plan.stage)}${where(plan)})`
    : quoteQualified(plan.stage);
  const fast = () => s.query(mergeSql(plan, fastSource, false), params(plan));
  return { written: await withDuplicateFallback(s, fast, slow), deleted: 0 };
}
