/**
 * Test helpers of the Postgres connector: connections to the real server (127.0.0.1:5432, db `test`) and to
 * in-memory PGlite, unique schema names, and small Arrow batch builders with exact buffers.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type Data, type DataType, Field, makeData, RecordBatch, Schema, Struct, vectorFromArray } from 'apache-arrow';
import type { PostgresServerConfig } from '../../core/connectors/postgres/config';
import type { PgDriver } from '../../core/connectors/postgres/driver';
import { openPgPool } from '../../core/connectors/postgres/pg-driver';
import { openPglite, type PgliteLike } from '../../core/connectors/postgres/pglite-driver';

export const PG_TEST_CONFIG: PostgresServerConfig = {
  host: '127.0.0.1',
  port: 5432,
  database: 'test',
  user: 'postgres',
  params: { sslmode: 'disable' },
};

/** A schema name no other test file uses. */
export function uniqueSchema(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

export function openTestPg(): PgDriver {
  return openPgPool({ ...PG_TEST_CONFIG, maxConnections: 4 });
}

/**
 * In-memory PGlite in a worker thread. Jest runs modules in a vm sandbox without dynamic `import()`, which
 * PGlite needs to load its WASM; a worker thread is plain Node. The connector's PGlite driver is the same.
 */
export async function openTestPglite(): Promise<PgDriver> {
  const worker = new Worker(join(__dirname, '../integration/postgres/pglite-worker.cjs'));
  worker.unref();
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  let next = 0;
  worker.on('message', (m: { id: number; result?: unknown; error?: { message: string; code?: string } }) => {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.error) p?.reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
    else p?.resolve(m.result);
  });
  const call = (msg: Record<string, unknown>) =>
    new Promise<never>((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ ...msg, id });
    });
  const remote: PgliteLike = {
    async query(sql, params, opts) {
      const { blob, ...rest } = opts ?? {};
      return call({
        op: 'query',
        sql,
        params,
        opts: rest,
        blob: blob ? new Uint8Array(await blob.arrayBuffer()) : undefined,
      });
    },
    async close() {
      await call({ op: 'close' });
      await worker.terminate();
    },
  };
  return openPglite(remote);
}

/** Drops a schema and everything in it. */
export async function dropSchema(driver: PgDriver, schema: string): Promise<void> {
  await driver.query(`DROP SCHEMA IF EXISTS "${schema.replace(/"/g, '""')}" CASCADE`);
}

/** The Data of a column built from JS values by arrow-js builders. */
export function dataOf(values: unknown[], type: DataType): Data {
  return vectorFromArray(values as never[], type).data[0] as Data;
}

/** Validity bitmap for values where `null` marks a null. */
export function bitmapOf(values: unknown[]): { nullBitmap: Uint8Array; nullCount: number } {
  const nullBitmap = new Uint8Array(Math.ceil(values.length / 8) || 1);
  let nullCount = 0;
  values.forEach((v, i) => {
    if (v === null) nullCount++;
    else nullBitmap[i >> 3] = (nullBitmap[i >> 3] as number) | (1 << (i & 7));
  });
  return { nullBitmap, nullCount };
}

/** Fixed-width column from raw values (bigints for 64-bit types); `null` entries become nulls. */
export function fixedData(type: DataType, values: (number | bigint | null)[]): Data {
  const Ctor = (type as unknown as { ArrayType: new (n: number) => ArrayLike<unknown> & Record<number, unknown> })
    .ArrayType;
  const arr = new Ctor(values.length);
  values.forEach((v, i) => {
    if (v !== null) arr[i] = typeof v === 'bigint' ? v : v;
  });
  return makeData({ type, length: values.length, data: arr as never, ...bitmapOf(values) } as never);
}

/** A record batch from named columns. */
export function batchOf(columns: { field: Field; data: Data }[]): RecordBatch {
  const fields = columns.map((c) => c.field);
  const length = columns[0]?.data.length ?? 0;
  const data = makeData({ type: new Struct(fields), length, children: columns.map((c) => c.data) });
  return new RecordBatch(new Schema(fields), data);
}

/** A column entry for `batchOf`. */
export function col(name: string, type: DataType, data: Data | unknown[], metadata?: Record<string, string>) {
  const d = Array.isArray(data) ? dataOf(data, type) : data;
  return { field: new Field(name, type, true, metadata ? new Map(Object.entries(metadata)) : undefined), data: d };
}

export async function* iterOf<T>(...items: T[]): AsyncGenerator<T> {
  for (const x of items) yield x;
}
