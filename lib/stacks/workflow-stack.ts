import { basename } from 'node:path';
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { SECRET_ARNS_ENV, stateMachineNameOf } from '../../core/aws/names';
import type { WorkflowManifest } from '../../core/manifest/types';
import { safeSegment } from '../../core/movement/staging';
import { workflowDefinition } from '../../statemachines';
import { grantGlue, WAREHOUSE_WILDCARDS } from '../constructs/lakehouse-access';
import { LakehouseNetwork } from '../constructs/lakehouse-network';
import { effectiveRemovalPolicy, LakehouseStorage } from '../constructs/lakehouse-storage';
import { TaskFunction, type TaskName } from '../constructs/task-function';
import { WorkflowSchedule } from '../constructs/workflow-schedule';
import { WorkflowStateMachine } from '../constructs/workflow-state-machine';
import { allowLogsToUseKey } from '../defaults/logs-key';
import { justifyWildcards } from '../nag';
import { tagWithManifest } from '../tags';
import type { LakehouseStack } from './lakehouse-stack';

const TASKS: TaskName[] = ['plan', 'move', 'commit', 'cleanup'];

/** Properties of {@link WorkflowStack}. */
export interface WorkflowStackProps extends StackProps {
  readonly workflow: WorkflowManifest;
  /**
   * Deployed lakehouses the workflow reads or writes; the first provides the VPC and the staging area.
   * @default [] - the stack creates its own private network and staging bucket
   */
  readonly lakehouses?: LakehouseStack[];
  /** Glue databases the functions may use, per lakehouse name. @default {} */
  readonly databases?: Record<string, string[]>;
  /** Secrets of the depots the workflow addresses, with their keys (the functions may read them). @default [] */
  readonly secrets?: Array<{ name: string; secret: secretsmanager.ISecret; key: kms.IKey }>;
  /** Manifest files bundled beside the functions (`manifests/<file>`); secrets are never bundled. @default [] */
  readonly manifestFiles?: string[];
  /** The definition to deploy. @default workflowDefinition(workflow) from `statemachines/` */
  readonly definition?: object;
  /** Prebuilt code for the task functions (tests only). @default - esbuild bundles of `lambdas/<task>/handler.ts` */
  readonly code?: (task: TaskName) => lambda.Code;
}

/** The Step Functions state machine name of a workflow: `icefloe-<workspace>-<name>`. */
export function workflowStateMachineName(workflow: Pick<WorkflowManifest, 'name' | 'workspace'>): string {
  return stateMachineNameOf(workflow.name, workflow.workspace);
}

/** A largest memory request/limit among the DAG's jobs, within Lambda's bounds. */
export function functionMemoryMiB(workflow: WorkflowManifest): number {
  const asked = workflow.workflow.dag.map(
    (n) => n.spec.resources?.limits?.memoryMiB ?? n.spec.resources?.requests?.memoryMiB ?? 0,
  );
  const max = Math.max(0, ...asked);
  return max === 0 ? 1024 : Math.min(10_240, Math.max(512, Math.ceil(max)));
}

/** One workflow deployed: its task functions, state machine, schedule and alarm. */
export class WorkflowStack extends Stack {
  public readonly encryptionKey: kms.Key;
  public readonly functions = {} as Record<TaskName, TaskFunction>;
  public readonly stateMachine: WorkflowStateMachine;
  public readonly schedule?: WorkflowSchedule;

  constructor(scope: Construct, id: string, props: WorkflowStackProps) {
    super(scope, id, props);
    const { workflow } = props;
    const name = workflowStateMachineName(workflow);
    this.encryptionKey = new kms.Key(this, 'Key', {
      description: `icefloe workflow ${name}: logs and function environment`,
      enableKeyRotation: true,
      removalPolicy: effectiveRemovalPolicy(this),
    });
    allowLogsToUseKey(this.encryptionKey);
    const home = props.lakehouses?.[0];
    const storage = home?.storage ?? new LakehouseStorage(this, 'Staging', { relativePath: 'icefloe' });
    const network = home?.network ?? new LakehouseNetwork(this, 'Network', { encryptionKey: this.encryptionKey });
    // core/movement keys: staging/<workspace>.<workflow>.<job>/<run>/… and staging/offload/<request id>.json
    const ownStaging = `${storage.stagingPrefix}/${safeSegment(workflow.workspace ?? 'public')}.${safeSegment(workflow.name)}.*`;
    const offload = `${storage.stagingPrefix}/offload/*`;
    for (const task of TASKS) {
      const fn = new TaskFunction(this, `${task}-task`, {
        task,
        vpc: network.vpc,
        securityGroup: network.taskSecurityGroup,
        encryptionKey: this.encryptionKey,
        memoryMiB: functionMemoryMiB(workflow),
        environment: {
          // lambdas/_shared/runtime.ts: staging root s3://$STAGING_BUCKET, manifests in $LAMBDA_TASK_ROOT/manifests
          STAGING_BUCKET: storage.warehouseBucket.bucketName,
          ICEFLOE_WORKFLOW: workflow.name,
          ICEFLOE_WORKSPACE: workflow.workspace ?? 'public',
          // core/aws/secrets-env.ts: the depot secrets whose values become the variables their manifests name
          [SECRET_ARNS_ENV]: this.toJsonString(
            Object.fromEntries((props.secrets ?? []).map((s) => [s.name, s.secret.secretArn])),
          ),
          POWERTOOLS_SERVICE_NAME: name,
        },
        extraFiles: (props.manifestFiles ?? []).map((f) => [f, `manifests/${basename(f)}`] as const),
        code: props.code?.(task),
      });
      this.functions[task] = fn;
      storage.grantStaging(fn.role, [ownStaging, offload], true);
      this.grantData(fn, props);
    }
    const functions: Record<TaskName, lambda.IFunction> = {
      plan: this.functions.plan.function,
      move: this.functions.move.function,
      commit: this.functions.commit.function,
      cleanup: this.functions.cleanup.function,
    };
    this.stateMachine = new WorkflowStateMachine(this, 'Workflow', {
      stateMachineName: name,
      definition: props.definition ?? workflowDefinition(workflow),
      functions,
      stagingBucket: storage.warehouseBucket,
      stagingObjectsArn: `${storage.bucketArnForGrants}/${ownStaging}`,
      stagingKey: storage.encryptionKey,
      logsKey: this.encryptionKey,
    });
    const spec = workflow.workflow.schedule;
    if (spec) {
      this.schedule = new WorkflowSchedule(this, 'Schedule', {
        schedule: spec,
        target: this.stateMachine.stateMachine,
        targetName: name,
        encryptionKey: this.encryptionKey,
      });
    }
    tagWithManifest(this, workflow, 'workflow');
    new CfnOutput(this, 'StateMachineArn', { value: this.stateMachine.stateMachine.stateMachineArn });
  }

  /** The lakehouses' warehouses and Glue databases; the depots' secrets. */
  private grantData(fn: TaskFunction, props: WorkflowStackProps): void {
    for (const lh of props.lakehouses ?? []) {
      lh.storage.grantReadWrite(fn.role);
      grantGlue(fn.role, props.databases?.[lh.lakehouse.name] ?? [], 'rw');
    }
    // Granted on the role only: Secret.grantRead would also edit the other stack's key policy (a stack cycle).
    for (const { secret, key } of props.secrets ?? []) {
      fn.role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
          resources: [secret.secretArn],
        }),
      );
      fn.role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [key.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${this.region}.amazonaws.com` } },
        }),
      );
    }
    justifyWildcards(fn.role, WAREHOUSE_WILDCARDS);
  }
}
