/**
 * The cache of prebuilt bundles (`core/engine/bundle-cache.js`, used by `worker-bundle.ts` and `bin/icefloe.js`):
 * a bundle is found only while the files it was built from are unchanged, and runs with a V8 code cache.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BundleIndex,
  bundlePaths,
  cachedBundle,
  compileBundle,
  FORMAT,
  fingerprint,
  indexFile,
} from '../../../core/engine/bundle-cache';
import { bundleOf, CLI } from '../../../core/engine/worker-bundle';

let root: string;
let cache: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'icefloe-bundle-cache-'));
  cache = join(root, 'cache');
  mkdirSync(cache);
  mkdirSync(join(root, 'pkg'));
  mkdirSync(join(root, 'found'));
  writeFileSync(join(root, 'a.ts'), 'export const a = 1;\n');
  writeFileSync(join(root, 'pkg', 'package.json'), '{"name":"pkg","version":"1.0.0"}');
  writeFileSync(join(root, 'found', 'one.ts'), '');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function index(): Omit<BundleIndex, 'format' | 'hash'> {
  return {
    name: 'x',
    root,
    own: [join(root, 'a.ts')],
    packages: [join(root, 'pkg')],
    discovered: [join(root, 'found')],
  };
}

/** Writes bundle `x` of `code` and its index, as a build does. */
function built(code = 'exports.start = (opts) => ({ started: opts });'): string {
  const i = { ...index(), format: FORMAT, hash: fingerprint(index()) };
  const file = bundlePaths(cache, 'x', i.hash).file;
  writeFileSync(file, code);
  writeFileSync(indexFile(cache, 'x', root), JSON.stringify(i));
  return file;
}

describe('fingerprint', () => {
  it('changes with a source, a package version or a new discovered file, not with a test file', () => {
    const h = fingerprint(index());
    expect(fingerprint(index())).toBe(h);
    writeFileSync(join(root, 'found', 'one.test.ts'), '');
    expect(fingerprint(index())).toBe(h);
    writeFileSync(join(root, 'found', 'two.ts'), '');
    const withTwo = fingerprint(index());
    expect(withTwo).not.toBe(h);
    writeFileSync(join(root, 'pkg', 'package.json'), '{"name":"pkg","version":"1.0.1"}');
    const upgraded = fingerprint(index());
    expect(upgraded).not.toBe(withTwo);
    writeFileSync(join(root, 'a.ts'), 'export const a = 2;\n');
    expect(fingerprint(index())).not.toBe(upgraded);
  });

  it('hashes what the build read when given (a file edited during the build does not match)', () => {
    const read = new Map([[join(root, 'a.ts'), 'export const a = 0;\n']]);
    expect(fingerprint(index(), read)).not.toBe(fingerprint(index()));
  });
});

describe('cachedBundle', () => {
  it('finds the bundle while its sources are unchanged', () => {
    const file = built();
    expect(cachedBundle(cache, 'x', root)).toEqual({ file, codeCache: expect.stringMatching(/\.cache$/) });
    expect(cachedBundle(cache, 'y', root)).toBeUndefined();
    expect(cachedBundle(cache, 'x', join(root, 'elsewhere'))).toBeUndefined();
    writeFileSync(join(root, 'a.ts'), 'export const a = 2;\n');
    expect(cachedBundle(cache, 'x', root)).toBeUndefined();
  });

  it('misses when the bundle file or a source is gone, or the index is of another format', () => {
    const file = built();
    rmSync(file);
    expect(cachedBundle(cache, 'x', root)).toBeUndefined();
    built();
    rmSync(join(root, 'a.ts'));
    expect(cachedBundle(cache, 'x', root)).toBeUndefined();
    writeFileSync(join(root, 'a.ts'), 'export const a = 1;\n');
    expect(cachedBundle(cache, 'x', root)).toBeDefined();
    const i = { ...index(), format: FORMAT - 1, hash: fingerprint(index()) };
    writeFileSync(indexFile(cache, 'x', root), JSON.stringify(i));
    expect(cachedBundle(cache, 'x', root)).toBeUndefined();
  });
});

describe('compileBundle', () => {
  it('runs the bundle and writes its code cache once', () => {
    built();
    const b = cachedBundle(cache, 'x', root);
    if (!b) throw new Error('no bundle');
    expect(compileBundle(b)?.run({ tsx: 'tsx' })).toEqual({ started: { tsx: 'tsx' } });
    expect(existsSync(b.codeCache)).toBe(true);
    const written = statSync(b.codeCache).mtimeMs;
    expect(compileBundle(b)?.run()).toEqual({ started: undefined });
    expect(statSync(b.codeCache).mtimeMs).toBe(written);
  });

  it('gives undefined for a bundle that does not compile', () => {
    const file = built('exports.start = (');
    expect(compileBundle({ file, codeCache: `${file}.cache` })).toBeUndefined();
  });
});

describe('bundleOf', () => {
  it('builds nothing with ICEFLOE_NO_BUNDLE set, and says so', async () => {
    const saved = process.env.ICEFLOE_NO_BUNDLE;
    process.env.ICEFLOE_NO_BUNDLE = '1';
    try {
      const why: unknown[] = [];
      await expect(bundleOf(CLI, cache, (err) => why.push(err))).resolves.toBeUndefined();
      expect(why).toEqual([new Error('ICEFLOE_NO_BUNDLE is set')]);
    } finally {
      if (saved === undefined) delete process.env.ICEFLOE_NO_BUNDLE;
      else process.env.ICEFLOE_NO_BUNDLE = saved;
    }
  });
});
