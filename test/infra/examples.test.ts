import { join } from 'node:path';
import type { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { loadManifests } from '../../core/manifest';
import { buildIcefloeApp } from '../../lib/icefloe-app';
import { aslProblems, deployedDefinition, INLINE_CODE, nagFindings, testApp } from './synth';

const EXAMPLES = join(__dirname, '..', '..', 'examples');

// The manifests a user starts from, as the manifest loader reads them (what `cdk synth -c manifests=…` does,
// with inline code instead of esbuild bundles).
async function synthExample(folder: string) {
  const { set, problems } = await loadManifests([join(EXAMPLES, folder)]);
  expect(problems).toEqual([]);
  const app = testApp();
  const stacks = buildIcefloeApp(app, set, { code: INLINE_CODE });
  const assembly = app.synth(); // throws on an unacknowledged AwsSolutions finding
  return { app, stacks, assembly };
}

/** asl-validator's complaints about every state machine of every stack (none expected). */
function invalidDefinitions(assembly: ReturnType<App['synth']>): string[] {
  const bad: string[] = [];
  let count = 0;
  for (const stack of assembly.stacks) {
    const resources = (stack.template as { Resources: Record<string, { Type: string; Properties: never }> }).Resources;
    for (const [id, r] of Object.entries(resources)) {
      if (r.Type !== 'AWS::StepFunctions::StateMachine') continue;
      count++;
      const problems = aslProblems(deployedDefinition(r.Properties));
      if (problems) bad.push(`${stack.stackName}/${id}: ${problems}`);
    }
  }
  if (count === 0) bad.push('no state machine synthesized');
  return bad;
}

describe('examples synthesize offline with no unacknowledged finding', () => {
  it('examples/seeds: the two S3 lakehouses (alphaomega, testawslh), depot secrets and the seed workflow', async () => {
    const { app, stacks, assembly } = await synthExample('seeds');
    expect(nagFindings(app)).toEqual([]);
    expect(assembly.stacks.map((s) => s.stackName).sort()).toEqual([
      'icefloe-lakehouse-alphaomega',
      'icefloe-lakehouse-testawslh',
      'icefloe-research-nb-lh-aws-test-01',
      'icefloe-secrets',
    ]);
    const testawslh = stacks.lakehouses.find((s) => s.lakehouse.name === 'testawslh')!;
    const t = Template.fromJSON(assembly.getStackByName(testawslh.stackName).template);
    // storage.secrets of the seed (testawslh-rw, acl rw) → a read-write role scoped to s3://testawslh-warehouse/lakehouse/
    t.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'icefloe/testawslh-rw' });
    t.hasResourceProperties('AWS::Athena::WorkGroup', { Name: 'icefloe-testawslh' });
    t.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: 'sales' } });
    expect(invalidDefinitions(assembly)).toEqual([]);
    const wf = Template.fromJSON(assembly.getStackByName('icefloe-research-nb-lh-aws-test-01').template);
    expect(JSON.stringify(wf.toJSON())).toContain('testawslh-warehouse/lakehouse/*');
  });

  it('examples/quickstart: the local lakehouse is skipped, the workflow stack stands alone', async () => {
    const { app, stacks, assembly } = await synthExample('quickstart');
    expect(nagFindings(app)).toEqual([]);
    expect(invalidDefinitions(assembly)).toEqual([]);
    expect(stacks.lakehouses).toEqual([]);
    expect(stacks.skipped).toEqual([
      expect.stringMatching(/^lakehouse testawslh: storage type file runs locally only/),
    ]);
    expect(stacks.workflows.map((s) => s.stackName)).toEqual(['icefloe-research-nb-lh-aws-test-01']);
  });
});
