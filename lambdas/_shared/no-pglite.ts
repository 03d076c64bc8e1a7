/**
 * Stands in for `@electric-sql/pglite` in the task-function bundles (esbuild alias, `lib/constructs/task-function.ts`):
 * the embedded PostgreSQL is a local-run feature, ~0.5 MB the Lambda would compile at every cold start for
 * nothing. `openPglite` imports it only for a depot with `postgresql.embedded`; on Lambda that ends here, in one
 * clear error instead of a "Cannot find module".
 */
import { InvalidInputError } from '../../core/errors';

const MESSAGE =
  'postgresql depot with `embedded` (PGlite): the embedded database runs only with `icefloe run`, not in the ' +
  'Lambda task functions; give the depot a server (host, port, database) to deploy it';

function unavailable(): never {
  throw new InvalidInputError(MESSAGE);
}

/** The one export `core/connectors/postgres/pglite-driver.ts` uses: every use fails with {@link MESSAGE}. */
export class PGlite {
  constructor() {
    unavailable();
  }

  static create(): never {
    return unavailable();
  }
}
