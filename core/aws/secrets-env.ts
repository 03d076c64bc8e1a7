/**
 * Depot credentials on AWS: the Secrets Manager secret `icefloe/<name>` holds the instance-secret's keys as JSON
 * (`{"username":"…","password":"…"}`, put by the operator; docs/deploy.md). The manifests bundled with the task
 * functions reference environment variables (`password: ${PGPASSWORD:-}`), which `resolveSecret` reads; so at
 * cold start each secret's values are copied into the variables its manifest names. Values are never logged.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { InvalidInputError } from '../errors';
import type { InstanceSecretManifest } from '../manifest/types';

import { SECRET_ARNS_ENV } from './names';

export { SECRET_ARNS_ENV };

/** `${VAR}`, `${VAR:-default}`, `$VAR` when it is a value's whole text (as resolveSecret interpolates). */
const WHOLE_REF = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}|([A-Za-z_][A-Za-z0-9_]*))$/;

/** key → environment variable, for the data values that are exactly one reference. */
export function envNamesOf(secret: InstanceSecretManifest): Record<string, string> {
  const names: Record<string, string> = {};
  for (const [key, value] of Object.entries(secret['instance-secret'].data)) {
    const m = WHOLE_REF.exec(value.trim());
    if (m) names[key] = (m[1] ?? m[2]) as string;
  }
  return names;
}

/** The variables to set from a secret's JSON value: for each key its manifest maps to a variable. */
export function envFromSecretValue(secret: InstanceSecretManifest, value: string): Record<string, string> {
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw new InvalidInputError(`secret ${secret.name}: the value is not a JSON object of keys`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InvalidInputError(`secret ${secret.name}: the value is not a JSON object of keys`);
  }
  const out: Record<string, string> = {};
  for (const [key, variable] of Object.entries(envNamesOf(secret))) {
    const v = (json as Record<string, unknown>)[key];
    if (typeof v === 'string') out[variable] = v;
  }
  return out;
}

/**
 * Reads every secret of `ICEFLOE_SECRET_ARNS` and sets the variables its manifest references in `env`.
 * Returns the names of the variables set. Without the variable (local runs) it does nothing.
 * @example await loadSecretsIntoEnv(set.secrets); // before resolveSecret is used
 */
export async function loadSecretsIntoEnv(
  manifests: InstanceSecretManifest[],
  env: NodeJS.ProcessEnv = process.env,
  client: SecretsManagerClient = new SecretsManagerClient({}),
): Promise<string[]> {
  const raw = env[SECRET_ARNS_ENV];
  if (!raw) return [];
  const arns = JSON.parse(raw) as Record<string, string>;
  const set: string[] = [];
  for (const [name, arn] of Object.entries(arns)) {
    const manifest = manifests.find((m) => m.name === name);
    if (!manifest) continue;
    const out = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    for (const [variable, value] of Object.entries(envFromSecretValue(manifest, out.SecretString ?? '{}'))) {
      env[variable] = value;
      set.push(variable);
    }
  }
  return set;
}
