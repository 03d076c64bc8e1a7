/** Shared pieces of the Postgres sink contract: the test data, the harness, fault injection. */
import { Int32, Int64, type RecordBatch, type Schema, Utf8 } from 'apache-arrow';
import type { PgDriver, PgSession } from '../../../core/connectors/postgres/driver';
import type { PostgresSink } from '../../../core/connectors/postgres/sink';
import type { JobState, RunContext } from '../../../core/connectors/types';
import type { JobOptions } from '../../../core/manifest/types';
import { batchOf, col, fixedData } from '../../helpers/postgres';

/** Rows `(id, name, qty)`; `id` Int64. */
export function orders(rows: [number, string | null, number | null][]): RecordBatch {
  return batchOf([
    col(
      'id',
      new Int64(),
      fixedData(
        new Int64(),
        rows.map((r) => BigInt(r[0])),
      ),
    ),
    col(
      'name',
      new Utf8(),
      rows.map((r) => r[1]),
    ),
    col(
      'qty',
      new Int32(),
      rows.map((r) => r[2]),
    ),
  ]);
}

export interface SinkHarness {
  driver: PgDriver;
  sink: PostgresSink;
  schema: string;
  /** Runs a whole job: prepare, stage each chunk (in the given order), commit with chunk order `order`. */
  run(
    opts: JobOptions,
    runId: string,
    chunks: [string, RecordBatch[]][],
    extra?: { order?: string[]; cursor?: string; schema?: Schema },
  ): Promise<{ written: number; deleted: number }>;
  rows(table: string, orderBy?: string): Promise<Record<string, unknown>[]>;
}

/** A driver whose sessions throw when a statement matches `pattern` (fault injection). */
export function failAt(driver: PgDriver, pattern: RegExp): PgDriver {
  const wrap = (s: PgSession): PgSession => ({
    query: (sql, params) => {
      if (pattern.test(sql)) return Promise.reject(new Error(`injected fault at: ${sql.slice(0, 40)}`));
      return s.query(sql, params);
    },
    queryArrays: (sql, params) => s.queryArrays(sql, params),
    copyFrom: (target, options, data) => s.copyFrom(target, options, data),
  });
  return {
    ...wrap(driver),
    kind: driver.kind,
    session: (fn) => driver.session((s) => fn(wrap(s))),
    transaction: (fn) => driver.transaction((s) => fn(wrap(s))),
    close: () => driver.close(),
  };
}

export function state(ctx: RunContext, cursor?: string): JobState {
  return { jobId: ctx.jobId, runId: ctx.runId, cursor, rowsWritten: 0, committedAt: new Date().toISOString() };
}

/** Runs the contract for one driver. `open` is called once per file (PGlite start-up costs about a second). */
