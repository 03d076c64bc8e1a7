import { Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { buildIcefloeApp } from '../../lib/icefloe-app';
import { acknowledge, justifyWildcards } from '../../lib/nag';
import { alphaomega, instanceSecret, localLakehouse, ordersWorkflow, postgresDepot } from './manifests';
import { acknowledgements, INLINE_CODE, nagFindings, setOf, synthApp, testApp } from './synth';

const seedSet = setOf(
  alphaomega(),
  instanceSecret('alphaomega-r', 'r', ['accesskeyid']),
  instanceSecret('alphaomega-rw', 'rw', ['accesskeyid']),
  postgresDepot(),
  instanceSecret('postgres-depot-rw', 'rw', ['username', 'password']),
  ordersWorkflow({ cron: '0 2 * * *', concurrencyPolicy: 'Replace' }),
);

describe('cdk-nag AwsSolutions', () => {
  const seed = synthApp(seedSet); // throws "Validation failed" on a finding

  it('reports no unacknowledged finding for the seed lakehouse, depot secrets and a scheduled workflow', () => {
    expect(nagFindings(seed.app)).toEqual([]);
  });

  it('reports none for a local (file) lakehouse: skipped, the workflow brings its own network and staging', () => {
    const local = localLakehouse();
    const wf = ordersWorkflow();
    wf.workflow.dag[0]!.spec.stackSpec.source = {
      address: 'dataos://testawslh',
      depot: 'testawslh',
      options: { sourceTable: 'sales.orders' },
    };
    const { app, stacks, template } = synthApp(setOf(local, postgresDepot(), wf));
    expect(nagFindings(app)).toEqual([]);
    expect(stacks.lakehouses).toEqual([]);
    expect(stacks.skipped).toEqual(['lakehouse testawslh: storage type file runs locally only, not deployed']);
    const t = template(stacks.workflows[0]!);
    t.resourceCountIs('AWS::EC2::VPC', 1);
    t.resourceCountIs('AWS::EC2::NatGateway', 0);
    t.hasResourceProperties('AWS::S3::Bucket', { VersioningConfiguration: { Status: 'Enabled' } });
  });

  it('warns at synth that a workflow addressing an embedded (PGlite) depot runs only locally', () => {
    const depot = postgresDepot();
    depot.depot.postgresql = { ...depot.depot.postgresql!, embedded: { path: '.icefloe/pg' } };
    const { stacks } = synthApp(setOf(alphaomega(), depot, ordersWorkflow()));
    Annotations.fromStack(stacks.workflows[0]!).hasWarning(
      '*',
      Match.stringLikeRegexp('addresses depot postgres_depot, an embedded PostgreSQL.*only run with icefloe run'),
    );
    const plain = synthApp(setOf(alphaomega(), postgresDepot(), ordersWorkflow()));
    Annotations.fromStack(plain.stacks.workflows[0]!).hasNoWarning('*', Match.stringLikeRegexp('embedded PostgreSQL'));
  });

  it('acknowledges each finding by exact id with a specific reason', () => {
    const acks = acknowledgements(seed.app).filter(([, id]) => id.startsWith('AwsSolutions'));
    expect(acks.length).toBeGreaterThan(0);
    for (const [path, id, reason] of acks) {
      expect(`${path} ${id}`).toMatch(/ AwsSolutions-(IAM5\[(Resource|Action)::.+\]|L1|S1|SMG4)$/);
      expect(reason.length).toBeGreaterThan(40);
    }
    // Wildcards are acknowledged one by one; "Resource::*" only where the service has no resource-level permissions.
    const star = acks.filter(([, id]) => id === 'AwsSolutions-IAM5[Resource::*]').map(([path]) => path);
    for (const path of star) expect(path).toMatch(/(task\/Role|Workflow\/Role|Schedule\/Guard)$/);
  });

  it('fails synthesis on a finding nobody acknowledged', () => {
    const app = testApp();
    buildIcefloeApp(app, setOf(alphaomega()), { code: INLINE_CODE });
    new s3.Bucket(new Stack(app, 'Extra'), 'Unlogged');
    expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
  });

  it('acknowledges only the wildcards a justification matches; any other stays a finding', () => {
    const app = testApp();
    const stack = new Stack(app, 'Wild');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const bucket = new s3.Bucket(stack, 'B', { enforceSSL: true });
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects('prefix/*')] }),
    );
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:Get*'], resources: [bucket.bucketArn] }));
    justifyWildcards(role, [
      { finding: /^Resource::<B[0-9A-F]+\.Arn>\/prefix\/\*$/, reason: 'objects under one prefix of one bucket' },
    ]);
    app.synth();
    const iam5 = nagFindings(app).filter((f) => f.startsWith('AwsSolutions-IAM5'));
    expect(iam5).toEqual(['AwsSolutions-IAM5[Action::s3:Get*] Wild/Role/DefaultPolicy/Resource']);
  });

  it('refuses an acknowledgement without a reason', () => {
    const stack = new Stack(testApp(), 'S');
    expect(() => acknowledge(stack, 'AwsSolutions-S1', 'ok')).toThrow(
      'acknowledgement of AwsSolutions-S1 needs a specific reason',
    );
  });
});

describe('removal policy', () => {
  it('retains buckets and keys by default', () => {
    const { stacks, template } = synthApp(setOf(alphaomega()));
    template(stacks.lakehouses[0]!).hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
    template(stacks.lakehouses[0]!).hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
  });

  it('destroys them only with context lakehouse:allowDataDestroy=true', () => {
    const { stacks, template } = synthApp(setOf(alphaomega()), { 'lakehouse:allowDataDestroy': 'true' });
    const t = template(stacks.lakehouses[0]!);
    t.hasResource('AWS::S3::Bucket', { Properties: { BucketName: 'dataos-lakehouse' }, DeletionPolicy: 'Delete' });
    t.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  });
});
