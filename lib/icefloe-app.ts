import { Annotations, type App, type Environment, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Endpoint, LakehouseManifest, ManifestSet, WorkflowManifest } from '../core/manifest/types';
import { type AccessSecretSpec, aclOf } from './constructs/lakehouse-access';
import type { TaskName } from './constructs/task-function';
import { LakehouseStack } from './stacks/lakehouse-stack';
import { SecretsStack } from './stacks/secrets-stack';
import { WorkflowStack } from './stacks/workflow-stack';
import { stackName } from './tags';

/** Options of {@link buildIcefloeApp}. */
export interface IcefloeAppOptions {
  /** Account/region of every stack. @default - environment-agnostic stacks */
  readonly env?: Environment;
  /** Prebuilt task code (tests only). @default - esbuild bundles */
  readonly code?: (task: TaskName) => lambda.Code;
  /** Run the cdk-nag AwsSolutions pack on synth. @default true */
  readonly nag?: boolean;
}

/** What {@link buildIcefloeApp} created, and what it skipped and why. */
export interface IcefloeStacks {
  lakehouses: LakehouseStack[];
  workflows: WorkflowStack[];
  secrets?: SecretsStack;
  skipped: string[];
}

/**
 * One stack per `storage.type: s3` lakehouse, one for the depots' instance-secrets, one per workflow; the
 * AwsSolutions checks of cdk-nag on the whole app. A `file` lakehouse runs locally only and is skipped (noted).
 */
export function buildIcefloeApp(app: App, set: ManifestSet, opts: IcefloeAppOptions = {}): IcefloeStacks {
  const result: IcefloeStacks = { lakehouses: [], workflows: [], skipped: [] };
  // Workflows reference lakehouse/secrets stacks: say explicitly that exports are protected (CDK's default).
  const strength = '@aws-cdk/core:defaultCrossStackReferences';
  if (app.node.children.length === 0 && app.node.tryGetContext(strength) === undefined) {
    app.node.setContext(strength, 'strong');
  }
  const secretsOwned = new Set<string>();
  for (const lh of set.lakehouses) {
    if (lh.lakehouse.storage.type !== 's3' || !lh.lakehouse.storage.s3) {
      const note = `lakehouse ${lh.name}: storage type ${lh.lakehouse.storage.type} runs locally only, not deployed`;
      Annotations.of(app).addInfo(note);
      result.skipped.push(note);
      continue;
    }
    const secrets = lakehouseSecrets(lh, set);
    for (const s of secrets) secretsOwned.add(s.name);
    result.lakehouses.push(
      new LakehouseStack(app, stackName('icefloe-lakehouse', lh.name), {
        env: opts.env,
        lakehouse: lh,
        secrets,
        databases: namespacesOf(lh, set.workflows),
        description: `icefloe lakehouse ${lh.name}${lh.description ? `: ${lh.description}` : ''}`,
      }),
    );
  }
  const rest = set.secrets.filter((s) => !secretsOwned.has(s.name));
  if (rest.length > 0) {
    result.secrets = new SecretsStack(app, 'icefloe-secrets', {
      env: opts.env,
      secrets: rest.map((s) => ({
        name: s.name,
        acl: s['instance-secret'].acl,
        keys: Object.keys(s['instance-secret'].data),
      })),
      description: 'icefloe instance-secrets of depots',
    });
  }
  for (const wf of set.workflows) result.workflows.push(workflowStack(app, wf, set, result, opts));
  if (opts.nag !== false) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return result;
}

function workflowStack(
  app: App,
  wf: WorkflowManifest,
  set: ManifestSet,
  built: IcefloeStacks,
  opts: IcefloeAppOptions,
) {
  const depots = new Set(endpointsOf(wf).map((e) => e.depot));
  const lakehouses = built.lakehouses.filter(
    (s) => depots.has(depotNameOf(s.lakehouse)) || depots.has(s.lakehouse.name),
  );
  const databases = Object.fromEntries(lakehouses.map((s) => [s.lakehouse.name, namespacesOf(s.lakehouse, [wf])]));
  const secretNames = new Set(
    set.depots.filter((d) => depots.has(d.name)).flatMap((d) => d.depot.secrets.map((s) => s.name)),
  );
  const secrets: Array<{ name: string; secret: secretsmanager.ISecret; key: kms.IKey }> = [];
  const secretsStack = built.secrets;
  for (const [name, secret] of secretsStack?.secrets ?? []) {
    if (secretNames.has(name) && secretsStack) secrets.push({ name, secret, key: secretsStack.encryptionKey });
  }
  const manifestFiles = [...new Set([wf, ...set.depots, ...set.lakehouses].map((m) => m.source.file))];
  const stack = new WorkflowStack(app, stackName('icefloe', wf.workspace ?? 'public', wf.name), {
    env: opts.env,
    workflow: wf,
    lakehouses,
    databases,
    secrets,
    manifestFiles,
    code: opts.code,
    description: `icefloe workflow ${wf.workspace ?? 'public'}/${wf.name}${wf.description ? `: ${wf.description}` : ''}`,
  });
  for (const lh of set.lakehouses) {
    if (lh.lakehouse.storage.type === 's3' || !(depots.has(depotNameOf(lh)) || depots.has(lh.name))) continue;
    Annotations.of(stack).addWarningV2(
      'icefloe:localLakehouse',
      `workflow ${wf.name} addresses lakehouse ${lh.name} (storage type ${lh.lakehouse.storage.type}), which is not deployed: its jobs can only run with icefloe run`,
    );
  }
  for (const d of set.depots) {
    if (!d.depot.postgresql?.embedded || !depots.has(d.name)) continue;
    Annotations.of(stack).addWarningV2(
      'icefloe:embeddedDepot',
      `workflow ${wf.name} addresses depot ${d.name}, an embedded PostgreSQL (PGlite), which the task functions do not carry: its jobs can only run with icefloe run`,
    );
  }
  return stack;
}

/** The lakehouse's storage secrets with their acl and key names (from an instance-secret manifest when present). */
function lakehouseSecrets(lh: LakehouseManifest, set: ManifestSet): AccessSecretSpec[] {
  return (lh.lakehouse.storage.s3?.secrets ?? []).map((ref) => {
    const manifest = set.secrets.find((s) => s.name === ref.name);
    return {
      name: ref.name,
      acl: aclOf(ref.name, manifest?.['instance-secret'].acl),
      keys: manifest ? Object.keys(manifest['instance-secret'].data) : (ref.keys ?? []),
    };
  });
}

function depotNameOf(lh: LakehouseManifest): string {
  return lh.lakehouse.storage.depotName || lh.name;
}

function endpointsOf(wf: WorkflowManifest): Endpoint[] {
  return wf.workflow.dag.flatMap((n) => [n.spec.stackSpec.source, n.spec.stackSpec.sink]);
}

/**
 * Iceberg namespaces the workflows address in this lakehouse: the address's collection, else the schema of
 * `source-table`/`dest-table` (`sales.orders` → `sales`). Falls back to the lakehouse name.
 */
export function namespacesOf(lh: LakehouseManifest, workflows: WorkflowManifest[]): string[] {
  const names = new Set<string>();
  for (const e of workflows.flatMap(endpointsOf)) {
    if (e.depot !== depotNameOf(lh) && e.depot !== lh.name) continue;
    const table = e.options.sourceTable ?? e.options.destTable;
    const ns = e.collection ?? (table?.includes('.') ? table.split('.')[0] : undefined);
    if (ns) names.add(ns);
  }
  return names.size > 0 ? [...names].sort() : [lh.name];
}
