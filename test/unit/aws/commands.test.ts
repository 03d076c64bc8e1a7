import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../../cli/main';
import { cdkArgs, cdkBinary } from '../../../core/aws/deploy';
import { resolveTarget } from '../../../core/aws/target';

function capture() {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d) => {
    stdout += d;
  });
  err.on('data', (d) => {
    stderr += d;
  });
  return { io: { stdout: out, stderr: err, isTTY: false }, text: () => ({ stdout, stderr }) };
}

describe('icefloe deploy', () => {
  it('runs the pinned CDK CLI on all stacks with the manifests as context', () => {
    expect(cdkArgs({ manifests: 'examples/seeds' })).toEqual([
      'deploy',
      '--all',
      '-c',
      `manifests=${resolve('examples/seeds')}`,
    ]);
    expect(cdkArgs({ action: 'deploy', allowDataDestroy: true, yes: true }).slice(3)).toEqual([
      `manifests=${resolve('examples/quickstart')}`,
      '-c',
      'lakehouse:allowDataDestroy=true',
      '--require-approval',
      'never',
    ]);
    expect(cdkArgs({ action: 'synth' })).toEqual([
      'synth',
      '-c',
      `manifests=${resolve('examples/quickstart')}`,
      '--quiet',
    ]);
    expect(cdkArgs({ action: 'diff', yes: true })).toEqual([
      'diff',
      '-c',
      `manifests=${resolve('examples/quickstart')}`,
    ]);
    expect(cdkBinary()).toMatch(/node_modules\/\.bin\/cdk$/);
  });

  it('stops at invalid manifests with exit 2 before running the CDK', async () => {
    const c = capture();
    expect(await main(['deploy', '--manifests', '/nonexistent/manifests'], c.io)).toBe(2);
    expect(c.text().stderr).toMatch(/\/nonexistent\/manifests:1:1: no such file or folder/);
  });
});

describe('icefloe start / status arguments', () => {
  it('takes a workflow manifest file for its name and workspace', async () => {
    const file = join(__dirname, '..', '..', '..', 'examples', 'seeds', 'aws-lakehouse-workflow.yaml');
    expect(await resolveTarget(file)).toEqual({ workflow: 'nb-lh-aws-test-01', workspace: 'research' });
    expect(await resolveTarget(file, { workspace: 'other' })).toMatchObject({ workspace: 'other' });
    expect(await resolveTarget('nb-lh-aws-test-01')).toEqual({ workflow: 'nb-lh-aws-test-01' });
  });

  it.each([
    [['start'], /start needs exactly one workflow name/],
    [['start', 'a', 'b'], /start needs exactly one workflow name/],
    [['status'], /status needs exactly one workflow name/],
    [['status', 'wf', '--limit', '0'], /--limit must be an integer from 1 to 1000, got '0'/],
  ])('%j exits 2', async (argv, message) => {
    const c = capture();
    expect(await main(argv, c.io)).toBe(2);
    expect(c.text().stderr).toMatch(message);
  });

  it('rejects --input that is not JSON with exit 2, before any AWS call', async () => {
    const c = capture();
    expect(await main(['start', 'wf', '--input', '{oops', '--region', 'eu-west-1'], c.io)).toBe(2);
    expect(c.text().stderr).toMatch(/^error: --input is not JSON/);
  });
});
