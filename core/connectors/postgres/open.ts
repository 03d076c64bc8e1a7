/**
 * Opens drivers. `sharedDriver` keeps one driver per connection config in the process: the engine builds a
 * sink or source per task call, and they must not each open a pool (connection leak) or, worse, a second
 * PGlite on the same folder (two instances writing one data directory corrupt it).
 */
import { resolve } from 'node:path';
import type { PostgresConnectionConfig } from './config';
import { isEmbedded } from './config';
import type { PgDriver } from './driver';
import { openPgPool } from './pg-driver';
import { openPglite } from './pglite-driver';

/** Opens a new driver: PGlite for `{ embedded }`, a `pg` pool otherwise. The caller closes it. */
export function openDriver(config: PostgresConnectionConfig): Promise<PgDriver> {
  if (isEmbedded(config)) return openPglite(config.embedded.path, config);
  return Promise.resolve(openPgPool(config));
}

const shared = new Map<string, Promise<PgDriver>>();
let hooked = false;

function keyOf(config: PostgresConnectionConfig): string {
  if (isEmbedded(config))
    return `embedded:${config.embedded.path ? resolve(config.embedded.path) : `memory:${Math.random()}`}`;
  return canonical(config);
}

/** JSON with object keys sorted at every level (equal configs, equal keys). */
function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
  return `{${entries
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`)
    .join(',')}}`;
}

/** The process-wide driver of a config (opened on first use; closed by `closeSharedDrivers` or at exit). */
export function sharedDriver(config: PostgresConnectionConfig): Promise<PgDriver> {
  const key = keyOf(config);
  let driver = shared.get(key);
  if (!driver) {
    driver = openDriver(config);
    shared.set(key, driver);
    driver.catch(() => shared.delete(key));
    if (!hooked) {
      hooked = true;
      process.once('beforeExit', () => void closeSharedDrivers());
    }
  }
  return driver;
}

/** Closes every shared driver (end of a CLI command, tests). */
export async function closeSharedDrivers(): Promise<void> {
  const all = [...shared.values()];
  shared.clear();
  await Promise.all(all.map((d) => d.then((x) => x.close()).catch(() => undefined)));
}
