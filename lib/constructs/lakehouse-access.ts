import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ARN_REF, acknowledge, arnHead, justifyWildcards, type WildcardJustification } from '../nag';
import { effectiveRemovalPolicy, type LakehouseStorage } from './lakehouse-storage';

/** Access level of a secret: `r` reads the warehouse, `rw` also writes it (seed 003: `alphaomega-r`, `alphaomega-rw`). */
export type Acl = 'r' | 'rw';

/** One secret of the lakehouse and the role it stands for. */
export interface AccessSecretSpec {
  /** Secret name as written in the manifest (`alphaomega-r`). */
  readonly name: string;
  readonly acl: Acl;
  /** Keys the operator fills in (never values: those do not belong in a template). @default [] */
  readonly keys?: string[];
}

/** Properties of {@link LakehouseAccess}. */
export interface LakehouseAccessProps {
  readonly storage: LakehouseStorage;
  /** Glue databases (Iceberg namespaces) the roles may use. */
  readonly databases: string[];
  readonly secrets: AccessSecretSpec[];
  /**
   * Who may assume the roles.
   * @default - principals of this account that are allowed sts:AssumeRole on them
   */
  readonly assumedBy?: iam.IPrincipal;
}

/** `alphaomega-rw` → rw, `alphaomega-r` → r; an explicit acl (instance-secret manifest) wins. */
export function aclOf(secretName: string, explicit?: Acl): Acl {
  return explicit ?? (secretName.endsWith('-rw') ? 'rw' : 'r');
}

/** Name of the Secrets Manager secret for a manifest secret. */
export function secretNameFor(name: string): string {
  return `icefloe/${name}`;
}

/**
 * One IAM role and one Secrets Manager secret per lakehouse secret. The read role can only Get/List under the
 * warehouse prefix and decrypt; the read-write role adds Put/Delete, GenerateDataKey and Glue table updates.
 * The secret carries the role ARN and a generated placeholder; credentials are put by the operator, never synthesized.
 */
export class LakehouseAccess extends Construct {
  public readonly roles = new Map<string, iam.Role>();
  public readonly secrets = new Map<string, secretsmanager.Secret>();

  constructor(scope: Construct, id: string, props: LakehouseAccessProps) {
    super(scope, id);
    for (const spec of props.secrets) {
      const role = new iam.Role(this, `${spec.name}-role`, {
        assumedBy: props.assumedBy ?? new iam.AccountRootPrincipal(),
        description: `icefloe ${spec.acl === 'rw' ? 'read-write' : 'read'} access to the warehouse (secret ${spec.name})`,
      });
      if (spec.acl === 'rw') props.storage.grantReadWrite(role);
      else props.storage.grantRead(role);
      grantGlue(role, props.databases, spec.acl);
      justifyWildcards(role, WAREHOUSE_WILDCARDS);
      this.roles.set(spec.name, role);
      this.secrets.set(spec.name, lakehouseSecret(this, spec, props.storage.encryptionKey, role));
    }
  }
}

/** A secret holding only a template (role ARN, key names) and a generated placeholder. @internal */
export function lakehouseSecret(
  scope: Construct,
  spec: AccessSecretSpec,
  key: kms.IKey,
  role?: iam.IRole,
): secretsmanager.Secret {
  const template: Record<string, unknown> = { keys: (spec.keys ?? []).join(',') };
  if (role) template.roleArn = role.roleArn;
  const secret = new secretsmanager.Secret(scope, `${spec.name}-secret`, {
    secretName: secretNameFor(spec.name),
    description: `icefloe instance-secret ${spec.name} (acl ${spec.acl}); values are put by the operator`,
    encryptionKey: key,
    generateSecretString: {
      secretStringTemplate: Stack.of(scope).toJsonString(template),
      generateStringKey: 'placeholder',
      excludePunctuation: true,
    },
  });
  secret.applyRemovalPolicy(effectiveRemovalPolicy(scope));
  acknowledge(
    secret,
    'AwsSolutions-SMG4',
    'instance-secret values are credentials issued by an external system (depot, access key); that system owns rotation',
  );
  return secret;
}

/** Glue Data Catalog access (the Iceberg catalog), limited to the given databases and their tables. */
export function grantGlue(grantee: iam.IGrantable, databases: string[], acl: Acl): void {
  const stack = Stack.of(grantee.grantPrincipal as unknown as Construct);
  const role = grantee.grantPrincipal;
  const arn = (resource: string, name?: string) => stack.formatArn({ service: 'glue', resource, resourceName: name });
  const resources = [
    arn('catalog'),
    ...databases.map((db) => arn('database', db)),
    ...databases.map((db) => arn('table', `${db}/*`)),
  ];
  const read = ['glue:GetCatalog', 'glue:GetDatabase', 'glue:GetDatabases', 'glue:GetTable', 'glue:GetTables'];
  const write = ['glue:CreateTable', 'glue:UpdateTable', 'glue:DeleteTable'];
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: read, resources }));
  if (acl === 'rw') role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: write, resources }));
}

/**
 * The only wildcards of these roles: objects under the warehouse prefix, tables of the lakehouse's databases,
 * and the KMS action families CDK's key grants use.
 * @internal
 */
export const WAREHOUSE_WILDCARDS: WildcardJustification[] = [
  {
    finding: new RegExp(String.raw`^Resource::${ARN_REF}\/([^*]+\/)?\*$`),
    reason:
      'Iceberg data and metadata files get generated names: access is to every object under the warehouse prefix only',
  },
  {
    finding: new RegExp(String.raw`^Resource::${ARN_REF}\/staging\/[A-Za-z0-9._~=-]+\.\*$`),
    reason: 'staging objects of this one workflow: keys are staging/<workspace>.<workflow>.<job>/<run id>/… per run',
  },
  {
    finding: new RegExp(String.raw`^Resource::${arnHead('glue')}table\/[^/*]+\/\*$`),
    reason: 'tables are created by workflows at run time: access is to the tables of the lakehouse databases only',
  },
  {
    finding: /^Action::kms:(GenerateDataKey|ReEncrypt)\*$/,
    reason:
      'the action family CDK grants for encrypt/decrypt with this one customer-managed key (resource is the key ARN)',
  },
];
