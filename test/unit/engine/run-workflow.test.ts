import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runWorkflowLocally } from '../../../core/engine';
import { TransientError } from '../../../core/errors';
import { endpoint, job, workflow } from '../statemachines/workflows';
import { FakeSink, FakeSource, fakeRegistry, fakeSet, Recorder } from './fakes';

const src = endpoint('dataos://src:s/t');
const dst = endpoint('dataos://dst:s/t');
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'icefloe-engine-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function setup(fail?: (chunkId: string, attempt: number) => void) {
  const rec = new Recorder();
  const source = new FakeSource(rec, 3, 10, fail);
  const sink = new FakeSink(rec);
  return { rec, source, sink, registry: fakeRegistry(source, sink) };
}

describe('runWorkflowLocally', () => {
  it('runs a 3-job DAG in dependency order with independent jobs overlapping', async () => {
    const { rec, sink, registry } = setup();
    const wf = workflow('dag', [job('a', src, dst), job('b', src, dst), job('c', src, dst, ['a', 'b'])]);
    const summary = await runWorkflowLocally({
      manifests: fakeSet(wf),
      workflow: wf,
      stagingRoot: dir,
      registry,
      parallelism: 0,
    });
    expect(summary.status).toBe('succeeded');
    const [a, b, c] = [rec.span('a'), rec.span('b'), rec.span('c')];
    expect(c[0]).toBeGreaterThanOrEqual(Math.max(a[1], b[1]));
    expect(a[0]).toBeLessThan(b[1]);
    expect(b[0]).toBeLessThan(a[1]);
    expect(summary.jobs.map((j) => [j.job, j.status, j.rowsRead, j.rowsWritten, j.chunks])).toEqual([
      ['a', 'succeeded', 30, 30, 3],
      ['b', 'succeeded', 30, 30, 3],
      ['c', 'succeeded', 30, 30, 3],
    ]);
    expect(sink.target.get('public.dag.c')).toBe(30);
    expect(
      readdirSync(join(dir, 'staging'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()),
    ).toEqual([]);
  });

  it('runs unconnected parts of the DAG side by side, each in dependency order', async () => {
    const { rec, registry } = setup();
    const wf = workflow('parts', [job('a', src, dst), job('b', src, dst, ['a']), job('c', src, dst)]);
    const summary = await runWorkflowLocally({
      manifests: fakeSet(wf),
      workflow: wf,
      stagingRoot: dir,
      registry,
      parallelism: 0,
    });
    expect(summary.status).toBe('succeeded');
    const [a, b, c] = [rec.span('a'), rec.span('b'), rec.span('c')];
    expect(b[0]).toBeGreaterThanOrEqual(a[1]);
    expect(c[0]).toBeLessThan(a[1]);
  });

  it('retries a chunk that fails twice with a transient error and succeeds', async () => {
    const { source, sink, registry } = setup((chunkId, attempt) => {
      if (chunkId === 'c1' && attempt <= 2) throw new TransientError(`connection reset (attempt ${attempt})`);
    });
    const wf = workflow('retry', [job('a', src, dst)]);
    const summary = await runWorkflowLocally({
      manifests: fakeSet(wf),
      workflow: wf,
      stagingRoot: dir,
      registry,
      parallelism: 0,
      retryIntervalMs: 0,
    });
    expect(summary.status).toBe('succeeded');
    expect(source.attempts.get('public.retry.a/c1')).toBe(3);
    expect(sink.target.get('public.retry.a')).toBe(30);
    expect(summary.jobs[0]).toMatchObject({
      status: 'succeeded',
      rowsWritten: 30,
      sourceCursor: '1',
      sinkVersion: 'v1',
    });
  });

  it('fails the run naming the chunk and cause, aborts the sink and leaves the target untouched', async () => {
    const { sink, registry } = setup((chunkId) => {
      if (chunkId === 'c2') throw new Error('column amount: value 1e40 does not fit decimal(12,2)');
    });
    const wf = workflow('perm', [job('a', src, dst), job('b', src, dst, ['a'])]);
    const summary = await runWorkflowLocally({
      manifests: fakeSet(wf),
      workflow: wf,
      stagingRoot: dir,
      registry,
      parallelism: 0,
      retryIntervalMs: 0,
    });
    expect(summary.status).toBe('failed');
    expect(summary.error).toContain('chunk c2: column amount: value 1e40 does not fit decimal(12,2)');
    expect(summary.jobs.map((j) => j.status)).toEqual(['failed', 'pending']);
    expect(summary.jobs[0]?.error).toContain('chunk c2');
    expect(sink.aborted).toEqual(['public.perm.a']);
    expect(sink.target.size).toBe(0);
    expect(sink.states.size).toBe(0);
    expect(sink.staging.size).toBe(0);
  });

  it('cancels and cleans up a sibling job when a parallel job fails', async () => {
    const { sink, registry } = setup((chunkId) => {
      if (chunkId === 'c0') throw new Error('boom');
    });
    const wf = workflow('sib', [job('a', src, dst), job('b', src, dst)]);
    const summary = await runWorkflowLocally({
      manifests: fakeSet(wf),
      workflow: wf,
      stagingRoot: dir,
      registry,
      parallelism: 0,
      retryIntervalMs: 0,
    });
    expect(summary.status).toBe('failed');
    expect(sink.target.size).toBe(0);
    expect(sink.staging.size).toBe(0);
    expect([...new Set(sink.aborted)].sort()).toEqual(['public.sib.a', 'public.sib.b']);
  });

  it('stops on abort (Ctrl-C), cleans up the started job and leaves the sink untouched', async () => {
    const rec = new Recorder();
    const source = new FakeSource(rec, 6, 10, undefined, 100);
    const sink = new FakeSink(rec);
    const wf = workflow('abort', [job('a', src, dst)]);
    const ac = new AbortController();
    const summary = await runWorkflowLocally({
      manifests: fakeSet(wf),
      workflow: wf,
      stagingRoot: dir,
      registry: fakeRegistry(source, sink),
      parallelism: 0,
      signal: ac.signal,
      onStart: (t) => t.on((e) => e.type === 'planned' && ac.abort()),
    });
    expect(summary).toMatchObject({ status: 'failed', errorName: 'ExecutionAbortedError' });
    expect(summary.jobs[0]?.status).toBe('cancelled');
    expect(sink.aborted).toEqual(['public.abort.a']);
    expect(sink.target.size).toBe(0);
    expect(sink.staging.size).toBe(0);
  });

  it('reads only what changed since the committed cursor on a second run', async () => {
    const { sink, registry } = setup();
    const wf = workflow('again', [job('a', src, dst)]);
    const opts = { manifests: fakeSet(wf), workflow: wf, stagingRoot: dir, registry, parallelism: 0 };
    await runWorkflowLocally(opts);
    const second = await runWorkflowLocally(opts);
    expect(second.jobs[0]?.sourceCursor).toBe('2');
    expect(sink.states.get('public.again.a')?.cursor).toBe('2');
  });
});
