import { Aws, Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../nag';
import {
  joinPrefix,
  type LakehouseStorageProps,
  QUERY_RESULTS_FOLDER,
  STAGING_FOLDER,
} from './lakehouse-storage-props';

/** The context flag without which DESTROY is downgraded to RETAIN. */
export const ALLOW_DATA_DESTROY = 'lakehouse:allowDataDestroy';

/**
 * The removal policy actually applied: RETAIN, unless the context flag `lakehouse:allowDataDestroy` is `true`
 * and nobody asked for RETAIN explicitly (DSF's `Context.revertRemovalPolicy`: data is not lost by a typo).
 * @internal
 */
export function effectiveRemovalPolicy(scope: Construct, wanted?: RemovalPolicy): RemovalPolicy {
  const flag = scope.node.tryGetContext(ALLOW_DATA_DESTROY);
  const allowed = flag === true || flag === 'true';
  return allowed && wanted !== RemovalPolicy.RETAIN ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
}

/**
 * The warehouse of a lakehouse: a versioned, KMS-encrypted, TLS-only, private S3 bucket with server access
 * logs, whose lifecycle cleans staging and old versions but never touches live table files.
 *
 * @example
 * const storage = new LakehouseStorage(this, 'Storage', { relativePath: 'test' });
 * storage.grantRead(role); // GetObject/ListBucket/kms:Decrypt under s3://bucket/test/ only
 */
export class LakehouseStorage extends Construct {
  public readonly encryptionKey: kms.IKey;
  public readonly warehouseBucket: s3.Bucket;
  public readonly accessLogsBucket: s3.Bucket;
  /** The warehouse prefix ('' for the bucket root). */
  public readonly prefix: string;
  /** Where plan/move write chunk pointers and staged results, relative to the bucket root (expires). */
  public readonly stagingPrefix: string;
  /** Where Athena writes query results (expires). */
  public readonly queryResultsPrefix: string;
  /**
   * The bucket ARN used in grants: a literal `arn:<partition>:s3:::<name>` when the manifest names the bucket, so
   * policies in other stacks (workflows) need no export and read the same in every template.
   */
  public readonly bucketArnForGrants: string;

  constructor(scope: Construct, id: string, props: LakehouseStorageProps = {}) {
    super(scope, id);
    const removalPolicy = effectiveRemovalPolicy(this, props.removalPolicy);
    this.prefix = joinPrefix(props.relativePath ?? '');
    this.stagingPrefix = STAGING_FOLDER;
    this.queryResultsPrefix = joinPrefix(this.prefix, QUERY_RESULTS_FOLDER);
    this.encryptionKey =
      props.encryptionKey ??
      new kms.Key(this, 'Key', {
        description: `icefloe lakehouse key (${this.node.path})`,
        enableKeyRotation: true,
        removalPolicy,
      });
    this.accessLogsBucket = this.createAccessLogsBucket(removalPolicy);
    this.warehouseBucket = new s3.Bucket(this, 'Warehouse', {
      bucketName: props.bucketName,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.encryptionKey,
      bucketKeyEnabled: true,
      versioned: true,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'warehouse/',
      lifecycleRules: this.lifecycleRules(props),
      removalPolicy,
    });
    this.bucketArnForGrants =
      props.bucketName && !Token.isUnresolved(props.bucketName)
        ? `arn:${Aws.PARTITION}:s3:::${props.bucketName}`
        : this.warehouseBucket.bucketArn;
  }

  /** Access logs land in their own bucket (SSE-S3: the S3 log delivery service cannot use a KMS key). */
  private createAccessLogsBucket(removalPolicy: RemovalPolicy): s3.Bucket {
    const bucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      versioned: true,
      lifecycleRules: [
        { id: 'expire-access-logs', expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy,
    });
    acknowledge(
      bucket,
      'AwsSolutions-S1',
      'this is the server-access-log bucket itself; logging it into itself would loop, and into another bucket would need a third one',
    );
    return bucket;
  }

  /** Lifecycle (STYLE 11): incomplete uploads, staging, noncurrent versions. No rule expires current objects of tables. */
  private lifecycleRules(props: LakehouseStorageProps): s3.LifecycleRule[] {
    const warehouse = this.prefix === '' ? undefined : `${this.prefix}/`;
    return [
      {
        id: 'abort-incomplete-multipart-uploads',
        prefix: warehouse,
        abortIncompleteMultipartUploadAfter: Duration.days(props.abortIncompleteUploadDays ?? 1),
      },
      {
        id: 'expire-staging',
        prefix: `${this.stagingPrefix}/`,
        expiration: Duration.days(props.stagingExpirationDays ?? 7),
        noncurrentVersionExpiration: Duration.days(1),
      },
      {
        id: 'expire-query-results',
        prefix: `${this.queryResultsPrefix}/`,
        expiration: Duration.days(props.stagingExpirationDays ?? 7),
        noncurrentVersionExpiration: Duration.days(1),
      },
      {
        id: 'noncurrent-versions',
        prefix: warehouse,
        noncurrentVersionTransitions: [
          {
            storageClass: s3.StorageClass.INFREQUENT_ACCESS,
            transitionAfter: Duration.days(props.noncurrentTransitionDays ?? 30),
          },
        ],
        noncurrentVersionExpiration: Duration.days(props.noncurrentExpirationDays ?? 90),
        expiredObjectDeleteMarker: true,
      },
    ];
  }

  /** ARN pattern of every object under the warehouse prefix. */
  public objectsArn(subPrefix = ''): string {
    const p = joinPrefix(this.prefix, subPrefix);
    return `${this.bucketArnForGrants}/${p === '' ? '*' : `${p}/*`}`;
  }

  /** Read access to the warehouse prefix: GetObject, ListBucket limited by `s3:prefix`, kms:Decrypt. */
  public grantRead(grantee: iam.IGrantable, subPrefix = ''): void {
    const p = joinPrefix(this.prefix, subPrefix);
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: [this.objectsArn(subPrefix)],
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket', 's3:GetBucketLocation'],
        resources: [this.bucketArnForGrants],
        conditions: p === '' ? undefined : { StringLike: { 's3:prefix': [p, `${p}/*`] } },
      }),
    );
    this.encryptionKey.grantDecrypt(grantee);
  }

  /**
   * Access to staging objects matching `patterns` (relative to the bucket root, e.g. `staging/research.wf.*`):
   * Get (and Put/Delete when `write`), listing limited to the same patterns, the key.
   */
  public grantStaging(grantee: iam.IGrantable, patterns: string[], write: boolean): void {
    const resources = patterns.map((p) => `${this.bucketArnForGrants}/${p}`);
    const actions = write
      ? ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload']
      : ['s3:GetObject'];
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources }));
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [this.bucketArnForGrants],
        conditions: { StringLike: { 's3:prefix': patterns } },
      }),
    );
    if (write) this.encryptionKey.grantEncryptDecrypt(grantee);
    else this.encryptionKey.grantDecrypt(grantee);
  }

  /** Read-write access to the warehouse prefix: read plus Put/Delete/AbortMultipartUpload and kms:GenerateDataKey. */
  public grantReadWrite(grantee: iam.IGrantable, subPrefix = ''): void {
    this.grantRead(grantee, subPrefix);
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
        resources: [this.objectsArn(subPrefix)],
      }),
    );
    this.encryptionKey.grantEncryptDecrypt(grantee);
  }
}
