import type { Context } from 'aws-lambda';
import { MemoryFileIO } from '../../../core/iceberg/io/memory';
import { manifestDeps, type PlanOutput, Staging } from '../../../core/movement';
import { FakeSink, FakeSource, fakeRegistry, fakeSet, Recorder } from '../engine/fakes';
import { endpoint, job, workflow } from '../statemachines/workflows';

const wf = workflow('wf', [job('a', endpoint('dataos://src:s/t'), endpoint('dataos://dst:s/t'))]);
const rec = new Recorder();
const sink = new FakeSink(rec);
const staging = new Staging(new MemoryFileIO(), 'memory://lambda-handlers');
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const deps = manifestDeps(fakeSet(wf), {
  staging,
  logger: quiet,
  registry: fakeRegistry(new FakeSource(rec, 2, 5, undefined, 0), sink),
});

jest.mock('@middy/core', () => jest.requireActual('./esm-middy').middyAsCjs());
jest.mock('../../../lambdas/_shared/runtime', () => {
  const actual = jest.requireActual('../../../lambdas/_shared/runtime');
  return { ...actual, getRuntime: async () => ({ deps, staging }) };
});

import { offloadOutput } from '../../../lambdas/_shared/offload-output';
import { handler as cleanupHandler } from '../../../lambdas/cleanup/handler';
import { handler as commitHandler } from '../../../lambdas/commit/handler';
import { handler as moveHandler } from '../../../lambdas/move/handler';
import { handler as planHandler } from '../../../lambdas/plan/handler';

const context = (id: string) =>
  ({ awsRequestId: id, functionName: 'icefloe-test', getRemainingTimeInMillis: () => 120_000 }) as unknown as Context;

describe('lambda handlers', () => {
  it('run plan, move and commit with the payloads Step Functions passes', async () => {
    const p = (await planHandler(
      { workflow: 'wf', workspace: 'public', job: 'a', runId: 'exec-1' },
      context('1'),
    )) as PlanOutput;
    expect(p).toMatchObject({
      jobId: 'public.wf.a',
      chunkCount: 2,
      chunksKey: 'staging/public.wf.a/exec-1/chunks.json',
    });
    const items = await staging.getJson<never[]>(p.chunksKey);
    const moved = await moveHandler({ Items: items, BatchInput: { plan: p } }, context('2'));
    expect(moved).toEqual([
      expect.objectContaining({ chunkId: 'c0', rows: 5 }),
      expect.objectContaining({ chunkId: 'c1', rows: 5 }),
    ]);
    const committed = await commitHandler({ plan: p }, context('3'));
    expect(committed).toMatchObject({ rowsWritten: 10, jobId: 'public.wf.a', runId: 'exec-1' });
    expect(sink.target.get('public.wf.a')).toBe(10);
  });

  it('runs cleanup, aborting the sink', async () => {
    const out = await cleanupHandler(
      { workflow: 'wf', job: 'a', runId: 'exec-2', error: { Error: 'TransientError', Cause: 'x' } },
      context('4'),
    );
    expect(out).toEqual({ jobId: 'public.wf.a', runId: 'exec-2', aborted: true, cause: 'x' });
    expect(sink.aborted).toContain('public.wf.a');
  });

  it('surfaces a task error with its name (what Retry/Catch match)', async () => {
    await expect(planHandler({ workflow: 'wf', job: 'nope', runId: 'r' }, context('5'))).rejects.toMatchObject({
      name: 'NotFoundError',
    });
  });
});

describe('offloadOutput middleware', () => {
  const mw = offloadOutput({ staging: async () => staging, maxInlineBytes: 100 });
  const request = (event: unknown, response: unknown) =>
    ({ event, response, context: context('big-1'), error: null, internal: {} }) as never;

  it('replaces a large response by a reference in staging and reads a referenced event back', async () => {
    const big = { rows: 'x'.repeat(500) };
    const req = request({}, big) as { response: unknown };
    await mw.after?.(req as never);
    expect(req.response).toEqual({ $ref: 'staging/offload/big-1.json' });
    const next = request({ $ref: 'staging/offload/big-1.json' }, undefined) as { event: unknown };
    await mw.before?.(next as never);
    expect(next.event).toEqual(big);
  });

  it('leaves a small response inline', async () => {
    const req = request({}, { ok: true }) as { response: unknown };
    await mw.after?.(req as never);
    expect(req.response).toEqual({ ok: true });
  });
});
