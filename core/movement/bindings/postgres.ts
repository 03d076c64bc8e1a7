/**
 * Binds `postgresql` depots to the Postgres connector (`core/connectors/postgres`). An embedded (PGlite)
 * database lives in one process, so its chunks move in the main thread, not in workers.
 */
import type { ConnectorModule } from '../connectors';
import { depotSecret } from './secrets';

type PgConfigModule = typeof import('../../connectors/postgres/config');

function config(target: Parameters<NonNullable<ConnectorModule['sink']>>[0], access: 'r' | 'rw') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { fromDepot } = require('../../connectors/postgres/config') as PgConfigModule;
  const spec = target.depot.depot.postgresql;
  if (!spec) throw new Error(`depot ${target.depot.name}: no postgresql section`);
  return fromDepot(spec, depotSecret(target.manifests, target.depot, access));
}

export const postgresBinding: ConnectorModule = {
  source: (t) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { PostgresSource } =
      require('../../connectors/postgres/source') as typeof import('../../connectors/postgres/source');
    return new PostgresSource(config(t, 'r'));
  },
  sink: (t) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { PostgresSink } =
      require('../../connectors/postgres/sink') as typeof import('../../connectors/postgres/sink');
    return new PostgresSink(config(t, 'rw'));
  },
  workerSafe: (depot) => depot.depot.postgresql?.embedded === undefined,
};
