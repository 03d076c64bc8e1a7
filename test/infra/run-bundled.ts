/**
 * Runs a workflow's state machine (the definition `statemachines/` generates and CDK deploys verbatim) with the
 * local executor, every Task bound to the handler of a task-function bundle (`<bundles>/<task>/index.js`, as
 * the construct builds it), as Step Functions would call the Lambda functions. Used by bundled-handlers.test.ts,
 * which bundles this file too and runs it with plain `node` (no tsx, no jest VM: the bundles load as on Lambda).
 *   node run-bundled.js <bundles dir> <workflow name>
 * The bundles read their manifests from $ICEFLOE_MANIFESTS and stage in s3://$STAGING_BUCKET (the S3 endpoint
 * from $AWS_ENDPOINT_URL_S3). Prints `{ status, output | error }` as JSON on the last line.
 */
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { executeDefinition, type LocalTaskFn } from '../../core/engine/executor';
import { S3FileIO } from '../../core/iceberg/io/s3';
import { loadManifests } from '../../core/manifest';
import type { TaskName } from '../../lib/constructs/task-function';
import { TASK_OF_PLACEHOLDER, workflowDefinition } from '../../statemachines';
import type { Json } from '../../statemachines/asl';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

async function main(): Promise<void> {
  const [bundles, workflowName] = process.argv.slice(2) as [string, string];
  const { set, problems } = await loadManifests([process.env.ICEFLOE_MANIFESTS as string]);
  if (problems.length > 0) throw new Error(`manifests: ${problems.map((p) => p.message).join('; ')}`);
  const workflow = set.workflows.find((w) => w.name === workflowName);
  if (!workflow) throw new Error(`no workflow ${workflowName}`);
  let calls = 0;
  const context = (task: TaskName) =>
    ({
      awsRequestId: `${task}-${++calls}`,
      functionName: `icefloe-${task}`,
      getRemainingTimeInMillis: () => 900_000,
    }) as unknown as Context;
  const tasks: Record<string, LocalTaskFn> = {};
  for (const [resource, task] of Object.entries(TASK_OF_PLACEHOLDER) as [string, TaskName][]) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { handler } = require(join(bundles, task, 'index.js')) as { handler: Handler };
    tasks[resource] = async (input) => (await handler(input, context(task))) as Json;
  }
  const io = new S3FileIO({ region: process.env.AWS_REGION });
  const bucket = process.env.STAGING_BUCKET as string;
  try {
    const output = await executeDefinition(
      workflowDefinition(workflow),
      {},
      {
        tasks,
        executionName: `bundled-${Date.now()}`,
        retryIntervalMs: 10,
        readItems: async (reader) => {
          const bytes = await io.read(`s3://${bucket}/${(reader as { Key: string }).Key}`);
          return JSON.parse(Buffer.from(bytes).toString('utf8')) as Json[];
        },
      },
    );
    process.stdout.write(`\n${JSON.stringify({ status: 'succeeded', output })}\n`);
  } catch (err) {
    const e = err as Error;
    process.stdout.write(`\n${JSON.stringify({ status: 'failed', error: `${e.name}: ${e.message}` })}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`error: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
