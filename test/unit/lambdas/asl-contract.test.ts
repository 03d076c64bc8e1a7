/**
 * The payload contract between the state machine and the Lambda handlers: the generated definition runs with
 * every Task bound to the real handler (middy, logger, offload) instead of the task function, so each
 * `Parameters` block must produce what the handler parses, and each handler's output what the next state reads.
 */
import type { Context } from 'aws-lambda';
import { executeDefinition } from '../../../core/engine/executor';
import { MemoryFileIO } from '../../../core/iceberg/io/memory';
import { manifestDeps, Staging } from '../../../core/movement';
import { PLACEHOLDERS, workflowDefinition } from '../../../statemachines';
import type { Json } from '../../../statemachines/asl';
import { FakeSink, FakeSource, fakeRegistry, fakeSet, Recorder } from '../engine/fakes';
import { endpoint, job, workflow } from '../statemachines/workflows';

const wf = workflow('contract', [
  job('a', endpoint('dataos://src:s/t'), endpoint('dataos://dst:s/t')),
  job('b', endpoint('dataos://src:s/t'), endpoint('dataos://dst:s/t'), ['a']),
]);
const rec = new Recorder();
const sink = new FakeSink(rec);
const staging = new Staging(new MemoryFileIO(), 'memory://asl-contract');
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const deps = manifestDeps(fakeSet(wf), {
  staging,
  logger: quiet,
  registry: fakeRegistry(new FakeSource(rec, 3, 7, undefined, 0), sink),
});

jest.mock('@middy/core', () => jest.requireActual('./esm-middy').middyAsCjs());
jest.mock('../../../lambdas/_shared/runtime', () => {
  const actual = jest.requireActual('../../../lambdas/_shared/runtime');
  return { ...actual, getRuntime: async () => ({ deps, staging }) };
});

import { handler as cleanupHandler } from '../../../lambdas/cleanup/handler';
import { handler as commitHandler } from '../../../lambdas/commit/handler';
import { handler as moveHandler } from '../../../lambdas/move/handler';
import { handler as planHandler } from '../../../lambdas/plan/handler';

let request = 0;
const context = () =>
  ({
    awsRequestId: `req-${++request}`,
    functionName: 'f',
    getRemainingTimeInMillis: () => 300_000,
  }) as unknown as Context;
const viaLambda =
  (h: (event: never, context: Context) => Promise<unknown>) =>
  async (input: Json): Promise<Json> =>
    (await h(input as never, context())) as Json;

describe('state machine ↔ Lambda handler payloads', () => {
  it('runs the generated definition end to end through the handlers', async () => {
    const definition = workflowDefinition(wf, { itemsPerBatch: 2 });
    await executeDefinition(
      definition,
      {},
      {
        executionName: 'exec-contract-1',
        readItems: async (reader) => staging.getJson<Json[]>((reader as { Key: string }).Key),
        tasks: {
          [PLACEHOLDERS.PlanFunctionArn]: viaLambda(planHandler),
          [PLACEHOLDERS.MoveFunctionArn]: viaLambda(moveHandler),
          [PLACEHOLDERS.CommitFunctionArn]: viaLambda(commitHandler),
          [PLACEHOLDERS.CleanupFunctionArn]: viaLambda(cleanupHandler),
        },
      },
    );
    expect(sink.target.get('public.contract.a')).toBe(21);
    expect(sink.target.get('public.contract.b')).toBe(21);
    expect(sink.states.get('public.contract.b')).toMatchObject({
      runId: 'exec-contract-1',
      cursor: '1',
      rowsWritten: 21,
    });
    expect(await staging.listKeys('staging/')).toEqual([]);
  });
});
