/**
 * The job state row (`icefloe_state`: job id, run id, cursor, counts, detail, commit time), read before a run
 * and upserted inside the commit transaction, so data and state change together or not at all.
 */
import type { JobState } from '../types';
import type { PgSession } from './driver';
import { type QualifiedName, quoteQualified } from './ident';

/** The state of `jobId`, or undefined when the job never committed (or the table does not exist yet). */
export async function readJobState(s: PgSession, table: QualifiedName, jobId: string): Promise<JobState | undefined> {
  const exists = await s.query('SELECT to_regclass($1) IS NOT NULL AS ok', [quoteQualified(table)]);
  if (exists.rows[0]?.ok !== true) return undefined;
  const r = await s.query(
    `SELECT job_id, run_id, cursor, rows_written::text AS rows_written, rows_deleted::text AS rows_deleted,
            detail::text AS detail,
            to_char(committed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS committed_at
       FROM ${quoteQualified(table)} WHERE job_id = $1`,
    [jobId],
  );
  const row = r.rows[0];
  if (!row) return undefined;
  const detail = row.detail ? (JSON.parse(String(row.detail)) as Record<string, unknown>) : {};
  return {
    jobId: String(row.job_id),
    runId: String(row.run_id),
    cursor: row.cursor === null ? undefined : String(row.cursor),
    detail: { ...detail, rowsDeleted: Number(row.rows_deleted) },
    rowsWritten: Number(row.rows_written),
    committedAt: String(row.committed_at),
  };
}

/** Upserts the state row; `extra` is merged into `detail`. */
export async function writeJobState(
  s: PgSession,
  table: QualifiedName,
  state: JobState,
  extra: { rowsDeleted: number } & Record<string, unknown>,
): Promise<void> {
  const detail = { ...(state.detail ?? {}), ...extra };
  const at = state.committedAt && !Number.isNaN(Date.parse(state.committedAt)) ? state.committedAt : null;
  await s.query(
    `INSERT INTO ${quoteQualified(table)} AS st (job_id, run_id, cursor, rows_written, rows_deleted, detail, committed_at)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, coalesce($7::timestamptz, now()))
     ON CONFLICT (job_id) DO UPDATE SET run_id = excluded.run_id, cursor = excluded.cursor,
       rows_written = excluded.rows_written, rows_deleted = excluded.rows_deleted, detail = excluded.detail,
       committed_at = excluded.committed_at`,
    [state.jobId, state.runId, state.cursor ?? null, state.rowsWritten, extra.rowsDeleted, JSON.stringify(detail), at],
  );
}
