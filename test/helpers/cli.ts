import { PassThrough } from 'node:stream';
import { main } from '../../cli/main';

/** Runs `icefloe <argv>` in-process, as a pipe (no TTY) would see it; returns exit code and both outputs. */
export async function runCli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
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
  const code = await main(argv, { stdout: out, stderr: err, isTTY: false });
  return { code, stdout, stderr };
}
