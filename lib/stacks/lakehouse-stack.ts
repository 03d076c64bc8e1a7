import { CfnOutput, type RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type * as athena from 'aws-cdk-lib/aws-athena';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { LakehouseManifest } from '../../core/manifest/types';
import { glueName, IcebergCatalog } from '../constructs/iceberg-catalog';
import { type AccessSecretSpec, aclOf, LakehouseAccess } from '../constructs/lakehouse-access';
import { LakehouseNetwork } from '../constructs/lakehouse-network';
import { LakehouseStorage } from '../constructs/lakehouse-storage';
import { tagWithManifest } from '../tags';

/** Properties of {@link LakehouseStack}. */
export interface LakehouseStackProps extends StackProps {
  /** A lakehouse manifest with `storage.type: s3`. */
  readonly lakehouse: LakehouseManifest;
  /**
   * The secrets of the storage section with their acl (from the instance-secret manifests when present).
   * @default - the storage section's secrets, acl from the `-r`/`-rw` suffix
   */
  readonly secrets?: AccessSecretSpec[];
  /**
   * Iceberg namespaces (Glue databases) to create, e.g. those the workflows address.
   * @default - one database named after the lakehouse
   */
  readonly databases?: string[];
  /**
   * Removal policy of buckets and key; DESTROY needs context `lakehouse:allowDataDestroy=true`.
   * @default RemovalPolicy.RETAIN (DESTROY with the context flag)
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** One lakehouse manifest deployed: storage, network, access roles and secrets, catalog, query engine. */
export class LakehouseStack extends Stack {
  public readonly storage: LakehouseStorage;
  public readonly network: LakehouseNetwork;
  public readonly access: LakehouseAccess;
  public readonly catalog: IcebergCatalog;
  public readonly lakehouse: LakehouseManifest;

  constructor(scope: Construct, id: string, props: LakehouseStackProps) {
    super(scope, id, props);
    const { lakehouse } = props;
    const s3 = lakehouse.lakehouse.storage.s3;
    if (lakehouse.lakehouse.storage.type !== 's3' || !s3) {
      throw new Error(`lakehouse ${lakehouse.name}: only storage type s3 is deployed to AWS`);
    }
    this.lakehouse = lakehouse;
    this.storage = new LakehouseStorage(this, 'Storage', {
      bucketName: s3.bucket,
      relativePath: s3.relativePath,
      removalPolicy: props.removalPolicy,
    });
    this.network = new LakehouseNetwork(this, 'Network', { encryptionKey: this.storage.encryptionKey });
    const databases = (props.databases?.length ? props.databases : [lakehouse.name]).map(glueName);
    const secrets = props.secrets ?? s3.secrets.map((s) => ({ name: s.name, acl: aclOf(s.name), keys: s.keys }));
    this.access = new LakehouseAccess(this, 'Access', { storage: this.storage, databases, secrets });
    const queryEngine = lakehouse.lakehouse.queryEngine?.type;
    this.catalog = new IcebergCatalog(this, 'Catalog', {
      storage: this.storage,
      databases,
      workgroupName: queryEngine === 'themis' || queryEngine === 'athena' ? `icefloe-${lakehouse.name}` : undefined,
    });
    if (this.catalog.workgroup) this.grantQueries(this.catalog.workgroup, secrets);
    tagWithManifest(this, lakehouse, 'lakehouse');
    this.outputs();
  }

  /**
   * Athena writes query results with the caller's credentials, so only the read-write roles (which may write
   * under the warehouse prefix, results included) may run queries in the workgroup; the read roles stay
   * without any s3:PutObject.
   */
  private grantQueries(workgroup: athena.CfnWorkGroup, secrets: AccessSecretSpec[]): void {
    const arn = this.formatArn({ service: 'athena', resource: 'workgroup', resourceName: workgroup.name });
    for (const spec of secrets.filter((s) => s.acl === 'rw')) {
      this.access.roles.get(spec.name)?.addToPolicy(
        new iam.PolicyStatement({
          actions: [
            'athena:StartQueryExecution',
            'athena:GetQueryExecution',
            'athena:GetQueryResults',
            'athena:StopQueryExecution',
            'athena:GetWorkGroup',
          ],
          resources: [arn],
        }),
      );
    }
  }

  private outputs(): void {
    new CfnOutput(this, 'WarehouseBucketName', { value: this.storage.warehouseBucket.bucketName });
    new CfnOutput(this, 'WarehousePrefix', { value: this.storage.prefix });
    for (const [name, role] of this.access.roles) {
      new CfnOutput(this, `Role-${name}`, { value: role.roleArn, description: `role of secret ${name}` });
    }
  }
}
