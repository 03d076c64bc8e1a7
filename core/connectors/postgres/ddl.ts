/**
 * Catalog reads and DDL of the sink: create the target from an Arrow schema, evolve it (add columns, widen
 * types), and refuse impossible changes before any statement runs.
 */
import type { Schema } from 'apache-arrow';
import { InvalidInputError } from '../../errors';
import { evolveColumn, pgTypeFor } from './arrow-to-pg';
import type { PgSession } from './driver';
import { type QualifiedName, quoteIdent, quoteQualified } from './ident';

export interface ColumnInfo {
  name: string;
  /** As `format_type()` prints it. */
  type: string;
  notNull: boolean;
  hasDefault: boolean;
}

/** The columns of a table in order; empty when the table does not exist. */
export async function readColumns(s: PgSession, name: QualifiedName): Promise<ColumnInfo[]> {
  const r = await s.query(
    `SELECT a.attname::text AS name, format_type(a.atttypid, a.atttypmod) AS type,
            a.attnotnull AS not_null, a.atthasdef AS has_default
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [name.schema, name.table],
  );
  return r.rows.map((row) => ({
    name: String(row.name),
    type: String(row.type),
    notNull: row.not_null === true,
    hasDefault: row.has_default === true,
  }));
}

/** Whether a unique, non-partial, plain-column index covers exactly `keys` (MERGE then detects duplicates itself). */
export async function hasUniqueIndexOn(s: PgSession, name: QualifiedName, keys: string[]): Promise<boolean> {
  const r = await s.query(
    `SELECT array_to_string(array_agg(a.attname::text ORDER BY a.attname::text), chr(1)) AS cols
       FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
      WHERE i.indrelid = $1::regclass AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL
      GROUP BY i.indexrelid`,
    [quoteQualified(name)],
  );
  const want = [...keys].sort().join('\u0001');
  return r.rows.some((row) => row.cols === want);
}

/** `CREATE TABLE` for an Arrow schema with the primary key, when the table is missing. */
export function createTableSql(
  name: QualifiedName,
  schema: Schema,
  primaryKey: string[],
  hints?: Record<string, string>,
): string {
  const cols = schema.fields.map((f) => `${quoteIdent(f.name)} ${pgTypeFor(f, hints)}`);
  if (primaryKey.length > 0) cols.push(`PRIMARY KEY (${primaryKey.map(quoteIdent).join(', ')})`);
  return `CREATE TABLE IF NOT EXISTS ${quoteQualified(name)} (${cols.join(', ')})`;
}

/** Drops the precision of time types so `timestamp(6) with time zone` compares equal to `timestamp with time zone`. */
function normalizeType(type: string): string {
  return type.replace(/^(timestamp|time)\(\d+\)/, '$1').replace(/^character varying$/, 'text');
}

/**
 * The `ALTER TABLE` statements that let an existing table take `schema`; throws InvalidInputError naming the
 * table and column when a change is impossible (nothing has been written at that point).
 */
export function evolutionSql(
  name: QualifiedName,
  existing: ColumnInfo[],
  schema: Schema,
  hints?: Record<string, string>,
): string[] {
  const table = `${name.schema}.${name.table}`;
  const byName = new Map(existing.map((c) => [c.name, c]));
  const out: string[] = [];
  for (const f of schema.fields) {
    const want = pgTypeFor(f, hints);
    const have = byName.get(f.name);
    if (!have) {
      out.push(`ALTER TABLE ${quoteQualified(name)} ADD COLUMN ${quoteIdent(f.name)} ${want}`);
      continue;
    }
    const ev = evolveColumn(normalizeType(have.type), want);
    if (ev.action === 'error') throw new InvalidInputError(`table ${table} column ${f.name}: ${ev.reason}`);
    if (ev.action === 'widen') {
      out.push(`ALTER TABLE ${quoteQualified(name)} ALTER COLUMN ${quoteIdent(f.name)} TYPE ${ev.to}`);
    }
  }
  const incoming = new Set(schema.fields.map((f) => f.name));
  for (const c of existing) {
    if (!incoming.has(c.name) && c.notNull && !c.hasDefault) {
      throw new InvalidInputError(
        `table ${table} column ${c.name}: not null without default and missing from the source`,
      );
    }
  }
  return out;
}

/** The state table (one row per job), in the target's schema. */
export function stateTableSql(stateTable: QualifiedName): string {
  return `CREATE TABLE IF NOT EXISTS ${quoteQualified(stateTable)} (
    job_id text PRIMARY KEY, run_id text NOT NULL, cursor text, rows_written bigint NOT NULL,
    rows_deleted bigint NOT NULL DEFAULT 0, detail jsonb, committed_at timestamptz NOT NULL)`;
}

/** Runs DDL that may race with a concurrent run doing the same (duplicate object errors are harmless). */
export async function idempotentDdl(s: PgSession, sql: string): Promise<void> {
  try {
    await s.query(sql);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== '42P06' && code !== '42P07' && code !== '23505') throw err;
  }
}
