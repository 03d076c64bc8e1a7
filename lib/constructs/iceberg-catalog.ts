import { Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import { Construct } from 'constructs';
import type { LakehouseStorage } from './lakehouse-storage';
import { joinPrefix } from './lakehouse-storage-props';

/** Properties of {@link IcebergCatalog}. */
export interface IcebergCatalogProps {
  readonly storage: LakehouseStorage;
  /** Glue databases to create (Iceberg namespaces); names are normalized with {@link glueName}. */
  readonly databases: string[];
  /**
   * Name of an Athena workgroup to create as the query engine (`queryEngine: themis`).
   * @default - no workgroup
   */
  readonly workgroupName?: string;
}

/** Glue names are lower case letters, digits and underscores (Athena rejects hyphens in database names). */
export function glueName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_]/g, '_');
}

/**
 * The Iceberg catalog of a lakehouse in the AWS Glue Data Catalog (reached through the Glue SDK or its Iceberg
 * REST endpoint), one database per namespace located under the warehouse prefix, and optionally an Athena
 * workgroup whose results are KMS-encrypted with the lakehouse key and whose settings clients cannot override.
 */
export class IcebergCatalog extends Construct {
  public readonly databases: glue.CfnDatabase[] = [];
  public readonly workgroup?: athena.CfnWorkGroup;

  constructor(scope: Construct, id: string, props: IcebergCatalogProps) {
    super(scope, id);
    const bucket = props.storage.warehouseBucket.bucketName;
    for (const name of props.databases.map(glueName)) {
      this.databases.push(
        new glue.CfnDatabase(this, `Db-${name}`, {
          catalogId: Stack.of(this).account,
          databaseInput: {
            name,
            description: `icefloe Iceberg namespace ${name}`,
            locationUri: `s3://${bucket}/${joinPrefix(props.storage.prefix, name)}`,
          },
        }),
      );
    }
    if (props.workgroupName) this.workgroup = this.createWorkgroup(props.workgroupName, props.storage);
  }

  private createWorkgroup(name: string, storage: LakehouseStorage): athena.CfnWorkGroup {
    return new athena.CfnWorkGroup(this, 'Workgroup', {
      name,
      description: 'icefloe query engine (themis) over the lakehouse',
      state: 'ENABLED',
      recursiveDeleteOption: false,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${storage.warehouseBucket.bucketName}/${storage.queryResultsPrefix}/`,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: storage.encryptionKey.keyArn },
        },
      },
    });
  }
}
