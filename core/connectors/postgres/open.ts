/** Opens the right driver for a connection config, sharing one pool per config within the process. */
import type { PostgresConnectionConfig } from './config';
import { isEmbedded } from './config';
import type { PgDriver } from './driver';
import { openPgPool } from './pg-driver';
import { openPglite } from './pglite-driver';

/** Opens a driver: PGlite for `{ embedded }`, a `pg` pool otherwise. The caller closes it. */
export function openDriver(config: PostgresConnectionConfig): Promise<PgDriver> {
  if (isEmbedded(config)) return openPglite(config.embedded.path, config);
  return Promise.resolve(openPgPool(config));
}
