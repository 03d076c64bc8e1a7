import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { ManifestSet } from '../../core/manifest/types';
import { buildIcefloeApp, type IcefloeStacks } from '../../lib/icefloe-app';

// asl-validator has no type declarations.
const aslValidator = require('asl-validator') as (def: unknown) => {
  isValid: boolean;
  errorsText: (sep?: string) => string;
};

const outdirs: string[] = [];
// Each test file removes the cloud assemblies its apps wrote (an App without outdir leaves a cdk.out* in /tmp).
if (typeof afterAll === 'function')
  afterAll(() => {
    for (const d of outdirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

/** A CDK app writing its assembly to a temporary folder that is removed after the test file. */
export function testApp(props: AppProps = {}): App {
  const outdir = mkdtempSync(join(tmpdir(), 'icefloe-cdk-'));
  outdirs.push(outdir);
  return new App({ ...props, outdir });
}

/** A manifest set from a list of manifests. */
export function setOf(...manifests: ManifestSet['manifests']): ManifestSet {
  return {
    manifests,
    lakehouses: manifests.filter((m) => m.type === 'lakehouse'),
    depots: manifests.filter((m) => m.type === 'depot'),
    secrets: manifests.filter((m) => m.type === 'instance-secret'),
    workflows: manifests.filter((m) => m.type === 'workflow'),
  } as ManifestSet;
}

/** Inline code instead of esbuild bundles: these tests assert everything but the bundle (see bundling.test.ts). */
export const INLINE_CODE = () => lambda.Code.fromInline('exports.handler = async () => ({});');

/** Builds and synthesizes the app with the AwsSolutions checks on (synth throws on an unacknowledged finding). */
export function synthApp(set: ManifestSet, context: Record<string, unknown> = {}) {
  const app = testApp({ context });
  const stacks = buildIcefloeApp(app, set, { code: INLINE_CODE });
  const assembly = app.synth();
  const template = (s: { stackName: string }) => Template.fromJSON(assembly.getStackByName(s.stackName).template);
  return { app, stacks, assembly, template };
}

/** The unacknowledged AwsSolutions findings of an app (ids and construct paths). */
export function nagFindings(app: App): string[] {
  const report = new AwsSolutionsChecks().validateScope(app);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`));
}

/** Every acknowledgement in the tree: [construct path, id, reason]. */
export function acknowledgements(app: App): Array<[string, string, string]> {
  const out: Array<[string, string, string]> = [];
  for (const c of app.node.findAll()) {
    for (const m of c.node.metadata) {
      if (m.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [key, reason] of Object.entries(m.data as Record<string, string>)) {
        out.push([c.node.path, key.replace(/^annotation::/i, ''), reason]); // aws-cdk-lib >= 2.262.1 prefixes ids
      }
    }
  }
  return out;
}

const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'eu-west-1',
  'AWS::AccountId': '123456789012',
  'AWS::URLSuffix': 'amazonaws.com',
};

/**
 * The deployed definition as Step Functions will see it: `DefinitionString` with its `DefinitionSubstitutions`
 * applied, references replaced by fake ARNs/names (resolved by CloudFormation at deploy time).
 */
export function deployedDefinition(props: {
  DefinitionString: unknown;
  DefinitionSubstitutions?: Record<string, unknown>;
}): unknown {
  const fake = (v: unknown): string => {
    if (typeof v === 'string') return v;
    const getAtt = (v as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
    if (getAtt) return `arn:aws:lambda:eu-west-1:123456789012:function:${getAtt[0]}`;
    const ref = (v as { Ref?: string }).Ref;
    return PSEUDO[ref ?? ''] ?? 'staging-bucket';
  };
  const raw = props.DefinitionString;
  const text =
    typeof raw === 'string' ? raw : (raw as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1].map(fake).join('');
  const subs = props.DefinitionSubstitutions ?? {};
  return JSON.parse(
    text.replace(/\$\{([A-Za-z0-9]+)\}/g, (whole, name: string) => (name in subs ? fake(subs[name]) : whole)),
  );
}

/** asl-validator's verdict on a definition. */
export function aslProblems(definition: unknown): string | undefined {
  const r = aslValidator(definition);
  return r.isValid ? undefined : r.errorsText('\n');
}

export type { IcefloeStacks };
