/**
 * Postgres helpers of the end-to-end benchmarks: psql calls, the hand-written `\copy` + `MERGE` baseline
 * (the limit a loader can reach on this server), table fingerprints to prove two targets ended identical.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';

/** The shared server of the project (COMMON.md): trust auth, database `test`. */
export const PG = { host: '127.0.0.1', port: 5432, database: 'test', user: 'postgres' };

/** The DDL of `sales.orders` as the Postgres sink creates it (checked against a run of the engine). */
export const ORDERS_DDL = `(order_id bigint PRIMARY KEY, customer_id bigint, quantity integer, amount numeric(12,2),
  status text, order_ts timestamptz, updated_at timestamptz)`;
export const ORDERS_COLS = ['order_id', 'customer_id', 'quantity', 'amount', 'status', 'order_ts', 'updated_at'];

/** Runs psql commands in one transaction (`-1`); returns stdout. */
export function psql(...commands: string[]): string {
  return execFileSync(
    'psql',
    [
      '-h',
      PG.host,
      '-p',
      String(PG.port),
      '-U',
      PG.user,
      '-d',
      PG.database,
      '-qtA',
      '-v',
      'ON_ERROR_STOP=1',
      '-1',
      ...commands.flatMap((c) => ['-c', c]),
    ],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, PGOPTIONS: '-c client_min_messages=warning' },
    },
  );
}

/** Creates `schema.table` with the orders DDL, filled from a CSV file and analyzed (not timed by callers). */
export function freshOrdersTable(schema: string, table: string, csvPath: string): void {
  psql(
    `DROP TABLE IF EXISTS ${schema}.${table}`,
    `CREATE TABLE ${schema}.${table} ${ORDERS_DDL}`,
    `\\copy ${schema}.${table} FROM '${csvPath}' WITH (FORMAT csv)`,
  );
  psql(`ANALYZE ${schema}.${table}`);
}

/**
 * The limit: the rows as CSV through `psql \copy` into an unlogged staging table plus one `MERGE` on the key,
 * in one transaction — what a hand-written loader does with no conversion cost at all.
 */
export function copyAndMerge(schema: string, table: string, csvPath: string, key = 'order_id'): void {
  const rest = ORDERS_COLS.filter((c) => c !== key);
  const sets = rest.map((c) => `${c} = s.${c}`).join(', ');
  psql(
    `CREATE UNLOGGED TABLE ${schema}.${table}_stage (LIKE ${schema}.${table})`,
    `\\copy ${schema}.${table}_stage FROM '${csvPath}' WITH (FORMAT csv)`,
    `MERGE INTO ${schema}.${table} t USING ${schema}.${table}_stage s ON t.${key} = s.${key}
       WHEN MATCHED THEN UPDATE SET ${sets}
       WHEN NOT MATCHED THEN INSERT (${ORDERS_COLS.join(', ')}) VALUES (${ORDERS_COLS.map((c) => `s.${c}`).join(', ')})`,
    `DROP TABLE ${schema}.${table}_stage`,
  );
}

/** Row count and an order-independent hash of every row's text: equal fingerprints mean equal tables. */
export function fingerprint(schema: string, table: string): string {
  return psql(`SELECT count(*) || ':' || coalesce(sum(hashtext(x::text)::bigint), 0) FROM ${schema}.${table} x`).trim();
}

/** Writes text parts to a file, honouring back-pressure. */
export async function writeParts(path: string, parts: Iterable<string>): Promise<void> {
  const out = createWriteStream(path);
  for (const p of parts) if (!out.write(p)) await new Promise<void>((res) => out.once('drain', () => res()));
  await new Promise<void>((res, rej) => out.end((err?: Error | null) => (err ? rej(err) : res())));
}
