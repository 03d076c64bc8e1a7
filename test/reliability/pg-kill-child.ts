/**
 * Child process of pg-faults.test.ts: stages a chunk into the real Postgres, has its COPY backend terminated
 * from a second connection, and prints how `stage` ended: `named <ErrorName>` (the job can fail or retry) or
 * nothing, when the process dies of the uncaught 'error' event first (the bug the test shows).
 *   tsx test/reliability/pg-kill-child.ts <schema>
 */
import { randomBytes } from 'node:crypto';
import { Int64, type RecordBatch } from 'apache-arrow';
import { openPgPool } from '../../core/connectors/postgres/pg-driver';
import { PostgresSink } from '../../core/connectors/postgres/sink';
import { IcefloeError } from '../../core/errors';
import { batchOf, col, fixedData, PG_TEST_CONFIG } from '../helpers/postgres';

const schema = process.argv[2] ?? 'public';
const app = `icefloe-kill-${randomBytes(4).toString('hex')}`;
const batch = (from: number, to: number): RecordBatch =>
  batchOf([
    col(
      'id',
      new Int64(),
      fixedData(
        new Int64(),
        Array.from({ length: to - from }, (_, i) => BigInt(from + i)),
      ),
    ),
  ]);

async function main(): Promise<void> {
  const admin = openPgPool({ ...PG_TEST_CONFIG, maxConnections: 1 });
  const driver = openPgPool({
    ...PG_TEST_CONFIG,
    params: { sslmode: 'disable', application_name: app },
    maxConnections: 1,
  });
  const sink = new PostgresSink(driver);
  const o = { destTable: `${schema}.kill_child`, incrementalStrategy: 'append' as const };
  const ctx = { jobId: 'kill-child', runId: 'r1' };
  await admin.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  await sink.prepare(ctx, o, batch(0, 1).schema);
  async function* slow(): AsyncGenerator<RecordBatch> {
    yield batch(0, 1000);
    for (let i = 0; i < 50; i++) {
      const r = await admin.query(
        `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1 AND query ILIKE 'COPY%'`,
        [app],
      );
      if (r.rows.some((x) => x.ok)) break;
      await new Promise((res) => setTimeout(res, 20));
    }
    await new Promise((res) => setTimeout(res, 100));
    yield batch(1000, 2000);
  }
  try {
    await sink.stage(ctx, o, 'c1', slow());
    process.stdout.write('ok\n');
  } catch (err) {
    process.stdout.write(err instanceof IcefloeError ? `named ${err.name}\n` : `escaped ${(err as Error).name}\n`);
  }
  await driver.close().catch(() => undefined);
  await admin.close();
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`error: ${(err as Error).message}\n`);
    process.exit(3);
  },
);
