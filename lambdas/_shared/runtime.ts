/**
 * What every task function builds once per container (cold start) and reuses: the logger, the manifests
 * (bundled beside the code, or a folder named by `ICEFLOE_MANIFESTS`), the staging area in
 * `s3://$STAGING_BUCKET`, and the task deps over them (connectors come from the registry).
 */
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { loadSecretsIntoEnv } from '../../core/aws/secrets-env';
import { InvalidInputError } from '../../core/errors';
import { S3FileIO } from '../../core/iceberg/io/s3';
import { formatProblem, loadManifests } from '../../core/manifest';
import { manifestDeps, Staging, type TaskDeps, type TaskLogger } from '../../core/movement';

/** The shared Powertools logger (service `icefloe`; level from `POWERTOOLS_LOG_LEVEL`). */
export const logger = new Logger({ serviceName: 'icefloe' });

export interface Runtime {
  deps: TaskDeps;
  staging: Staging;
}

/** Powertools' Logger as the tasks' logger (it takes extra keys as a second argument). */
export const taskLogger: TaskLogger = {
  debug: (message, extra) => logger.debug(message, extra ?? {}),
  info: (message, extra) => logger.info(message, extra ?? {}),
  warn: (message, extra) => logger.warn(message, extra ?? {}),
  error: (message, extra) => logger.error(message, extra ?? {}),
};

let runtime: Promise<Runtime> | undefined;

async function build(env: NodeJS.ProcessEnv): Promise<Runtime> {
  const bucket = env.STAGING_BUCKET;
  if (!bucket) throw new InvalidInputError('environment variable STAGING_BUCKET is not set');
  const dir = env.ICEFLOE_MANIFESTS ?? join(env.LAMBDA_TASK_ROOT ?? process.cwd(), 'manifests');
  const { set, problems } = await loadManifests([dir]);
  const first = problems[0];
  if (first) throw new InvalidInputError(`manifests in ${dir}: ${formatProblem(first)}`);
  // depot credentials live in Secrets Manager (ICEFLOE_SECRET_ARNS); copy them into the variables the
  // bundled instance-secrets reference before any connector resolves a secret
  await loadSecretsIntoEnv(set.secrets, env);
  const staging = new Staging(new S3FileIO({ region: env.AWS_REGION }), `s3://${bucket}`);
  return { staging, deps: manifestDeps(set, { staging, logger: taskLogger }) };
}

/** The container's runtime, built on first use; a failed build is retried by the next invocation. */
export function getRuntime(env: NodeJS.ProcessEnv = process.env): Promise<Runtime> {
  if (!runtime) {
    runtime = build(env);
    runtime.catch(() => {
      runtime = undefined;
    });
  }
  return runtime;
}
