/**
 * One chaos scenario on disk: a generator depot (deterministic `sales.orders`), a sink (an Iceberg table in a
 * local warehouse, or a table in its own schema on the real Postgres at 127.0.0.1:5432) and a one-job workflow
 * with a given incremental strategy. Phase 1 fills the sink from seed 1; phase 2 (the run that gets crashed)
 * reads seed 2 with more rows, so append adds, replace swaps and merge updates+inserts on `order_id`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FILE_LAKEHOUSE_YAML, generatorDepotYaml } from '../helpers/manifests';

export type SinkKind = 'iceberg' | 'postgres';
export type Strategy = 'append' | 'replace' | 'merge';

export interface Scenario {
  dir: string;
  sink: SinkKind;
  strategy: Strategy;
  /** Postgres schema of the target (unique per scenario). */
  pgSchema: string;
  /** Rows per chunk of the generator (chunks = rows / pageSize). */
  pageSize: number;
}

export interface Phase {
  seed: number;
  rows: number;
}

export const PHASE1: Phase = { seed: 1, rows: 1200 };
export const PHASE2: Phase = { seed: 2, rows: 2000 };

/** A new scenario folder (not yet written). */
export function newScenario(root: string, sink: SinkKind, strategy: Strategy, pageSize = 400): Scenario {
  const tag = randomBytes(4).toString('hex');
  const dir = join(root, `${sink}-${strategy}-${tag}`);
  mkdirSync(dir, { recursive: true });
  return { dir, sink, strategy, pgSchema: `chaos_${strategy}_${tag}`, pageSize };
}

function depots(s: Scenario, phase: Phase, password: string): string {
  const gen = generatorDepotYaml(phase.rows, phase.seed);
  if (s.sink === 'iceberg') {
    return `${gen}---\n${FILE_LAKEHOUSE_YAML}`;
  }
  return `${gen}---
name: lake
version: v1
type: depot
depot:
  type: postgresql
  secrets:
    - name: lake-rw
      allkeys: true
  postgresql:
    host: 127.0.0.1
    port: 5432
    database: test
    params:
      sslmode: disable
      application_name: icefloe-chaos
---
name: lake-rw
version: v1
type: instance-secret
instance-secret:
  type: key-value-properties
  acl: rw
  data:
    username: postgres
    password: ${password}
`;
}

/** The workflow text of a scenario. */
export function workflowText(s: Scenario): string {
  const dest = s.sink === 'iceberg' ? 'sales.orders' : `${s.pgSchema}.orders`;
  const pk = s.strategy === 'merge' ? '\n              primary-key: order_id' : '';
  return `name: chaos
version: v1
type: workflow
workspace: chaos
workflow:
  dag:
    - name: load
      spec:
        stack: nilus:1.0
        stackSpec:
          source:
            address: dataos://gen
            options:
              source-table: sales.orders
              page-size: ${s.pageSize}
          sink:
            address: dataos://lake
            options:
              dest-table: ${dest}
              incremental-strategy: ${s.strategy}${pk}
`;
}

/**
 * Writes the manifests of a phase (the generator depot changes between phases) and the workflow.
 * @param password the instance secret's password text (`${ENV}` forms allowed); trust auth ignores it
 */
export function writePhase(s: Scenario, phase: Phase, password = "''"): string {
  writeFileSync(join(s.dir, 'depots.yaml'), depots(s, phase, password));
  const wf = join(s.dir, 'workflow.yaml');
  writeFileSync(wf, workflowText(s));
  return wf;
}

/** Row count, an order-independent checksum and the number of distinct keys of a set of rows. */
export interface Digest {
  rows: number;
  checksum: string;
  distinctKeys: number;
}

/** Digest of rows given as [order_id, customer_id, quantity, status] strings. */
export function digestOf(rows: Iterable<string[]>): Digest {
  let sum = 0n;
  let n = 0;
  const keys = new Set<string>();
  for (const r of rows) {
    n++;
    keys.add(r[0] as string);
    const h = createHash('sha256').update(r.join('\u0001')).digest();
    sum = (sum + h.readBigUInt64BE(0)) & 0xffff_ffff_ffff_ffffn; // a sum: row order does not matter
  }
  return { rows: n, checksum: sum.toString(16).padStart(16, '0'), distinctKeys: keys.size };
}
