/**
 * `bin/icefloe.js` runs the CLI from its prebuilt bundle (`core/engine/worker-bundle.ts`, CLI): the first run
 * after a source change builds it into the cache folder, later runs load it, and the TypeScript sources load
 * through tsx when it cannot be built, with `--verbose`, or with ICEFLOE_NO_BUNDLE=1 — every command printing
 * and exiting as the sources through tsx do. Real child processes, each with a temporary ICEFLOE_CACHE_DIR;
 * ICEFLOE_BUNDLE_DEBUG=1 makes each say on stderr how it loaded the CLI. What is built when runs on a copy of the
 * sources (its node_modules a link to the checkout's), which nobody edits while the test runs.
 */
import { execFile } from 'node:child_process';
import {
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

jest.setTimeout(180_000); // a build takes a second or two on a busy machine

const ROOT = join(__dirname, '..', '..', '..');
const BUNDLE = /^icefloe: cli runs (.*\/cli-[0-9a-f]{16}\.js) \((built|cached)\)$/;
let dir: string;
/** The copy of the sources. */
let copy: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'icefloe-cli-bundle-'));
  copy = join(dir, 'copy');
  for (const f of ['bin', 'cli', 'core', 'statemachines', 'package.json', 'tsconfig.json'])
    cpSync(join(ROOT, f), join(copy, f), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Ran {
  code: number;
  stdout: string;
  /** stderr without the ICEFLOE_BUNDLE_DEBUG line */
  stderr: string;
  /** the ICEFLOE_BUNDLE_DEBUG line */
  how: string;
}

/** `node <root>/bin/icefloe.js args…` with cache folder `cache` (and `env`), in the checkout's folder. */
function icefloe(cache: string, args: string[], env: NodeJS.ProcessEnv = {}, root = ROOT): Promise<Ran> {
  const { ICEFLOE_NO_BUNDLE: _, ...inherited } = process.env;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(root, 'bin', 'icefloe.js'), ...args],
      {
        cwd: ROOT,
        env: { ...inherited, ICEFLOE_CACHE_DIR: cache, ICEFLOE_BUNDLE_DEBUG: '1', ...env },
        timeout: 120_000,
      },
      (err, stdout, stderr) => {
        const lines = stderr.split('\n');
        const at = lines.findIndex((l) => l.startsWith('icefloe: cli '));
        const how = at < 0 ? '' : (lines.splice(at, 1)[0] as string);
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr: lines.join('\n'), how });
      },
    );
  });
}

const tsx = (args: string[]) => icefloe(join(dir, 'unused'), args, { ICEFLOE_NO_BUNDLE: '1' });
/** The copy's CLI. */
const copied = (cache: string, args: string[]) => icefloe(cache, args, {}, copy);

function bundleOf(r: Ran): { file: string; how: string } {
  const m = BUNDLE.exec(r.how);
  if (!m) throw new Error(`not run from the bundle: ${r.how || r.stderr}`);
  return { file: m[1] as string, how: m[2] as string };
}

describe('the icefloe cli', () => {
  const cache = () => join(dir, 'cache');

  it('builds its bundle on the first run, then runs from it', async () => {
    const first = await copied(cache(), ['--help']);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toContain('usage: icefloe <command> [options]');
    const built = bundleOf(first);
    expect(built.how).toBe('built');
    const files = readdirSync(cache());
    expect(files).toContainEqual(expect.stringMatching(/^cli-[0-9a-f]{16}\.js$/));
    expect(files).toContainEqual(expect.stringMatching(/^cli-[0-9a-f]{12}\.index\.json$/));
    expect(files).toContainEqual(expect.stringMatching(/^cli-[0-9a-f]{16}\.v8-.*\.cache$/));
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const second = await copied(cache(), ['--help']);
    expect(bundleOf(second)).toEqual({ file: built.file, how: 'cached' });
    expect(second.stdout).toBe(first.stdout);
    // our sources keep their own folder (cli/main.ts finds its commands beside it); parquet-wasm stays outside
    const code = readFileSync(built.file, 'utf8');
    expect(code.includes(`(${JSON.stringify(join(copy, 'cli'))},"commands")`)).toBe(true);
    expect(code.includes(`require(${JSON.stringify(require.resolve('parquet-wasm'))})`)).toBe(true);
  });

  it.each([
    [['--help']],
    [[]],
    [['--version']],
    [['frobnicate']],
    [['run', '--help']],
    [['table', '--help']],
    [['validate', 'examples/quickstart']],
    [['validate', 'README.md']],
    [['plan', 'examples/quickstart/workflow.yaml', '--manifests', 'examples/quickstart']],
    [['plan', 'examples/quickstart/nothing.yaml']],
    [['table', 'describe', join(ROOT, 'no-such-table')]],
  ])('prints and exits from the bundle as from the sources: icefloe %j', async (args) => {
    const [bundled, sources] = await Promise.all([icefloe(join(dir, 'checkout-cache'), args), tsx(args)]);
    bundleOf(bundled); // built by the first of these, or after a source of the checkout changed
    expect(sources.how).toBe('icefloe: cli loads the sources through tsx (ICEFLOE_NO_BUNDLE is set)');
    expect({ ...bundled, how: '' }).toEqual({ ...sources, how: '' });
  });

  it('loads the sources with --verbose: stack traces name them', async () => {
    const r = await icefloe(join(dir, 'checkout-cache'), [
      'table',
      'describe',
      join(ROOT, 'no-such-table'),
      '--verbose',
    ]);
    expect(r.how).toBe('icefloe: cli loads the sources through tsx (--verbose: stack traces name the sources)');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(join(ROOT, 'cli', 'commands', 'table.ts'));
  });

  it('loads the sources when the bundle cannot be built, and with ICEFLOE_NO_BUNDLE=1', async () => {
    const off = join(dir, 'off');
    const forced = await icefloe(off, ['--version'], { ICEFLOE_NO_BUNDLE: '1' });
    expect(forced).toMatchObject({ code: 0, stdout: '0.1.0\n', stderr: '' });
    expect(forced.how).toBe('icefloe: cli loads the sources through tsx (ICEFLOE_NO_BUNDLE is set)');
    expect(() => readdirSync(off)).toThrow(); // nothing built
    const notADir = join(dir, 'plain-file');
    writeFileSync(notADir, 'x');
    const failed = await icefloe(join(notADir, 'cache'), ['--version']); // mkdir fails: ENOTDIR
    expect(failed).toMatchObject({ code: 0, stdout: '0.1.0\n', stderr: '' });
    expect(failed.how).toMatch(/^icefloe: cli loads the sources through tsx \(.*ENOTDIR/);
  });

  it('builds again over a damaged bundle', async () => {
    const before = bundleOf(await copied(cache(), ['--version']));
    expect(before.how).toBe('cached');
    truncateSync(before.file, 1000);
    const r = await copied(cache(), ['--version']);
    expect(r).toMatchObject({ code: 0, stdout: '0.1.0\n', stderr: '' });
    expect(bundleOf(r)).toEqual({ file: before.file, how: 'built' });
    expect(bundleOf(await copied(cache(), ['--version'])).how).toBe('cached');
  });

  it('first runs at the same time each get a whole bundle', async () => {
    const shared = join(dir, 'shared');
    const runs = await Promise.all(
      [1, 2, 3].map(() => copied(shared, ['validate', join(ROOT, 'examples', 'quickstart')])),
    );
    for (const r of runs) {
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(r.stdout).toBe(runs[0]?.stdout);
      bundleOf(r);
    }
    const files = readdirSync(shared);
    expect(files.filter((f) => f.endsWith('.js'))).toHaveLength(1);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(bundleOf(await copied(shared, ['--version'])).how).toBe('cached');
  });

  it('builds again after a source changes, or a command is added', async () => {
    const own = cache();
    const first = bundleOf(await copied(own, ['--help']));
    expect(first.how).toBe('cached');

    const validate = join(copy, 'cli', 'commands', 'validate.ts');
    writeFileSync(validate, readFileSync(validate, 'utf8').replace("summary: '", "summary: 'EDITED "));
    const edited = await copied(own, ['--help']);
    expect(bundleOf(edited).how).toBe('built');
    expect(bundleOf(edited).file).not.toBe(first.file);
    expect(edited.stdout).toMatch(/^ {2}validate +EDITED check manifests/m);

    writeFileSync(
      join(copy, 'cli', 'commands', 'hello.ts'),
      "export const command = { summary: 'say hello', help: 'usage: icefloe hello', run: async () => 0 };\n",
    );
    const added = await copied(own, ['--help']);
    expect(bundleOf(added).how).toBe('built');
    expect(added.stdout).toMatch(/^ {2}hello +say hello$/m);
    expect(bundleOf(await copied(own, ['hello']))).toMatchObject({ how: 'cached' });
  });
});
