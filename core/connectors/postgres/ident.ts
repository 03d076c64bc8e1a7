/**
 * SQL identifiers. Every table, schema and column name that reaches SQL goes through `quoteIdent`, so a name
 * such as `weird"; drop table x;--` is just a name (PostgreSQL docs §4.1.1: a double quote inside a quoted
 * identifier is written twice).
 */
import { createHash } from 'node:crypto';
import { InvalidInputError } from '../../errors';

/** A schema-qualified table name, unquoted. */
export interface QualifiedName {
  schema: string;
  table: string;
}

/**
 * Quotes one identifier for PostgreSQL.
 * @example quoteIdent('my"table') // => '"my""table"'
 */
export function quoteIdent(name: string): string {
  if (name.length === 0) throw new InvalidInputError('empty sql identifier');
  if (name.includes('\u0000')) throw new InvalidInputError('sql identifier contains a nul character');
  return `"${name.replace(/"/g, '""')}"`;
}

/** `"schema"."table"`. */
export function quoteQualified(name: QualifiedName): string {
  return `${quoteIdent(name.schema)}.${quoteIdent(name.table)}`;
}

/**
 * Quotes a string literal (for the few places that cannot take a bind parameter, such as COMMENT ON and
 * chunk bounds). A value with a backslash uses the `E''` form with backslashes doubled, so the literal means
 * the same whatever `standard_conforming_strings` is (as libpq's PQescapeLiteral does).
 */
export function quoteLiteral(value: string): string {
  if (value.includes('\u0000')) throw new InvalidInputError('sql literal contains a nul character');
  const quoted = value.replace(/'/g, "''");
  return value.includes('\\') ? `E'${quoted.replace(/\\/g, '\\\\')}'` : `'${quoted}'`;
}

/**
 * Splits `schema.table` (either part may be written in double quotes, `""` escaping a quote) into its parts.
 * An unqualified name lands in `defaultSchema`. Unquoted parts keep their case: icefloe never folds names.
 */
export function parseTableName(text: string, defaultSchema = 'public'): QualifiedName {
  const parts: string[] = [];
  let i = 0;
  while (i <= text.length) {
    if (text[i] === '"') {
      let part = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new InvalidInputError(`unterminated quoted name in table ${text}`);
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            part += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        part += text[i++];
      }
      parts.push(part);
      if (i < text.length && text[i] !== '.') throw new InvalidInputError(`bad table name ${text}`);
      i++;
    } else {
      const dot = text.indexOf('.', i);
      const end = dot < 0 ? text.length : dot;
      parts.push(text.slice(i, end));
      i = end + 1;
    }
    if (parts.length > 2)
      throw new InvalidInputError(`bad table name ${JSON.stringify(text)}: quote names that contain dots`);
  }
  if (parts.some((p) => p.length === 0)) throw new InvalidInputError(`bad table name ${JSON.stringify(text)}`);
  return parts.length === 1
    ? { schema: defaultSchema, table: parts[0] as string }
    : { schema: parts[0] as string, table: parts[1] as string };
}

/** Prefix of every staging table icefloe creates (cleanup finds stale ones by it). */
export const STAGE_PREFIX = 'icefloe_stage_';

/** The staging table of one run of one job: stable for (jobId, runId), so every chunk task finds it. */
export function stagingTableName(jobId: string, runId: string): string {
  const hash = createHash('sha256').update(jobId).update('\u0000').update(runId).digest('hex');
  return `${STAGE_PREFIX}${hash.slice(0, 24)}`;
}
