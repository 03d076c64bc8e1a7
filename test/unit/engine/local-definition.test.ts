import {
  batchItems,
  LOCAL_MAP_RESOURCE,
  localDefinition,
  ProgressTracker,
  plainProgress,
  ttyProgress,
} from '../../../core/engine';
import { PLACEHOLDERS, workflowDefinition } from '../../../statemachines';
import { seedWorkflow } from '../statemachines/workflows';

describe('local definition', () => {
  it('turns each distributed map into a task keeping its name, transitions and error handling', () => {
    const def = workflowDefinition(seedWorkflow());
    const { definition, maps, tasks } = localDefinition(def);
    const branch = definition.States['nb-job-01']?.Branches?.[0];
    const move = branch?.States['nb-job-01/move'];
    expect(move).toMatchObject({
      Type: 'Task',
      Resource: LOCAL_MAP_RESOURCE,
      Parameters: {
        reader: { Bucket: PLACEHOLDERS.StagingBucket, 'Key.$': '$.plan.chunksKey' },
        batchInput: { 'plan.$': '$.plan' },
      },
      ResultPath: null,
      Next: 'nb-job-01/commit',
    });
    expect(maps.get('nb-job-01/move')).toMatchObject({ maxConcurrency: 16, maxItemsPerBatch: 1, batched: true });
    expect(tasks.map((t) => t.stateName).sort()).toEqual([
      'nb-job-01/cleanup',
      'nb-job-01/commit',
      'nb-job-01/move-chunks',
      'nb-job-01/plan',
    ]);
    expect(def.States['nb-job-01']?.Branches?.[0]?.States['nb-job-01/move']?.Type).toBe('Map'); // input untouched
  });
});

describe('local item batcher', () => {
  const items = Array.from({ length: 5 }, (_, i) => ({ chunkId: `c${i}`, pad: 'x'.repeat(40) }));
  it('groups by count and bytes and adds the batch input, as the ItemBatcher does', () => {
    expect(batchItems(items, { batched: true, maxItemsPerBatch: 2 }, { plan: 1 })).toEqual([
      { Items: items.slice(0, 2), BatchInput: { plan: 1 } },
      { Items: items.slice(2, 4), BatchInput: { plan: 1 } },
      { Items: items.slice(4), BatchInput: { plan: 1 } },
    ]);
    const byBytes = batchItems(items, { batched: true, maxInputBytesPerBatch: 150 }) as Array<{ Items: unknown[] }>;
    expect(byBytes.map((b) => b.Items.length)).toEqual([2, 2, 1]);
    expect(batchItems(items, { batched: false })).toEqual(items);
  });
});

describe('progress rendering', () => {
  const sink = () => {
    const chunks: string[] = [];
    return { chunks, stream: { write: (s: string) => chunks.push(s) } as unknown as NodeJS.WritableStream };
  };
  const plan = { job: 'load', chunkCount: 2, notes: [], incremental: false, cursor: 'c1' } as never;

  it('writes plain lines on events', () => {
    const t = new ProgressTracker(['load']);
    const out = sink();
    plainProgress(t, out.stream);
    t.planning('load');
    t.planned(plan);
    t.chunk('load', { jobId: 'j', runId: 'r', chunkId: 'a', rowsRead: 10, bytesRead: 80, done: true });
    expect(out.chunks.join('')).toMatch(
      /job load: planning\n.*job load: planned 2 chunk\(s\), full read, cursor c1\n.*job load: 1\/2 chunks, 10 rows/,
    );
  });

  it('redraws one bar per job on a terminal', () => {
    const t = new ProgressTracker(['load', 'other']);
    const out = sink();
    const stop = ttyProgress(t, out.stream, 10_000);
    t.planned(plan);
    t.chunk('load', { jobId: 'j', runId: 'r', chunkId: 'a', rowsRead: 1500, bytesRead: 2048, done: true });
    stop();
    const last = out.chunks.at(-1) ?? '';
    expect(last.startsWith('\x1b[2A')).toBe(true);
    expect(last).toMatch(/load\s+\[#{12}\.{12}\]\s+1\/2 chunks\s+1\.5k rows\s+2\.0 KiB/);
    expect(last).toMatch(/other .* pending/);
  });
});
