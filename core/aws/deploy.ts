/**
 * `icefloe deploy`: runs the pinned AWS CDK CLI (node_modules/.bin/cdk, aws-cdk 2.1148.1: the `latest` 3.x
 * cannot read aws-cdk-lib 2.276's cloud assembly) on the app in `bin/app.ts` with the manifests as context.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { IcefloeError, NotFoundError } from '../errors';

const REPO_ROOT = join(__dirname, '..', '..');

/** Options of {@link cdkArgs}. */
export interface DeployOptions {
  /** Folder of manifests. @default 'examples/quickstart' */
  manifests?: string;
  /** `synth` only prints templates; `diff` shows changes; `deploy` ships. @default 'deploy' */
  action?: 'deploy' | 'synth' | 'diff';
  /** Pass `lakehouse:allowDataDestroy=true` (buckets and keys are deleted with their stacks). @default false */
  allowDataDestroy?: boolean;
  /** `--require-approval never` (CI). @default false: the CDK asks before widening IAM */
  yes?: boolean;
}

/** The arguments given to the CDK CLI. */
export function cdkArgs(opts: DeployOptions): string[] {
  const action = opts.action ?? 'deploy';
  // `--all` is a deploy option; synth and diff take every stack when none is named.
  const args = [
    action,
    ...(action === 'deploy' ? ['--all'] : []),
    '-c',
    `manifests=${resolve(opts.manifests ?? 'examples/quickstart')}`,
  ];
  if (action === 'synth') args.push('--quiet');
  if (opts.allowDataDestroy) args.push('-c', 'lakehouse:allowDataDestroy=true');
  if (action === 'deploy' && opts.yes) args.push('--require-approval', 'never');
  return args;
}

/** The pinned CDK CLI of this install. */
export function cdkBinary(): string {
  const bin = join(REPO_ROOT, 'node_modules', '.bin', 'cdk');
  if (!existsSync(bin)) throw new NotFoundError(`the aws cdk cli is not installed at ${bin}; run npm ci`);
  return bin;
}

/** Runs the CDK CLI from the repository root (where cdk.json is) with inherited stdio; resolves to its exit code. */
export function runCdk(args: string[]): Promise<number> {
  const bin = cdkBinary();
  return new Promise((done, fail) => {
    const child = spawn(bin, args, { cwd: REPO_ROOT, stdio: 'inherit' });
    child.on('error', (err) => fail(new IcefloeError(`cannot run ${bin}: ${err.message}`, { cause: err })));
    child.on('close', (code) => done(code ?? 1));
  });
}
