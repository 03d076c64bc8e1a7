/**
 * Planning helpers of the Postgres source: describe the relation (a table, or a `query:` through a temporary
 * view), the incremental window, and chunk boundaries (key percentiles, or ctid page ranges).
 */
import { InvalidInputError } from '../../errors';
import type { JobOptions } from '../../manifest/types';
import type { PgSession } from './driver';
import { parseTableName, quoteIdent, quoteLiteral, quoteQualified } from './ident';
import { type CatalogColumn, type SourceColumn, sourceColumn } from './pg-to-arrow';

/** What a chunk reads. JSON; SQL is rebuilt from it (values become quoted literals, never raw SQL). */
export interface PostgresChunkSpec {
  columns: SourceColumn[];
  /** Key range: `column > after` and `column <= upTo` (text values, cast by the server to the column type). */
  key?: { column: string; after?: string; upTo?: string };
  /** Heap pages `[from, to)`; `to` absent = to the end. */
  pages?: { from: number; to?: number };
  /** Incremental window on `incremental-key`. */
  window?: IncrementalWindow;
}

export interface IncrementalWindow {
  column: string;
  /** Exclusive lower bound: the previous cursor. */
  after?: string;
  /** Inclusive upper bound: the cursor of this run (max of the key when planned). */
  upTo?: string;
  /** `interval-start` (inclusive) and `interval-end` (exclusive). */
  start?: string;
  end?: string;
}

/** The source relation as SQL (`"s"."t"` or `(<query>) AS q`) and whether it is a table. */
export function relationOf(options: JobOptions): { from: string; table?: string; query?: string } {
  const query =
    options.sourceQuery ?? (options.sourceTable?.startsWith('query:') ? options.sourceTable.slice(6) : undefined);
  if (query !== undefined) {
    const q = query.trim().replace(/;\s*$/, '');
    if (!q) throw new InvalidInputError('postgres source: empty query');
    return { from: `(${q}) AS icefloe_q`, query: q };
  }
  if (!options.sourceTable) throw new InvalidInputError('postgres source: source-table is required');
  const name = quoteQualified(parseTableName(options.sourceTable));
  return { from: name, table: name };
}

const DESCRIBE = `SELECT a.attname::text AS name,
    CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) ELSE format_type(a.atttypid, a.atttypmod) END AS type,
    t.typtype::text AS typtype, t.typcategory::text AS category,
    CASE WHEN t.typcategory = 'A' THEN format_type(t.typelem, a.atttypmod) END AS element_type
  FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
 WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`;

function toSourceColumn(row: Record<string, unknown>): SourceColumn {
  return sourceColumn({
    name: String(row.name),
    type: String(row.type),
    typtype: String(row.typtype),
    category: String(row.category),
    elementType: row.element_type === null || row.element_type === undefined ? null : String(row.element_type),
  } as CatalogColumn);
}

/** Runs `fn` inside `BEGIN TRANSACTION READ ONLY` … `ROLLBACK` on the session: nothing it runs can write. */
export async function readOnly<T>(s: PgSession, fn: () => Promise<T>): Promise<T> {
  await s.query('BEGIN TRANSACTION READ ONLY');
  try {
    return await fn();
  } finally {
    await s.query('ROLLBACK').catch(() => undefined);
  }
}

/**
 * Checks that a `query:` text is one statement that only reads, before it is spliced anywhere else.
 * It is sent as `SELECT * FROM (<query>) AS q LIMIT $1`: the bound parameter makes `pg` use the extended
 * protocol (PGlite's `query` always does), whose Parse message refuses more than one statement — so the text
 * can neither stack statements (`select 1; drop table t`) nor close the parentheses to start another; as no
 * `;` token can then be in it, later splices are one statement too. The read-only transaction refuses writes
 * (a data-modifying CTE, a writing function) and is rolled back; LIMIT 0 reads no rows.
 */
export async function checkQuery(s: PgSession, query: string): Promise<void> {
  try {
    await readOnly(s, () => s.query(`SELECT * FROM (${query}) AS icefloe_q LIMIT $1`, [0]));
  } catch (err) {
    const e = err as { code?: string; message?: string };
    if (/multiple commands/i.test(String(e.message)))
      throw new InvalidInputError('postgres source: query must be a single select statement');
    if (e.code === '25006') throw new InvalidInputError('postgres source: query must only read (it tried to write)');
    throw err;
  }
}

/**
 * The columns of the source. A query is first checked (`checkQuery`), then described through a temporary view
 * (keeps type modifiers such as numeric precision); where temporary objects are not allowed (a hot standby, no
 * TEMP privilege) from the result's row description.
 */
export async function describeSource(s: PgSession, rel: { table?: string; query?: string }): Promise<SourceColumn[]> {
  if (rel.query === undefined) return describeRelation(s, rel.table as string);
  await checkQuery(s, rel.query);
  const view = `pg_temp.icefloe_describe_${process.pid}_${Date.now()}`;
  try {
    await s.query(`CREATE TEMP VIEW ${view} AS ${rel.query}`);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if ((code === '25006' || code === '42501') && s.queryFields) return describeByFields(s, rel.query);
    throw err;
  }
  try {
    return await describeRelation(s, view);
  } finally {
    await s.query(`DROP VIEW IF EXISTS ${view}`);
  }
}

async function describeRelation(s: PgSession, regclass: string): Promise<SourceColumn[]> {
  const r = await s.query(DESCRIBE, [regclass]);
  if (r.rows.length === 0) throw new InvalidInputError(`postgres source ${regclass}: no columns`);
  return r.rows.map(toSourceColumn);
}

async function describeByFields(s: PgSession, query: string): Promise<SourceColumn[]> {
  const fields = await (s.queryFields as NonNullable<PgSession['queryFields']>)(
    `SELECT * FROM (${query}) AS q LIMIT 0`,
  );
  const out: SourceColumn[] = [];
  for (const f of fields) {
    const r = await s.query(
      `SELECT $1::text AS name,
          CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) ELSE format_type(t.oid, $3::int) END AS type,
          t.typtype::text AS typtype, t.typcategory::text AS category,
          CASE WHEN t.typcategory = 'A' THEN format_type(t.typelem, $3::int) END AS element_type
         FROM pg_type t WHERE t.oid = $2::oid`,
      [f.name, f.typeOid, f.typmod],
    );
    out.push(toSourceColumn(r.rows[0] ?? { name: f.name, type: 'text', typtype: 'b', category: 'S' }));
  }
  return out;
}

/** SQL conditions of a chunk (ANDed); values are quoted literals. */
export function conditions(spec: Omit<PostgresChunkSpec, 'columns'>): string[] {
  const out: string[] = [];
  const w = spec.window;
  if (w) {
    const k = quoteIdent(w.column);
    if (w.after !== undefined) out.push(`${k} > ${quoteLiteral(w.after)}`);
    if (w.upTo !== undefined) out.push(`${k} <= ${quoteLiteral(w.upTo)}`);
    if (w.start !== undefined) out.push(`${k} >= ${quoteLiteral(w.start)}`);
    if (w.end !== undefined) out.push(`${k} < ${quoteLiteral(w.end)}`);
  }
  if (spec.key) {
    const k = quoteIdent(spec.key.column);
    if (spec.key.after !== undefined) out.push(`${k} > ${quoteLiteral(spec.key.after)}`);
    if (spec.key.upTo !== undefined) out.push(`${k} <= ${quoteLiteral(spec.key.upTo)}`);
  }
  if (spec.pages) {
    const from = Math.trunc(Number(spec.pages.from));
    out.push(`ctid >= '(${from},0)'::tid`);
    if (spec.pages.to !== undefined) out.push(`ctid < '(${Math.trunc(Number(spec.pages.to))},0)'::tid`);
  }
  return out;
}

export function whereClause(conds: string[]): string {
  return conds.length ? ` WHERE ${conds.join(' AND ')}` : '';
}

/** Tables estimated above this many rows are split on percentiles of a block sample, not of every row. */
export const SAMPLE_ABOVE_ROWS = 200_000;
/** Rows the block sample aims at, and the fewest (after the chunk's conditions) it must hold to be used. */
const SAMPLE_ROWS = 50_000;
const SAMPLE_MIN_ROWS = 2_000;

/**
 * Percentile boundaries of `column` splitting the filtered rows into `n` parts (distinct, ascending).
 * Any boundaries cover every row exactly once (the chunks are `> previous` and `<= next`), so for a large table
 * (`estimatedRows` above SAMPLE_ABOVE_ROWS) they come from a repeatable block sample of ~50,000 rows
 * (`TABLESAMPLE SYSTEM`: a few hundred pages and a small sort, instead of sorting the whole key, ~0.3–0.6 s per
 * million rows here); when the conditions leave too few sampled rows, from every row as for smaller tables.
 */
export async function keyBoundaries(
  s: PgSession,
  from: string,
  column: string,
  conds: string[],
  n: number,
  estimatedRows = 0,
): Promise<string[]> {
  const fractions = Array.from({ length: n - 1 }, (_, i) => (i + 1) / n);
  const query = async (sample: string) => {
    const r = await s.query(
      `SELECT (percentile_disc($1::float8[]) WITHIN GROUP (ORDER BY ${quoteIdent(column)}))::text[] AS b, count(*)::float8 AS n
         FROM ${from}${sample}${whereClause(conds)}`,
      [fractions],
    );
    const b = (r.rows[0]?.b ?? []) as (string | null)[];
    return { bounds: [...new Set(b.filter((x): x is string => x !== null))], rows: Number(r.rows[0]?.n ?? 0) };
  };
  if (estimatedRows > SAMPLE_ABOVE_ROWS) {
    const percent = Math.min(100, (100 * SAMPLE_ROWS) / estimatedRows);
    const sampled = await query(` TABLESAMPLE SYSTEM (${percent.toFixed(6)}) REPEATABLE (0)`);
    if (sampled.rows >= SAMPLE_MIN_ROWS) return sampled.bounds;
  }
  return (await query('')).bounds;
}

/** Estimated rows and heap pages of a table. */
export async function tableSize(s: PgSession, table: string): Promise<{ rows: number; pages: number }> {
  const r = await s.query(
    `SELECT c.reltuples::float8 AS rows, (pg_relation_size(c.oid) / current_setting('block_size')::int)::int AS pages
       FROM pg_class c WHERE c.oid = $1::regclass`,
    [table],
  );
  let rows = Number(r.rows[0]?.rows ?? -1);
  if (rows < 0) rows = Number((await s.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]?.n ?? 0);
  return { rows, pages: Number(r.rows[0]?.pages ?? 0) };
}

/** The single-column primary key of a table, if it has one. */
export async function singlePrimaryKey(s: PgSession, table: string): Promise<string | undefined> {
  const r = await s.query(
    `SELECT a.attname::text AS k FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
      WHERE i.indrelid = $1::regclass AND i.indisprimary`,
    [table],
  );
  return r.rows.length === 1 ? String(r.rows[0]?.k) : undefined;
}
