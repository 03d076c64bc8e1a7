import { Match, type Template } from 'aws-cdk-lib/assertions';
import { alphaomega, instanceSecret, ordersWorkflow, postgresDepot } from './manifests';
import { aslProblems, deployedDefinition, setOf, synthApp } from './synth';

const built = synthApp(
  setOf(
    alphaomega(),
    postgresDepot(),
    instanceSecret('postgres-depot-rw', 'rw', ['username', 'password']),
    ordersWorkflow({
      cron: '*/15 2 * * 1-5',
      timezone: 'Asia/Kolkata',
      concurrencyPolicy: 'Forbid',
      endOn: '2027-06-30T05:30:00+05:30',
    }),
  ),
);
const stack = built.stacks.workflows[0]!;
const t: Template = built.template(stack);
const NAME = 'icefloe-research-nb-lh-aws-test-01';

function workflowMachine() {
  const machines = t.findResources('AWS::StepFunctions::StateMachine', { Properties: { StateMachineName: NAME } });
  const [id, m] = Object.entries(machines)[0] as [string, { Properties: Record<string, unknown> }];
  return { id, props: m.Properties };
}

function statementsOf(idPrefix: string) {
  const [, policy] = Object.entries(t.findResources('AWS::IAM::Policy')).find(([id]) => id.startsWith(idPrefix)) as [
    string,
    { Properties: { PolicyDocument: { Statement: Array<{ Action: string | string[]; Resource: unknown }> } } },
  ];
  return policy.Properties.PolicyDocument.Statement;
}

describe('workflow stack (seed 000 workflow on the alphaomega lakehouse)', () => {
  it('is named from workspace and name, tagged from the manifest', () => {
    expect(stack.stackName).toBe(NAME);
    expect(stack.tags.tagValues()).toMatchObject({
      'icefloe:name': 'nb-lh-aws-test-01',
      'icefloe:workspace': 'research',
      'icefloe:tags': 'workflow nilus-batch',
    });
  });

  it('runs four task functions on nodejs22.x arm64 in the isolated subnets of the lakehouse VPC, traced', () => {
    const fns = Object.values(t.findResources('AWS::Lambda::Function')) as Array<{
      Properties: Record<string, unknown>;
    }>;
    expect(fns).toHaveLength(4);
    for (const fn of fns) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        MemorySize: 512, // resources.requests.memory: 512Mi
        Timeout: 900,
        TracingConfig: { Mode: 'Active' },
        VpcConfig: {
          SubnetIds: [
            { 'Fn::ImportValue': expect.stringMatching(/icefloe-lakehouse-alphaomega:.*isolatedSubnet1/) },
            { 'Fn::ImportValue': expect.stringMatching(/icefloe-lakehouse-alphaomega:.*isolatedSubnet2/) },
          ],
          SecurityGroupIds: [{ 'Fn::ImportValue': expect.stringMatching(/TaskSecurityGroup/) }],
        },
      });
      expect(fn.Properties.KmsKeyArn).toBeDefined();
      const env = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(env.STAGING_BUCKET).toBeDefined();
      expect(JSON.stringify(env.ICEFLOE_SECRET_ARNS)).toMatch(
        /postgres-depot-rw.*icefloe-secrets:.*postgresdepotrwsecret/,
      );
    }
  });

  it('deploys the statemachines/ definition verbatim with substitutions, and it passes asl-validator', () => {
    const { props } = workflowMachine();
    expect(Object.keys(props.DefinitionSubstitutions as object).sort()).toEqual([
      'CleanupFunctionArn',
      'CommitFunctionArn',
      'MoveFunctionArn',
      'PlanFunctionArn',
      'StagingBucket',
    ]);
    const definition = deployedDefinition(props as never);
    expect(aslProblems(definition)).toBeUndefined();
    expect(JSON.stringify(definition)).not.toMatch(/\$\{[A-Za-z]+\}/);
  });

  it('logs every event with execution data to an encrypted log group, with X-Ray on', () => {
    const { props } = workflowMachine();
    expect(props.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: true });
    expect(props.TracingConfiguration).toEqual({ Enabled: true });
    t.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: `/aws/vendedlogs/states/${NAME}`,
      KmsKeyId: Match.anyValue(),
    });
  });

  it('lets the state machine invoke exactly its four functions and start/stop only its own map runs', () => {
    const statements = statementsOf('WorkflowRoleDefaultPolicy');
    const invoke = statements.find((s) => s.Action === 'lambda:InvokeFunction');
    expect(invoke?.Resource).toHaveLength(4);
    const start = statements.find((s) => s.Action === 'states:StartExecution');
    expect(JSON.stringify(start?.Resource)).toContain(`:stateMachine:${NAME}"`);
    const manage = statements.find((s) => [s.Action].flat().includes('states:StopExecution'));
    expect(JSON.stringify(manage?.Resource)).toContain(`:execution:${NAME}/*`);
    const read = statements.find((s) => s.Action === 's3:GetObject');
    expect(JSON.stringify(read?.Resource)).toContain('dataos-lakehouse/staging/research.nb-lh-aws-test-01.*');
    expect(statements.flatMap((s) => [s.Action].flat())).not.toContain('s3:PutObject');
  });

  it('gives the functions the staging prefix and the lakehouse, and only their depot secret', () => {
    const statements = statementsOf('movetaskRoleDefaultPolicy');
    const resources = JSON.stringify(statements.map((s) => s.Resource));
    expect(resources).toContain('dataos-lakehouse/test/*');
    expect(resources).toContain('dataos-lakehouse/staging/research.nb-lh-aws-test-01.*');
    expect(resources).toContain('dataos-lakehouse/staging/offload/*');
    const secret = statements.find((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue'));
    expect(JSON.stringify(secret?.Resource)).toMatch(/icefloe-secrets:.*postgresdepotrwsecret/);
  });

  it('schedules from the manifest: cron converted, timezone, end date, via the Forbid guard', () => {
    t.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0/15 2 ? * 2,3,4,5,6 *)',
      ScheduleExpressionTimezone: 'Asia/Kolkata',
      EndDate: '2027-06-30T00:00:00.000Z',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('ScheduleGuard') } }),
    });
    const guards = t.findResources('AWS::StepFunctions::StateMachine', {
      Properties: { StateMachineName: `${NAME}-guard` },
    });
    const guard = Object.values(guards)[0] as {
      Properties: { DefinitionString: unknown; LoggingConfiguration: unknown };
    };
    const definition = deployedDefinition(guard.Properties as never) as {
      States: Record<string, { Type: string; Resource?: string }>;
    };
    expect(aslProblems(definition)).toBeUndefined();
    expect(definition.States.ListRunning?.Resource).toBe('arn:aws:states:::aws-sdk:sfn:listExecutions');
    expect(definition.States['AnyRunning?']?.Type).toBe('Choice');
    expect(guard.Properties.LoggingConfiguration).toMatchObject({ Level: 'ALL' });
  });

  it('alarms on failed executions', () => {
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ExecutionsFailed',
      Namespace: 'AWS/States',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });
});

describe('concurrencyPolicy', () => {
  const guardOf = (policy: 'Allow' | 'Replace') => {
    const { stacks, template } = synthApp(
      setOf(alphaomega(), ordersWorkflow({ cron: '@daily', concurrencyPolicy: policy })),
    );
    const tpl = template(stacks.workflows[0]!);
    const guards = Object.values(
      tpl.findResources('AWS::StepFunctions::StateMachine', { Properties: { StateMachineName: `${NAME}-guard` } }),
    ) as Array<{ Properties: Record<string, unknown> }>;
    return { tpl, guard: guards[0] };
  };

  it('Allow: the schedule starts the workflow itself', () => {
    const { tpl, guard } = guardOf('Allow');
    expect(guard).toBeUndefined();
    tpl.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 0 * * ? *)',
      ScheduleExpressionTimezone: 'UTC',
      Target: Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('WorkflowStateMachine') } }),
    });
  });

  it('Replace: the guard stops running executions, then starts one', () => {
    const { guard } = guardOf('Replace');
    const definition = deployedDefinition(guard!.Properties as never) as {
      States: Record<
        string,
        { Type: string; Next?: string; ItemProcessor?: { States: Record<string, { Resource?: string }> } }
      >;
    };
    expect(aslProblems(definition)).toBeUndefined();
    expect(definition.States.ListRunning?.Next).toBe('StopEach');
    expect(definition.States.StopEach?.Type).toBe('Map');
    expect(definition.States.StopEach?.ItemProcessor?.States.StopRunning?.Resource).toBe(
      'arn:aws:states:::aws-sdk:sfn:stopExecution',
    );
    expect(definition.States.StopEach?.Next).toBe('StartWorkflow');
  });
});
