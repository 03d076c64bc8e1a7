import { InvalidInputError } from '../../../core/errors';
import {
  type AslState,
  dagLayers,
  PLACEHOLDERS,
  substitute,
  TRANSIENT_ERRORS,
  workflowDefinition,
} from '../../../statemachines';
import { expectValid } from './asl-validate';
import { endpoint, job, seedWorkflow, workflow } from './workflows';

const gen = endpoint('dataos://gen:sales/orders', { sourceTable: 'sales.orders' });
const lake = endpoint('dataos://lake:sales/orders', { destTable: 'sales.orders' });

/** Every state of a definition, nested branches and item processors included. */
function allStates(def: { States: Record<string, AslState> }): Array<[string, AslState]> {
  return Object.entries(def.States).flatMap(([name, s]) => [
    [name, s] as [string, AslState],
    ...(s.Branches ?? []).flatMap(allStates),
    ...(s.ItemProcessor ? allStates(s.ItemProcessor) : []),
  ]);
}

const threeJobs = () =>
  workflow('three', [
    job('a', gen, lake),
    job('b', gen, lake),
    job('c', gen, lake, ['a', 'b'], { count: 2, strategy: 'OnTransientError', durationSeconds: 5 }),
  ]);

describe('workflowDefinition', () => {
  it('pins the seed workflow definition', () => {
    const def = workflowDefinition(seedWorkflow());
    expectValid(def);
    expect(def).toMatchSnapshot();
  });

  it('is accepted by asl-validator with placeholders and with real ARNs substituted', () => {
    const def = workflowDefinition(threeJobs(), { itemsPerBatch: 4, manifests: 's3://b/manifests' });
    expectValid(def);
    const arn = (n: string) => `arn:aws:lambda:eu-west-1:123456789012:function:icefloe-${n}`;
    expectValid(
      substitute(def, {
        PlanFunctionArn: arn('plan'),
        MoveFunctionArn: arn('move'),
        CommitFunctionArn: arn('commit'),
        CleanupFunctionArn: arn('cleanup'),
        StagingBucket: 'staging-bucket',
      }),
    );
  });

  it('runs independent jobs in one Parallel layer before their dependant', () => {
    const def = workflowDefinition(threeJobs());
    const first = def.States[def.StartAt];
    expect(first?.Type).toBe('Parallel');
    expect(first?.Branches?.map((b) => b.StartAt)).toEqual(['a', 'b']);
    expect(first?.Next).toBe('c');
    expect(def.States.c?.End).toBe(true);
  });

  it('retries the job from the manifest and tasks on transient error names', () => {
    const def = workflowDefinition(threeJobs());
    expect(def.States.c?.Retry).toEqual([
      expect.objectContaining({
        MaxAttempts: 2,
        IntervalSeconds: 5,
        ErrorEquals: expect.arrayContaining(['TransientError']),
      }),
    ]);
    const states = Object.fromEntries(allStates(def));
    expect(states['c/move-chunks']?.Retry?.[0]?.ErrorEquals).toEqual([...TRANSIENT_ERRORS]);
    expect(states['c/commit']?.Retry?.[0]?.ErrorEquals).toEqual(['CommitConflictError']);
    expect(TRANSIENT_ERRORS).toEqual(
      expect.arrayContaining(['Lambda.ServiceException', 'Lambda.TooManyRequestsException']),
    );
  });

  it('maps over the staged chunk list with a distributed map and tolerates no failure', () => {
    const wf = workflow('one', [job('a', endpoint('dataos://gen:s/t', { extractParallelism: 3 }), lake)]);
    const map = Object.fromEntries(allStates(workflowDefinition(wf)))['a/move'];
    expect(map).toMatchObject({
      Type: 'Map',
      MaxConcurrency: 3,
      ToleratedFailurePercentage: 0,
      ItemReader: { Parameters: { Bucket: PLACEHOLDERS.StagingBucket, 'Key.$': '$.plan.chunksKey' } },
      ItemBatcher: { MaxItemsPerBatch: 1, BatchInput: { 'plan.$': '$.plan' } },
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } },
    });
  });

  it('catches any error into cleanup and a Fail state carrying the cause', () => {
    const def = workflowDefinition(seedWorkflow());
    expect(def.States['nb-job-01']?.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'nb-job-01/cleanup' },
    ]);
    expect(def.States['nb-job-01/cleanup']).toMatchObject({
      Resource: PLACEHOLDERS.CleanupFunctionArn,
      Next: 'nb-job-01/failed',
    });
    expect(def.States['nb-job-01/failed']).toEqual({
      Type: 'Fail',
      ErrorPath: '$.error.Error',
      CausePath: '$.cleanup.cause',
    });
    expect(def.States['nb-job-01/cleanup']?.Catch?.[0]?.Next).toBe('nb-job-01/cleanup-failed');
    expect(def.States['nb-job-01/cleanup-failed']).toEqual({
      Type: 'Fail',
      ErrorPath: '$.error.Error',
      CausePath: '$.error.Cause',
    });
  });

  it('uses only the listed placeholders', () => {
    const text = JSON.stringify(workflowDefinition(threeJobs()));
    const used = new Set(text.match(/\$\{[A-Za-z]+\}/g));
    expect([...used].sort()).toEqual(Object.values(PLACEHOLDERS).sort());
  });

  it('runs unconnected parts of the DAG side by side', () => {
    const wf = workflow('parts', [job('a', gen, lake), job('b', gen, lake, ['a']), job('c', gen, lake)]);
    const def = workflowDefinition(wf);
    expectValid(def);
    const top = def.States[def.StartAt];
    expect(def.StartAt).toBe('parallel: a, b, c');
    expect(top?.Branches?.map((b) => [b.StartAt, b.States[b.StartAt]?.Next ?? 'end'])).toEqual([
      ['a', 'b'],
      ['c', 'end'],
    ]);
  });

  it('layers a chain, a diamond and rejects cycles and unknown dependencies', () => {
    const diamond = workflow('d', [
      job('d', gen, lake, ['b', 'c']),
      job('b', gen, lake, ['a']),
      job('c', gen, lake, ['a']),
      job('a', gen, lake),
    ]);
    expect(dagLayers(diamond).map((l) => l.map((n) => n.name))).toEqual([['a'], ['b', 'c'], ['d']]);
    expectValid(workflowDefinition(diamond));
    const cycle = workflow('x', [job('a', gen, lake, ['b']), job('b', gen, lake, ['a'])]);
    expect(() => workflowDefinition(cycle)).toThrow(InvalidInputError);
    expect(() => workflowDefinition(workflow('y', [job('a', gen, lake, ['zz'])]))).toThrow(/unknown job 'zz'/);
  });
});
