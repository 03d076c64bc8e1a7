import { runCli } from '../../helpers/cli';

describe('icefloe CLI dispatcher', () => {
  it('lists commands on --help and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/usage: icefloe <command>/);
  });

  it('rejects an unknown command with exit 2 and one error line', async () => {
    const r = await runCli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: unknown command 'frobnicate'/);
  });
});
