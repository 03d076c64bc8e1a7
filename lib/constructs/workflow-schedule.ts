import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { toScheduleExpression } from '../../core/aws/schedule-expression';
import { InvalidInputError } from '../../core/errors';
import type { WorkflowSchedule as ScheduleSpec } from '../../core/manifest/types';
import { acknowledge, arnHead, justifyWildcards } from '../nag';
import { effectiveRemovalPolicy } from './lakehouse-storage';
import { stateMachineArn } from './workflow-state-machine';

/** Properties of {@link WorkflowSchedule}. */
export interface WorkflowScheduleProps {
  readonly schedule: ScheduleSpec;
  /** The workflow's state machine. */
  readonly target: sfn.IStateMachine;
  /** Its physical name (ARNs of its executions are formatted from it). */
  readonly targetName: string;
  /** Key of the guard's log group. */
  readonly encryptionKey: kms.IKey;
}

/** `endOn` as the UTC timestamp EventBridge Scheduler takes (`2027-06-30T00:00:00.000Z`). */
export function utcTimestamp(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new InvalidInputError(`schedule endOn '${iso}' is not an ISO-8601 time`);
  return new Date(t).toISOString();
}

/** Input of every scheduled execution; `<aws.scheduler.*>` are filled by EventBridge Scheduler at each run. */
export const SCHEDULED_INPUT = {
  trigger: 'schedule',
  scheduledTime: '<aws.scheduler.scheduled-time>',
  scheduleExecutionId: '<aws.scheduler.execution-id>',
};

/**
 * An EventBridge Scheduler schedule from `workflow.schedule`: the five-field cron converted to
 * `cron(… … … … … *)`, the IANA timezone, `endOn` as the end date.
 *
 * `concurrencyPolicy` (DataOS, after Kubernetes CronJob):
 * - `Allow`: the schedule starts the workflow's state machine directly.
 * - `Forbid`: the schedule starts a small guard state machine that lists the RUNNING executions of the workflow
 *   and starts a new one only when there is none (a tick that finds a run in progress is skipped, and the guard
 *   execution says so in its output).
 * - `Replace`: the guard stops the running executions, then starts a new one.
 * The guard is ASL with SDK integrations only (no Lambda to patch or bundle).
 */
export class WorkflowSchedule extends Construct {
  public readonly schedule: scheduler.CfnSchedule;
  /** The guard state machine (Forbid/Replace). */
  public readonly guard?: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: WorkflowScheduleProps) {
    super(scope, id);
    const policy = props.schedule.concurrencyPolicy;
    this.guard = policy === 'Allow' ? undefined : this.createGuard(props, policy === 'Replace');
    const target = this.guard ?? props.target;
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: `EventBridge Scheduler: start ${props.targetName}`,
    });
    target.grantStartExecution(role);
    const input = this.guard ? { input: SCHEDULED_INPUT } : SCHEDULED_INPUT;
    this.schedule = new scheduler.CfnSchedule(this, 'Schedule', {
      description: `icefloe schedule of ${props.targetName} (cron ${props.schedule.cron}, ${policy})`,
      scheduleExpression: toScheduleExpression(props.schedule.cron),
      scheduleExpressionTimezone: props.schedule.timezone ?? 'UTC',
      endDate: props.schedule.endOn === undefined ? undefined : utcTimestamp(props.schedule.endOn),
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: target.stateMachineArn,
        roleArn: role.roleArn,
        input: JSON.stringify(input),
        retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
      },
    });
  }

  private createGuard(props: WorkflowScheduleProps, replace: boolean): sfn.StateMachine {
    const listRunning = new tasks.CallAwsService(this, 'ListRunning', {
      service: 'sfn',
      action: 'listExecutions',
      parameters: {
        StateMachineArn: props.target.stateMachineArn,
        StatusFilter: 'RUNNING',
        MaxResults: replace ? 100 : 1,
      },
      iamResources: [props.target.stateMachineArn],
      iamAction: 'states:ListExecutions',
      resultSelector: { 'executions.$': '$.Executions' },
      resultPath: '$.running',
    });
    const start = new tasks.StepFunctionsStartExecution(this, 'StartWorkflow', {
      stateMachine: props.target,
      input: sfn.TaskInput.fromJsonPathAt('$.input'),
      resultPath: '$.started',
    });
    let definition: sfn.IChainable;
    if (replace) {
      const stop = new tasks.CallAwsService(this, 'StopRunning', {
        service: 'sfn',
        action: 'stopExecution',
        parameters: {
          'ExecutionArn.$': '$.ExecutionArn',
          Cause: 'replaced by a scheduled run (concurrencyPolicy Replace)',
        },
        iamResources: [stateMachineArn(this, 'execution', `${props.targetName}:*`)],
        iamAction: 'states:StopExecution',
      });
      const stopAll = new sfn.Map(this, 'StopEach', {
        itemsPath: '$.running.executions',
        resultPath: sfn.JsonPath.DISCARD,
      });
      stopAll.itemProcessor(stop);
      definition = listRunning.next(stopAll).next(start);
    } else {
      const skip = new sfn.Succeed(this, 'SkipWhileRunning', {
        comment: 'concurrencyPolicy Forbid: a run is in progress',
      });
      const idle = new sfn.Choice(this, 'AnyRunning?')
        .when(sfn.Condition.isPresent('$.running.executions[0]'), skip)
        .otherwise(start);
      definition = listRunning.next(idle);
    }
    return this.guardMachine(props, definition);
  }

  private guardMachine(props: WorkflowScheduleProps, definition: sfn.IChainable): sfn.StateMachine {
    const guard = new sfn.StateMachine(this, 'Guard', {
      stateMachineName: `${props.targetName}-guard`.slice(0, 80),
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      logs: {
        destination: new logs.LogGroup(this, 'GuardLogs', {
          // /aws/vendedlogs/ keeps Step Functions log delivery out of the account's 5 KB logs resource policy.
          logGroupName: `/aws/vendedlogs/states/${props.targetName}-guard`,
          // A named group outlives its stack unless data may be destroyed (then a redeploy can recreate it).
          removalPolicy: effectiveRemovalPolicy(this),
          encryptionKey: props.encryptionKey,
          retention: logs.RetentionDays.ONE_YEAR,
        }),
        level: sfn.LogLevel.ALL,
        includeExecutionData: true,
      },
      tracingEnabled: true,
    });
    acknowledge(
      guard,
      'AwsSolutions-IAM5[Resource::*]',
      'log delivery (logs:CreateLogDelivery etc.) and X-Ray PutTraceSegments support no resource-level permissions',
    );
    justifyWildcards(guard, [
      {
        finding: new RegExp(String.raw`^Resource::${arnHead('states')}execution:${props.targetName}:\*$`),
        reason: 'concurrencyPolicy Replace stops running executions of this one workflow, whose names are per run',
      },
    ]);
    return guard;
  }
}
