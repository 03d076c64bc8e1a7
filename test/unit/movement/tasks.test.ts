import { assertStateUnmoved } from '../../../core/connectors/job-state';
import { MemoryFileIO } from '../../../core/iceberg/io/memory';
import {
  ConnectorRegistry,
  cleanup,
  commit,
  connectors,
  manifestDeps,
  move,
  type PlanOutput,
  plan,
  Staging,
} from '../../../core/movement';
import type { MoveInput } from '../../../core/movement/types';
import { FakeSink, FakeSource, fakeRegistry, fakeSet, Recorder } from '../engine/fakes';
import { endpoint, job, workflow } from '../statemachines/workflows';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const wf = workflow(
  'wf',
  [job('a', endpoint('dataos://src:s/t'), endpoint('dataos://dst:s/t', { destTable: 's.t' }))],
  'ws',
);

function setup() {
  const rec = new Recorder();
  const source = new FakeSource(rec, 2, 5, undefined, 0);
  const sink = new FakeSink(rec);
  const staging = new Staging(new MemoryFileIO(), `memory://tasks-${Math.random().toString(36).slice(2)}`);
  const deps = manifestDeps(fakeSet(wf), { staging, logger: quiet, registry: fakeRegistry(source, sink) });
  return { sink, source, staging, deps };
}

const ref = { workflow: 'wf', workspace: 'ws', job: 'a', runId: 'run-1' };
const batch = (p: PlanOutput, ids: string[]): MoveInput => ({
  Items: ids.map((chunkId) => ({ chunkId, weight: 1, spec: {} })),
  BatchInput: { plan: p },
});

describe('movement tasks', () => {
  it('plan writes the chunk list to staging and returns a small pointer payload', async () => {
    const { deps, staging } = setup();
    const p = await plan(deps, ref);
    expect(p).toMatchObject({
      jobId: 'ws.wf.a',
      runId: 'run-1',
      chunkCount: 2,
      chunksKey: 'staging/ws.wf.a/run-1/chunks.json',
      cursor: '1',
    });
    expect((await staging.getJson<unknown[]>(p.chunksKey)).length).toBe(2);
    expect(JSON.stringify(p).length).toBeLessThan(2000);
  });

  it('move stages chunks idempotently; commit writes once with the job state and drops staging', async () => {
    const { deps, staging, sink } = setup();
    const p = await plan(deps, ref);
    await move(deps, batch(p, ['c0']));
    await move(deps, batch(p, ['c0', 'c1'])); // c0 again: replaces its record
    const out = await commit(deps, { plan: p });
    expect(out).toMatchObject({
      rowsWritten: 10,
      rowsRead: 10,
      chunkCount: 2,
      files: 2,
      cursor: '1',
      sinkVersion: 'v1',
    });
    expect(sink.states.get('ws.wf.a')).toMatchObject({ cursor: '1', rowsWritten: 10, runId: 'run-1' });
    expect(await staging.listKeys('staging/')).toEqual([]);
  });

  it('plans nothing and commits nothing when the source is where the last commit left it', async () => {
    const { deps, sink, source } = setup();
    source.fixedCursor = 'snap-7';
    const first = await plan(deps, ref);
    await move(deps, batch(first, ['c0', 'c1']));
    await commit(deps, { plan: first });
    const again = await plan(deps, { ...ref, runId: 'run-2' });
    expect(again).toMatchObject({
      chunkCount: 0,
      unchanged: true,
      previousCursor: 'snap-7',
      notes: [expect.stringContaining('source unchanged since run run-1')],
    });
    const out = await commit(deps, { plan: again });
    expect(out).toMatchObject({ rowsWritten: 0, chunkCount: 0 });
    expect(out.sinkVersion).toBeUndefined();
    expect(sink.states.get('ws.wf.a')?.runId).toBe('run-1');
  });

  it('a plan records the committed state it starts from, and commit hands it to the sink to check', async () => {
    const { deps, sink } = setup();
    const first = await plan(deps, ref);
    expect(first.previousRunId).toBeNull();
    await move(deps, batch(first, ['c0', 'c1']));
    await commit(deps, { plan: first });
    expect(sink.states.get('ws.wf.a')).toMatchObject({ runId: 'run-1', previousRunId: null });
    const second = await plan(deps, { ...ref, runId: 'run-2' });
    expect(second.previousRunId).toBe('run-1');
  });

  it('the state check refuses a run planned from a state that another run has since replaced', () => {
    const state = { jobId: 'ws.wf.a', runId: 'run-2', rowsWritten: 1, committedAt: '', previousRunId: null };
    expect(() => assertStateUnmoved('table s.t', state, undefined)).not.toThrow();
    expect(() => assertStateUnmoved('table s.t', { ...state, previousRunId: undefined }, 'run-9')).not.toThrow();
    const err = (() => {
      try {
        assertStateUnmoved('table s.t', state, 'run-1');
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.name).toBe('ConcurrentRunError');
    expect(err?.message).toBe(
      'job ws.wf.a: table s.t was committed by run run-1 after run run-2 planned from no committed state; not committing twice (run the job again)',
    );
  });

  it('commit refuses a run with a chunk that was never staged', async () => {
    const { deps, sink } = setup();
    const p = await plan(deps, ref);
    await move(deps, batch(p, ['c0']));
    await expect(commit(deps, { plan: p })).rejects.toThrow('job ws.wf.a run run-1: no staged result for chunk(s) c1');
    expect(sink.target.size).toBe(0);
  });

  it('cleanup aborts the sink and removes the run staging', async () => {
    const { deps, staging, sink } = setup();
    const p = await plan(deps, ref);
    await move(deps, batch(p, ['c0']));
    const out = await cleanup(deps, { ...ref, error: { Error: 'X', Cause: 'y' } });
    expect(out).toEqual({ jobId: 'ws.wf.a', runId: 'run-1', aborted: true, cause: 'y' });
    // Step Functions passes a Lambda error's cause as JSON text; the message is what the run reports.
    const aws = await cleanup(deps, {
      ...ref,
      error: { Error: 'X', Cause: '{"errorType":"X","errorMessage":"disk full","trace":[]}' },
    });
    expect(aws.cause).toBe('disk full');
    expect(sink.aborted).toEqual(['ws.wf.a', 'ws.wf.a']);
    expect(await staging.listKeys('staging/')).toEqual([]);
  });

  it('cleanup reports the chunks whose move failed, with name and cause', async () => {
    const rec = new Recorder();
    const source = new FakeSource(
      rec,
      2,
      5,
      (id) => {
        if (id === 'c1') throw new TypeError('value out of range');
      },
      0,
    );
    const staging = new Staging(new MemoryFileIO(), 'memory://tasks-fail');
    const deps = manifestDeps(fakeSet(wf), {
      staging,
      logger: quiet,
      registry: fakeRegistry(source, new FakeSink(rec)),
    });
    const p = await plan(deps, ref);
    await expect(move(deps, batch(p, ['c0', 'c1']))).rejects.toMatchObject({
      name: 'TypeError',
      message: 'chunk c1: value out of range',
    });
    const out = await cleanup(deps, ref);
    expect(out.failedChunks).toEqual([{ chunkId: 'c1', error: 'TypeError', cause: 'chunk c1: value out of range' }]);
    expect(out.cause).toBe('chunk c1: value out of range (TypeError)');
  });

  it('names unknown depots and depot types without a connector', async () => {
    const staging = new Staging(new MemoryFileIO(), 'memory://x');
    const deps = manifestDeps(fakeSet(wf), { staging, logger: quiet, registry: new ConnectorRegistry() });
    await expect(plan(deps, ref)).rejects.toThrow(
      "dataos://src:s/t: no source connector for depot type 'fake-source' (depot src)",
    );
    await expect(deps.resolveSink(endpoint('dataos://nowhere'))).rejects.toThrow(
      "unknown depot 'nowhere'; depots in the manifests: dst, src",
    );
    expect(connectors.types('source')).toContain('generator');
  });
});
