import { Stack, type StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { type AccessSecretSpec, lakehouseSecret } from '../constructs/lakehouse-access';
import { effectiveRemovalPolicy } from '../constructs/lakehouse-storage';

/** Properties of {@link SecretsStack}. */
export interface SecretsStackProps extends StackProps {
  /** Instance-secret manifests that no deployed lakehouse holds (e.g. depot credentials). */
  readonly secrets: AccessSecretSpec[];
}

/**
 * The instance-secrets of depots (Postgres credentials …) as Secrets Manager secrets under their own key.
 * Only the key names reach the template; values are put by the operator (see docs/deploy.md).
 */
export class SecretsStack extends Stack {
  public readonly encryptionKey: kms.Key;
  public readonly secrets = new Map<string, secretsmanager.Secret>();

  constructor(scope: Construct, id: string, props: SecretsStackProps) {
    super(scope, id, props);
    this.encryptionKey = new kms.Key(this, 'Key', {
      description: 'icefloe instance-secrets key',
      enableKeyRotation: true,
      removalPolicy: effectiveRemovalPolicy(this),
    });
    for (const spec of props.secrets) this.secrets.set(spec.name, lakehouseSecret(this, spec, this.encryptionKey));
  }
}
