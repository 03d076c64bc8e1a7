/**
 * What a scenario's sink holds, and what it left behind: the digest of the target, files under the Iceberg
 * table that no snapshot reaches, stale Postgres staging tables, leftover run staging under `.icefloe/`.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { openPgPool } from '../../core/connectors/postgres/pg-driver';
import { cleanupStaleStaging } from '../../core/connectors/postgres/staging';
import { removeStaleStagingAll } from '../../core/engine/run-lock';
import { catalogFromConfig } from '../../core/iceberg/catalog/from-config';
import { removeOrphanFiles } from '../../core/iceberg/maintenance/maintenance';
import { normalizePath, reachableFiles } from '../../core/iceberg/maintenance/reachable';
import { openTable } from '../../core/iceberg/table';
import { type Digest, digestOf, type Scenario } from './scenario';

const TABLE_ID = { namespace: ['sales'], name: 'orders' };

function pg() {
  return openPgPool({
    host: '127.0.0.1',
    port: 5432,
    database: 'test',
    user: 'postgres',
    params: { sslmode: 'disable' },
    maxConnections: 2,
  });
}

/**
 * The digest of the scenario's target table (empty when it does not exist yet). Iceberg has two views: the
 * catalog's (the committed metadata file: what writers and the lakehouse source see) and the table reader's
 * (`openTable` on the folder, what `icefloe table scan` shows). They must agree.
 */
export async function sinkDigest(s: Scenario, view: 'catalog' | 'reader' = 'catalog'): Promise<Digest> {
  if (s.sink === 'iceberg') {
    const loc = join(s.dir, 'warehouse', 'sales', 'orders');
    if (!existsSync(join(loc, 'metadata'))) return digestOf([]);
    const at =
      view === 'reader'
        ? loc
        : (await catalogFromConfig({ type: 'file', warehouse: join(s.dir, 'warehouse') }).loadTable(TABLE_ID))
            .metadataLocation;
    const table = await openTable(at);
    const scan = await table.scan({ columns: ['order_id', 'customer_id', 'quantity', 'status'] });
    const rows: string[][] = [];
    for await (const b of scan.batches())
      for (const r of b) rows.push([String(r.order_id), String(r.customer_id), String(r.quantity), String(r.status)]);
    return digestOf(rows);
  }
  const driver = pg();
  try {
    const exists = await driver.query('SELECT to_regclass($1) IS NOT NULL AS ok', [`"${s.pgSchema}".orders`]);
    if (!exists.rows[0]?.ok) return digestOf([]);
    const r = await driver.query(
      `SELECT order_id::text AS a, customer_id::text AS b, quantity::text AS c, status AS d FROM "${s.pgSchema}".orders`,
    );
    return digestOf(r.rows.map((x) => [String(x.a), String(x.b), String(x.c), String(x.d)]));
  } finally {
    await driver.close();
  }
}

/** What was left behind after cleanup: unreachable table files, staging tables, run staging folders. */
export interface Leftovers {
  orphanFiles: string[];
  stagingTables: string[];
  stagingRuns: string[];
}

/**
 * The cleanup an operator runs after a crash (remove orphan files, drop stale staging tables, remove the local
 * staging folders of killed runs), then what is
 * still left. `removed` counts what the cleanup took away (the crashed run's uncommitted files and tables).
 */
export async function cleanupAndInspect(s: Scenario): Promise<Leftovers & { removed: number }> {
  let removed = 0;
  const out: Leftovers = { orphanFiles: [], stagingTables: [], stagingRuns: [] };
  if (s.sink === 'iceberg') {
    const catalog = catalogFromConfig({ type: 'file', warehouse: join(s.dir, 'warehouse') });
    if (existsSync(join(s.dir, 'warehouse', 'sales', 'orders', 'metadata'))) {
      removed += (await removeOrphanFiles(catalog, TABLE_ID, { olderThanMs: -60_000 })).length;
      const reachable = new Set([...(await reachableFiles(catalog, TABLE_ID))].map(normalizePath));
      const loc = (await catalog.loadTable(TABLE_ID)).metadata.location;
      for await (const f of catalog.io.list(`${loc}/`)) {
        const p = normalizePath(f.path);
        if (!reachable.has(p) && !/\/metadata\/(version-hint\.text|v\d+\.metadata\.json)$/.test(p))
          out.orphanFiles.push(p);
      }
    }
  } else {
    const driver = pg();
    try {
      removed += (await cleanupStaleStaging(driver, -60_000, s.pgSchema)).length;
      const r = await driver.query(
        `SELECT c.relname::text AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND c.relname LIKE 'icefloe\\_stage\\_%'`,
        [s.pgSchema],
      );
      out.stagingTables = r.rows.map((x) => String(x.t));
    } finally {
      await driver.close();
    }
  }
  // the local staging of killed runs (what `icefloe run` also removes when it starts)
  removed += (await removeStaleStagingAll(join(s.dir, '.icefloe'), -60_000)).length;
  const staging = join(s.dir, '.icefloe', 'staging');
  // Runs whose staging still holds files (LocalFileIO leaves empty folders behind; they hold nothing).
  if (existsSync(staging))
    for (const job of readdirSync(staging))
      for (const run of readdirSync(join(staging, job)))
        if (readdirSync(join(staging, job, run), { recursive: true }).some((f) => /\.json$/.test(String(f))))
          out.stagingRuns.push(`${job}/${run}`);
  return { ...out, removed };
}

/** Drops the scenario's Postgres schema. */
export async function dropScenario(s: Scenario): Promise<void> {
  if (s.sink !== 'postgres') return;
  const driver = pg();
  try {
    await driver.query(`DROP SCHEMA IF EXISTS "${s.pgSchema}" CASCADE`);
  } finally {
    await driver.close();
  }
}
