/**
 * Runs the chaos driver in a child process (tsx from node_modules, no npx) and reports how it ended:
 * killed at the planned point, succeeded, or failed.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const DRIVER = join(__dirname, 'driver.ts');

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The `CRASH <point>` line the hook printed before the kill, if any. */
  crashed?: string;
  stdout: string;
  stderr: string;
}

/** Runs one workflow in a child; `crashAt` is passed as ICEFLOE_CRASH_AT. Bounded by `timeoutMs`. */
export function runChild(
  workflowFile: string,
  cwd: string,
  crashAt?: string,
  env: Record<string, string> = {},
  timeoutMs = 120_000,
): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [DRIVER, workflowFile], {
      cwd,
      env: { ...process.env, ...env, ICEFLOE_CRASH_AT: crashAt ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += String(d);
    });
    child.stderr.on('data', (d) => {
      stderr += String(d);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const crashed = /^CRASH (.+)$/m.exec(stderr)?.[1];
      resolve({ code, signal, stdout, stderr, ...(crashed ? { crashed } : {}) });
    });
  });
}
