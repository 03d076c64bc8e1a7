/**
 * The one shape of every task function: middy + Powertools logger context + offloading, around
 * `task(deps, input)` with the deps of the container's runtime. A handler file is one line.
 */

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { TaskDeps } from '../../core/movement/deps';
import { offloadOutput } from './offload-output';
import { getRuntime, logger } from './runtime';

/** Stop 20 s before Lambda's timeout, so the error reaches Step Functions as a task error, not a timeout. */
const TIMEOUT_EARLY_MS = 20_000;

/** A middy handler running `task` with the container's deps. */
export function taskHandler<I, O>(task: (deps: TaskDeps, input: I) => Promise<O>) {
  const run = async (event: I, _context: Context): Promise<O> => task((await getRuntime()).deps, event);
  return middy<I, O, Error, Context>(run, { timeoutEarlyInMillis: TIMEOUT_EARLY_MS })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(
      offloadOutput({ staging: async () => (await getRuntime()).staging }) as middy.MiddlewareObj<I, O, Error, Context>,
    );
}
