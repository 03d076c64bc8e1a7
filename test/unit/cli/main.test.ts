import { PassThrough } from 'node:stream';
import { main } from '../../../cli/main';

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

describe('icefloe CLI dispatcher', () => {
  it('lists commands on --help and exits 0', async () => {
    const c = capture();
    expect(await main(['--help'], c.io)).toBe(0);
    expect(c.text().stdout).toMatch(/usage: icefloe <command>/);
  });

  it('rejects an unknown command with exit 2 and one error line', async () => {
    const c = capture();
    expect(await main(['frobnicate'], c.io)).toBe(2);
    expect(c.text().stderr).toMatch(/^error: unknown command 'frobnicate'/);
  });
});
