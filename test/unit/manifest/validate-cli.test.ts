import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { runCli } from '../../helpers/cli';

const ROOT = join(__dirname, '..', '..', '..');

const run = (argv: string[]) => runCli(argv);

describe('icefloe validate', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'icefloe-validate-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 with a one-line summary for the examples', async () => {
    const r = await run(['validate', join(ROOT, 'examples')]);
    expect(r).toEqual({
      code: 0,
      stdout: 'ok: 19 manifests (4 lakehouse, 5 depot, 7 instance-secret, 3 workflow) in 9 files\n',
      stderr: '',
    });
  });

  it('exits 2 with every problem as path:line:col: message, and no stack trace', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      [
        'name: s',
        'version: v1',
        'type: instance-secret',
        'instance-secret:',
        '  type: kv',
        '  acl: x',
        '  data: {}',
        '',
      ].join('\n'),
    );
    const other = join(dir, 'other.yml');
    writeFileSync(other, 'name: x\nversion: v1\ntype: workflw\n');
    const r = await run(['validate', dir]);
    const shown = (f: string) => {
      const rel = relative(process.cwd(), f);
      return rel.startsWith('..') ? f : rel;
    };
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      `${shown(file)}:5:9: instance-secret.type: must be one of key-value, key-value-properties; got 'kv'`,
      `${shown(file)}:6:8: instance-secret.acl: must be one of r, rw; got 'x'`,
      `${shown(other)}:3:7: type: unsupported manifest type 'workflw'; expected one of lakehouse, depot, instance-secret, workflow (did you mean 'workflow'?)`,
    ]);
    expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('reports a missing path and a call without arguments as invalid input', async () => {
    const missing = await run(['validate', join(dir, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope:1:1: no such file or folder\n$/);
    const none = await run(['validate']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^error: validate needs at least one file or folder/);
  });

  it('prints JSON with --json', async () => {
    const r = await run(['validate', '--json', join(ROOT, 'examples', 'quickstart')]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      ok: true,
      counts: { lakehouse: 1, depot: 2, 'instance-secret': 1, workflow: 1 },
      problems: [],
    });
  });

  it('has help', async () => {
    const r = await run(['validate', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: icefloe validate <file\|dir>\.\.\./);
  });
});
