/**
 * The CDK app (`cdk.json`: `npx tsx bin/app.ts`): the manifests folder given by context `manifests`
 * (default `examples/quickstart`) → one stack per S3 lakehouse, one for depot secrets, one per workflow,
 * checked by cdk-nag's AwsSolutions pack. Synthesizes offline: no lookups, bundling with the local esbuild.
 *
 *   npx cdk synth -c manifests=examples/seeds
 *   npx cdk deploy --all -c manifests=examples/seeds -c lakehouse:allowDataDestroy=true
 */
import { App } from 'aws-cdk-lib';
import { formatProblem, loadManifests } from '../core/manifest';
import { buildIcefloeApp } from '../lib/icefloe-app';

async function main(): Promise<number> {
  const app = new App();
  const dir = String(app.node.tryGetContext('manifests') ?? 'examples/quickstart');
  const { set, problems } = await loadManifests([dir]);
  if (problems.length > 0) {
    for (const p of problems) process.stderr.write(`${formatProblem(p)}\n`);
    return 2;
  }
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const region = process.env.CDK_DEFAULT_REGION;
  const built = buildIcefloeApp(app, set, { env: account && region ? { account, region } : undefined });
  for (const note of built.skipped) process.stderr.write(`info: ${note}\n`);
  app.synth();
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
