import { executionName, stateMachineNameOf } from '../../../core/aws/names';
import { findStateMachine, formatExecutions, recentExecutions, startWorkflow } from '../../../core/aws/workflows';
import { InvalidInputError, NotFoundError } from '../../../core/errors';
import { stubbedSfn } from './sfn-stub';

const ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:icefloe-research-nb-lh-aws-test-01';
const listed = (names: string[], nextToken?: string) => ({
  body: {
    stateMachines: names.map((name) => ({
      name,
      stateMachineArn: `arn:aws:states:eu-west-1:123456789012:stateMachine:${name}`,
      type: 'STANDARD',
      creationDate: 1_700_000_000,
    })),
    ...(nextToken ? { nextToken } : {}),
  },
});

describe('execution names', () => {
  it('reads <workflow>-<yyyymmddThhmmss>-<rand> in UTC', () => {
    expect(executionName('nb-lh-aws-test-01', new Date('2026-11-22T05:01:02.345Z'), 'k3x9')).toBe(
      'nb-lh-aws-test-01-20261122T050102-k3x9',
    );
  });

  it('stays within 80 characters and the allowed character set', () => {
    const name = executionName('a'.repeat(100) + ' b/c', new Date(0));
    expect(name.length).toBeLessThanOrEqual(80);
    expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('names state machines icefloe-<workspace>-<workflow>', () => {
    expect(stateMachineNameOf('nb-lh-aws-test-01', 'research')).toBe('icefloe-research-nb-lh-aws-test-01');
    expect(stateMachineNameOf('wf')).toBe('icefloe-public-wf');
  });
});

describe('icefloe start (StartExecution through the real SDK, stubbed transport)', () => {
  it('finds the state machine by name across pages and starts a named execution', async () => {
    const { client, sent } = stubbedSfn({
      ListStateMachines: [listed(['other'], 'page-2'), listed(['icefloe-research-nb-lh-aws-test-01'])],
      StartExecution: [{ body: { executionArn: `${ARN}:x`, startDate: 1_763_787_662 } }],
    });
    const started = await startWorkflow(client, {
      workflow: 'nb-lh-aws-test-01',
      workspace: 'research',
      input: '{"fullRefresh":true}',
      now: new Date('2026-11-22T05:01:02Z'),
      rand: 'abcd',
    });
    expect(started).toEqual({
      executionArn: `${ARN}:x`,
      name: 'nb-lh-aws-test-01-20261122T050102-abcd',
      startDate: new Date(1_763_787_662_000),
    });
    expect(sent.map((r) => r.target)).toEqual([
      'AWSStepFunctions.ListStateMachines',
      'AWSStepFunctions.ListStateMachines',
      'AWSStepFunctions.StartExecution',
    ]);
    expect(sent[1]?.body).toEqual({ maxResults: 1000, nextToken: 'page-2' });
    const start = sent[2];
    expect(start?.method).toBe('POST');
    expect(start?.hostname).toBe('states.eu-west-1.amazonaws.com');
    expect(start?.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(start?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/states\//,
    );
    expect(start?.body).toEqual({
      stateMachineArn: ARN,
      name: 'nb-lh-aws-test-01-20261122T050102-abcd',
      input: '{"fullRefresh":true}',
    });
  });

  it('skips the lookup when the ARN is given', async () => {
    const { client, sent } = stubbedSfn({ StartExecution: [{ body: { executionArn: 'e', startDate: 1 } }] });
    await startWorkflow(client, { workflow: 'wf', stateMachineArn: ARN, rand: 'zz00', now: new Date(0) });
    expect(sent).toHaveLength(1);
    expect(sent[0]?.body).toEqual({ stateMachineArn: ARN, name: 'wf-19700101T000000-zz00', input: '{}' });
  });

  it('rejects input that is not JSON before calling AWS', async () => {
    const { client, sent } = stubbedSfn({});
    await expect(startWorkflow(client, { workflow: 'wf', input: '{nope' })).rejects.toBeInstanceOf(InvalidInputError);
    expect(sent).toHaveLength(0);
  });

  it('reports a workflow that is not deployed, and an ambiguous one', async () => {
    const none = stubbedSfn({ ListStateMachines: [listed(['icefloe-public-other'])] });
    await expect(findStateMachine(none.client, { workflow: 'wf' })).rejects.toBeInstanceOf(NotFoundError);
    const two = stubbedSfn({ ListStateMachines: [listed(['icefloe-a-wf', 'icefloe-b-wf'])] });
    await expect(findStateMachine(two.client, { workflow: 'wf' })).rejects.toThrow(
      'workflow wf: several state machines match (icefloe-a-wf, icefloe-b-wf); pass --workspace',
    );
  });

  it('surfaces a service error', async () => {
    const { client } = stubbedSfn({
      StartExecution: [
        {
          status: 400,
          body: { __type: 'com.amazonaws.swf.service.v2.model#ExecutionAlreadyExists', message: 'exists' },
        },
      ],
    });
    await expect(startWorkflow(client, { workflow: 'wf', stateMachineArn: ARN })).rejects.toMatchObject({
      name: 'ExecutionAlreadyExists',
    });
  });
});

describe('icefloe status (ListExecutions)', () => {
  it('lists recent executions of the state machine and formats a table', async () => {
    const { client, sent } = stubbedSfn({
      ListStateMachines: [listed(['icefloe-research-nb-lh-aws-test-01'])],
      ListExecutions: [
        {
          body: {
            executions: [
              {
                executionArn: `${ARN}:run-2`,
                stateMachineArn: ARN,
                name: 'run-2',
                status: 'RUNNING',
                startDate: 1_763_787_700,
              },
              {
                executionArn: `${ARN}:run-1`,
                stateMachineArn: ARN,
                name: 'run-1',
                status: 'SUCCEEDED',
                startDate: 1_763_787_600,
                stopDate: 1_763_787_642,
              },
            ],
          },
        },
      ],
    });
    const rows = await recentExecutions(client, { workflow: 'nb-lh-aws-test-01', maxResults: 5 });
    expect(sent[1]?.target).toBe('AWSStepFunctions.ListExecutions');
    expect(sent[1]?.body).toEqual({ stateMachineArn: ARN, maxResults: 5 });
    expect(formatExecutions(rows).split('\n')).toEqual([
      'NAME   STATUS     STARTED                   STOPPED                   DURATION',
      'run-2  RUNNING    2025-11-22T05:01:40.000Z',
      'run-1  SUCCEEDED  2025-11-22T05:00:00.000Z  2025-11-22T05:00:42.000Z  42s',
    ]);
  });
});
