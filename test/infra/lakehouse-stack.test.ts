import { Match, type Template } from 'aws-cdk-lib/assertions';
import { alphaomega, instanceSecret, ordersWorkflow, postgresDepot } from './manifests';
import { setOf, synthApp } from './synth';

// One synthesis for the file (the AwsSolutions checks run in it: it throws on an unacknowledged finding).
const built = synthApp(
  setOf(
    alphaomega(),
    instanceSecret('alphaomega-r', 'r', ['accesskeyid', 'secretkey']),
    instanceSecret('alphaomega-rw', 'rw', ['accesskeyid', 'secretkey']),
    postgresDepot(),
    instanceSecret('postgres-depot-rw', 'rw', ['username', 'password']),
    ordersWorkflow(),
  ),
);
const stack = built.stacks.lakehouses[0]!;
const t: Template = built.template(stack);
const keyId = () => t.getResourceId('AWS::KMS::Key');

function warehouse() {
  const buckets = t.findResources('AWS::S3::Bucket', { Properties: { BucketName: 'dataos-lakehouse' } });
  const [id, bucket] = Object.entries(buckets)[0] as [string, { Properties: Record<string, unknown> }];
  return { id, props: bucket.Properties };
}

function policyOfRole(rolePathPart: string): Array<{ Action: string | string[]; Resource: unknown; Effect: string }> {
  const policies = t.findResources('AWS::IAM::Policy');
  const match = Object.entries(policies).find(([id]) => id.startsWith(rolePathPart));
  if (!match) throw new Error(`no policy for ${rolePathPart}`);
  return (match[1] as { Properties: { PolicyDocument: { Statement: never[] } } }).Properties.PolicyDocument.Statement;
}

const actionsOf = (statements: Array<{ Action: string | string[] }>) => statements.flatMap((s) => [s.Action].flat());

describe('lakehouse stack (seed 003 alphaomega)', () => {
  it('is named from the manifest and tagged with its tags, owner and layer', () => {
    expect(stack.stackName).toBe('icefloe-lakehouse-alphaomega');
    expect(stack.tags.tagValues()).toMatchObject({
      'icefloe:name': 'alphaomega',
      'icefloe:tags': 'Iceberg Azure',
      'icefloe:owner': 'iamgroot',
      'icefloe:layer': 'user',
    });
  });

  it('encrypts the warehouse with the customer-managed key (rotation on) and a bucket key', () => {
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    expect(warehouse().props.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [
        {
          BucketKeyEnabled: true,
          ServerSideEncryptionByDefault: {
            SSEAlgorithm: 'aws:kms',
            KMSMasterKeyID: { 'Fn::GetAtt': [keyId(), 'Arn'] },
          },
        },
      ],
    });
  });

  it('versions the bucket, blocks all public access and logs access to the log bucket', () => {
    const p = warehouse().props;
    expect(p.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(p.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(p.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: expect.stringMatching(/AccessLogs/) },
      LogFilePrefix: 'warehouse/',
    });
  });

  it('denies every request without TLS (aws:SecureTransport false → Deny)', () => {
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: warehouse().id },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('has lifecycle rules for uploads, staging and noncurrent versions, and none expiring live table files', () => {
    const rules = (warehouse().props.LifecycleConfiguration as { Rules: Array<Record<string, unknown>> }).Rules;
    const byId = Object.fromEntries(rules.map((r) => [r.Id, r]));
    expect(byId['abort-incomplete-multipart-uploads']).toMatchObject({
      Prefix: 'test/',
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
    });
    expect(byId['expire-staging']).toMatchObject({ Prefix: 'staging/', ExpirationInDays: 7 });
    expect(byId['noncurrent-versions']).toMatchObject({
      Prefix: 'test/',
      NoncurrentVersionExpiration: { NoncurrentDays: 90 },
      NoncurrentVersionTransitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 30 }],
    });
    // Only the staging and query-result folders expire current objects; tables expire by snapshot expiry only.
    const expiring = rules.filter((r) => r.ExpirationInDays !== undefined || r.ExpirationDate !== undefined);
    expect(expiring.map((r) => r.Prefix).sort()).toEqual(['staging/', 'test/_icefloe/query-results/']);
  });

  it('keeps buckets and key on stack deletion', () => {
    t.hasResource('AWS::S3::Bucket', { Properties: { BucketName: 'dataos-lakehouse' }, DeletionPolicy: 'Retain' });
    t.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
  });

  it('runs in a VPC of isolated subnets without NAT, with the S3 gateway and interface endpoints', () => {
    t.resourceCountIs('AWS::EC2::NatGateway', 0);
    t.resourceCountIs('AWS::EC2::InternetGateway', 0);
    t.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('\\.s3$')])] },
    });
    const services = Object.values(
      t.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } }),
    )
      .map((e) => JSON.stringify((e as { Properties: { ServiceName: unknown } }).Properties.ServiceName))
      .map((s) => /\.([a-z]+)"/.exec(s.replace(/"\]\]\}$/, '"'))?.[1] ?? s);
    expect(services.sort()).toEqual(['glue', 'kms', 'logs', 'secretsmanager', 'states', 'sts']);
    t.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface', PrivateDnsEnabled: true });
    t.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL' });
  });

  it('gives the read role Get/List/Decrypt and Glue reads, and no Put or Delete', () => {
    const actions = actionsOf(policyOfRole('Accessalphaomegarrole'));
    expect(actions).toEqual(expect.arrayContaining(['s3:GetObject', 's3:ListBucket', 'kms:Decrypt', 'glue:GetTable']));
    expect(actions).not.toContain('s3:PutObject');
    expect(actions).not.toContain('s3:DeleteObject');
    expect(actions.filter((a) => /^glue:(Create|Update|Delete)/.test(a))).toEqual([]);
    expect(actions.filter((a) => /^kms:(GenerateDataKey|Encrypt)/.test(a))).toEqual([]);
    expect(actions.filter((a) => a.startsWith('athena:'))).toEqual([]); // Athena writes results as the caller
  });

  it('gives the read-write role Put/Delete, GenerateDataKey and Glue table updates', () => {
    const actions = actionsOf(policyOfRole('Accessalphaomegarwrole'));
    expect(actions).toEqual(
      expect.arrayContaining([
        's3:PutObject',
        's3:DeleteObject',
        'kms:GenerateDataKey*',
        'glue:UpdateTable',
        'glue:CreateTable',
      ]),
    );
  });

  it('scopes both roles to the warehouse prefix (objects test/*, listing with s3:prefix test)', () => {
    for (const role of ['Accessalphaomegarrole', 'Accessalphaomegarwrole']) {
      const statements = policyOfRole(role);
      const s3Resources = statements
        .filter((s) => actionsOf([s]).some((a) => a.startsWith('s3:')))
        .flatMap((s) => [s.Resource].flat())
        .map((r) => JSON.stringify(r));
      for (const r of s3Resources) expect(r).toMatch(/dataos-lakehouse(\/test\/\*)?"\]\]\}$/);
      const list = statements.find((s) => actionsOf([s]).includes('s3:ListBucket')) as unknown as {
        Condition: unknown;
      };
      expect(list.Condition).toEqual({ StringLike: { 's3:prefix': ['test', 'test/*'] } });
    }
  });

  it('creates a secret per instance-secret without any value in the template', () => {
    const secrets = Object.values(t.findResources('AWS::SecretsManager::Secret')) as Array<{
      Properties: Record<string, unknown>;
    }>;
    expect(secrets.map((s) => s.Properties.Name).sort()).toEqual(['icefloe/alphaomega-r', 'icefloe/alphaomega-rw']);
    for (const s of secrets) {
      expect(s.Properties.SecretString).toBeUndefined();
      expect(s.Properties.GenerateSecretString).toMatchObject({ GenerateStringKey: 'placeholder' });
      expect(s.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [keyId(), 'Arn'] });
    }
    const all = JSON.stringify(built.assembly.stacks.map((s) => s.template));
    expect(all).not.toContain('ACCESSKEYID');
  });

  it('registers the Glue databases the workflows address and an encrypted Athena workgroup for themis', () => {
    const bucketRef = { Ref: warehouse().id };
    t.hasResourceProperties('AWS::Glue::Database', {
      DatabaseInput: Match.objectLike({
        Name: 'sales',
        LocationUri: { 'Fn::Join': ['', ['s3://', bucketRef, '/test/sales']] },
      }),
    });
    t.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'icefloe-alphaomega',
      WorkGroupConfiguration: Match.objectLike({
        EnforceWorkGroupConfiguration: true,
        ResultConfiguration: {
          OutputLocation: { 'Fn::Join': ['', ['s3://', bucketRef, '/test/_icefloe/query-results/']] },
          EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: { 'Fn::GetAtt': [keyId(), 'Arn'] } },
        },
      }),
    });
  });
});
