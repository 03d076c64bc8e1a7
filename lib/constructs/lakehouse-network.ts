import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { allowLogsToUseKey } from '../defaults/logs-key';

/** Properties of {@link LakehouseNetwork}. */
export interface LakehouseNetworkProps {
  /**
   * Availability zones used by the isolated subnets.
   * @default 2
   */
  readonly maxAzs?: number;
  /** Key that encrypts the VPC flow log group. */
  readonly encryptionKey: kms.IKey;
  /**
   * Days the VPC flow log is kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly flowLogRetention?: logs.RetentionDays;
}

/** Interface endpoints the task functions need without a NAT (seed: "use VPC endpoints for secure private access"). */
export const INTERFACE_ENDPOINTS: ReadonlyArray<[string, ec2.InterfaceVpcEndpointAwsService]> = [
  ['Glue', ec2.InterfaceVpcEndpointAwsService.GLUE],
  ['SecretsManager', ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER],
  ['Sts', ec2.InterfaceVpcEndpointAwsService.STS],
  ['Kms', ec2.InterfaceVpcEndpointAwsService.KMS],
  ['StepFunctions', ec2.InterfaceVpcEndpointAwsService.STEP_FUNCTIONS],
  ['Logs', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS],
];

/**
 * A VPC with isolated subnets only (no internet gateway, no NAT), reaching AWS through an S3 gateway endpoint
 * and interface endpoints; every flow is logged to an encrypted log group.
 */
export class LakehouseNetwork extends Construct {
  public readonly vpc: ec2.Vpc;
  /** Security group of the task functions; the endpoints accept HTTPS from it only. */
  public readonly taskSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: LakehouseNetworkProps) {
    super(scope, id);
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: props.maxAzs ?? 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 22 }],
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
      // Nothing uses the default security group; restricting it would add a custom-resource Lambda to every stack.
      restrictDefaultSecurityGroup: false,
    });
    allowLogsToUseKey(props.encryptionKey);
    const flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      encryptionKey: props.encryptionKey,
      retention: props.flowLogRetention ?? logs.RetentionDays.ONE_YEAR,
    });
    this.vpc.addFlowLog('FlowLog', { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup) });
    this.taskSecurityGroup = new ec2.SecurityGroup(this, 'TaskSecurityGroup', {
      vpc: this.vpc,
      description: 'icefloe task functions',
      allowAllOutbound: true,
    });
    const endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'icefloe interface endpoints: HTTPS from the task functions only',
      allowAllOutbound: false,
    });
    endpointSecurityGroup.addIngressRule(this.taskSecurityGroup, ec2.Port.tcp(443), 'HTTPS from task functions');
    for (const [name, service] of INTERFACE_ENDPOINTS) {
      this.vpc.addInterfaceEndpoint(name, {
        service,
        privateDnsEnabled: true,
        subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        securityGroups: [endpointSecurityGroup],
        open: false,
      });
    }
  }
}
