/**
 * DuckDB as the independent Parquet reader of the tests: one in-memory instance per query, its rows as
 * `@duckdb/node-api` returns them (bigint for BIGINT and HUGEINT, …).
 */
import { DuckDBInstance } from '@duckdb/node-api';

/** Runs `sql` on a fresh in-memory DuckDB and returns every row. */
export async function duckRows<T = unknown>(sql: string): Promise<T[][]> {
  const db = await DuckDBInstance.create();
  const conn = await db.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRows() as T[][];
  } finally {
    conn.closeSync();
  }
}
