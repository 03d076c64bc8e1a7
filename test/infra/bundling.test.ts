import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { TaskFunction } from '../../lib/constructs/task-function';

// The one test of the real NodejsFunction: esbuild runs locally (no Docker, no network) on lambdas/move/handler.ts.
// Measured: esbuild itself ~0.5-3.6 s, the whole test 20 s on the shared 2-core machine under load (asset
// staging and hashing of a 1.7 MB bundle + 3 MB map + 5 MB wasm); the other infra tests use inline code.
// bundled-handlers.test.ts runs bundles built with the same settings (esbuild's API) through a whole workflow.
describe('task function bundling (NodejsFunction with the local esbuild)', () => {
  const out = mkdtempSync(join(tmpdir(), 'icefloe-bundle-'));
  const manifest = join(out, 'workflow.yaml');
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('bundles the move handler with the parquet-wasm binary and the manifests beside it', () => {
    writeFileSync(manifest, 'name: wf\n');
    const app = new App({ outdir: join(out, 'cdk.out') });
    const stack = new Stack(app, 'Bundle');
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      natGateways: 0,
      subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
    new TaskFunction(stack, 'Move', {
      task: 'move',
      vpc,
      securityGroup: new ec2.SecurityGroup(stack, 'Sg', { vpc }),
      encryptionKey: new kms.Key(stack, 'Key'),
      extraFiles: [[manifest, 'manifests/workflow.yaml']],
    });
    const assembly = app.synth();
    const template = Template.fromJSON(assembly.getStackByName('Bundle').template);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Architectures: ['arm64'],
    });
    const assets = readdirSync(assembly.directory).filter((d) => d.startsWith('asset.'));
    expect(assets).toHaveLength(1);
    const dir = join(assembly.directory, assets[0] as string);
    expect(existsSync(join(dir, 'index.js'))).toBe(true);
    expect(existsSync(join(dir, 'parquet_wasm_bg.wasm'))).toBe(true);
    expect(existsSync(join(dir, 'manifests', 'workflow.yaml'))).toBe(true);
    // The bundle loads on its own (no node_modules beside it) and exports the handler.
    const mod = require(join(dir, 'index.js')) as { handler?: unknown };
    expect(typeof mod.handler).toBe('function');
    // PGlite is not in it (its stand-in is); the map has mappings without copies of the sources, and is used.
    const code = readFileSync(join(dir, 'index.js'), 'utf8');
    expect(code).not.toContain('pglite.wasm');
    expect(code).toContain('the embedded database runs only with');
    const map = JSON.parse(readFileSync(join(dir, 'index.js.map'), 'utf8')) as { sourcesContent?: unknown };
    expect(map.sourcesContent).toBeUndefined();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ NODE_OPTIONS: '--enable-source-maps' }) },
    });
  });
});
