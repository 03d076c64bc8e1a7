/**
 * Prebuilt bundles: the Move worker's code (and the CLI's, `bin/icefloe.js`) built into one CommonJS file with
 * esbuild, so a worker or the CLI starts by compiling one script (with a V8 code cache) instead of loading ~150
 * TypeScript files through tsx and ~1,000 package files.
 *
 * A bundle is cached (`node_modules/.cache/icefloe`, else the OS temp folder; `ICEFLOE_CACHE_DIR` overrides),
 * keyed by a hash of the files it was built from (our sources by content, packages by their package.json), and
 * written with tmp + rename, so concurrent processes never see a partial file (`bundle-cache.js` finds it and
 * runs it). Sources keep their behaviour: `__dirname`, `__filename` and `require.resolve` are each file's own,
 * files loaded from outside the bundle share its modules (`worker-runtime.ts`), and packages that read files
 * beside their code stay outside. When esbuild is absent, the build fails or `ICEFLOE_NO_BUNDLE` is set, the
 * sources load through tsx as before.
 * @internal
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import type { Plugin } from 'esbuild';
import {
  type BundleIndex,
  bundlePaths,
  cacheDir,
  cachedBundle,
  FORMAT,
  fallbackDir,
  fingerprint,
  indexFile,
  listTs,
  type WorkerBundle,
} from './bundle-cache';

export type { WorkerBundle } from './bundle-cache';

const ROOT = resolve(__dirname, '..', '..');
const RUNTIME = join(__dirname, 'worker-runtime.ts');
/** Connector discovery `require`s these files by a computed path (bundled too). */
const CONNECTORS = join(ROOT, 'core', 'connectors');
/** Packages left outside the bundle: they read files beside their own code (`.wasm`, data files) or are optional. */
const EXTERNAL = new Set(['parquet-wasm', '@electric-sql/pglite', 'pg-native', 'tsx', 'esbuild']);

/** What a bundle holds. */
export interface BundleSpec {
  /** Names its cached files (`<name>-<hash>.js`). */
  name: string;
  /** The module the bundle's `start` runs. */
  entry: string;
  /** Folders whose TypeScript files are `require`d by a computed path: bundled too, their listing hashed. */
  discovered: string[];
  /** Leave out comments and indentation (a smaller file is read and compiled faster). @default false */
  minifyWhitespace?: boolean;
}

/** The Move worker (`move-worker.ts`), run by the worker threads of `worker-pool.ts`. */
export const MOVE_WORKER: BundleSpec = {
  name: 'move-worker',
  entry: join(__dirname, 'move-worker.ts'),
  discovered: [CONNECTORS],
};

/** The CLI (`bin/icefloe.ts`, which runs `cli/main.ts` on load), run by `bin/icefloe.js`; it loads commands by name. */
export const CLI: BundleSpec = {
  name: 'cli',
  entry: join(ROOT, 'bin', 'icefloe.ts'),
  discovered: [CONNECTORS, join(ROOT, 'cli', 'commands')],
  minifyWhitespace: true,
};

/** Where bundles are cached: `ICEFLOE_CACHE_DIR`, else `node_modules/.cache/icefloe` of the checkout. */
export function workerCacheDir(): string {
  return cacheDir(ROOT);
}

const builds = new Map<string, Promise<WorkerBundle | undefined>>();

/**
 * Bundle `spec`, from the cache or built now (once per process, bundle and cache folder); undefined when it
 * cannot be built or `ICEFLOE_NO_BUNDLE` is set (the sources then load through tsx). `onError` hears why.
 */
export function bundleOf(
  spec: BundleSpec,
  dir = workerCacheDir(),
  onError?: (err: unknown) => void,
): Promise<WorkerBundle | undefined> {
  if (process.env.ICEFLOE_NO_BUNDLE) {
    onError?.(new Error('ICEFLOE_NO_BUNDLE is set'));
    return Promise.resolve(undefined);
  }
  const key = `${spec.name}\n${dir}`;
  let p = builds.get(key);
  if (!p) {
    p = cachedOrBuilt(spec, dir).catch((err) => {
      builds.delete(key); // a later call may try again
      onError?.(err);
      return undefined;
    });
    builds.set(key, p);
  }
  return p;
}

/** The Move worker bundle ({@link bundleOf} {@link MOVE_WORKER}). */
export function moveWorkerBundle(
  dir = workerCacheDir(),
  onError?: (err: unknown) => void,
): Promise<WorkerBundle | undefined> {
  return bundleOf(MOVE_WORKER, dir, onError);
}

async function cachedOrBuilt(spec: BundleSpec, preferred: string): Promise<WorkerBundle> {
  const dir = writableDir(preferred);
  const cached = cachedBundle(dir, spec.name, ROOT);
  if (cached) return cached;
  const { code, index } = await build(spec);
  const out = bundlePaths(dir, spec.name, index.hash);
  atomicWrite(out.file, code);
  atomicWrite(indexFile(dir, spec.name, ROOT), JSON.stringify(index));
  prune(dir, spec.name, out);
  return out;
}

/** Removes bundles (and code caches) of other builds not used for an hour (each edit of a source makes one). */
function prune(dir: string, name: string, keep: WorkerBundle): void {
  const cutoff = Date.now() - 3600_000;
  const ours = new RegExp(`^${name}-[0-9a-f]{16}\\.`);
  for (const f of readdirSync(dir)) {
    const file = join(dir, f);
    if (!ours.test(f) || file === keep.file || file === keep.codeCache) continue;
    try {
      if (statSync(file).mtimeMs < cutoff) rmSync(file, { force: true });
    } catch {
      // removed meanwhile by another process
    }
  }
}

function writableDir(preferred: string): string {
  try {
    mkdirSync(preferred, { recursive: true });
    return preferred;
  } catch (err) {
    if (process.env.ICEFLOE_CACHE_DIR) throw err; // an explicit folder: no silent fallback
    const dir = fallbackDir();
    mkdirSync(dir, { recursive: true });
    return dir;
  }
}

function atomicWrite(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  } finally {
    rmSync(tmp, { force: true });
  }
}

function packageName(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
}

/**
 * Makes `__dirname`, `__filename` and `require.resolve` in our sources (TypeScript, and `js`: our JavaScript files)
 * those of their own file (the bundle lives elsewhere); records what it read in `loaded`.
 */
function ownPaths(loaded: Map<string, string>, js: string[]): Plugin {
  const filter = new RegExp([/\.[cm]?tsx?$/.source, ...js.map((f) => `^${escapeRegExp(f)}$`)].join('|'));
  return {
    name: 'icefloe-own-paths',
    setup(b) {
      b.onLoad({ filter }, (args) => {
        if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
        const text = readFileSync(args.path, 'utf8');
        loaded.set(args.path, text);
        const file = JSON.stringify(args.path);
        const contents = text
          .replace(/\b__dirname\b/g, JSON.stringify(dirname(args.path)))
          .replace(/\b__filename\b/g, file)
          .replace(/\brequire\.resolve\(/g, `require('node:module').createRequire(${file}).resolve(`);
        const ts = /\.[cm]?(tsx?)$/.exec(args.path);
        return { contents, loader: ts ? (ts[1] as 'ts' | 'tsx') : 'js' };
      });
    },
  };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * The packages our sources import (`bare`) resolve as `require` resolves them (CommonJS builds, like the
 * sources under tsx), so a bare `require` from outside the bundle names the same file; EXTERNAL packages stay
 * outside by absolute path. Only those names reach the plugin: other imports (relative ones, and those inside
 * packages) take esbuild's own resolution, which also applies tsconfig.json.
 */
function resolution(bare: Iterable<string>): Plugin {
  const names = new Set([...EXTERNAL, ...[...bare].map(packageName)]);
  const filter = new RegExp(`^(?:${[...names].map(escapeRegExp).join('|')})(?:/|$)`);
  return {
    name: 'icefloe-resolution',
    setup(b) {
      b.onResolve({ filter }, async (args) => {
        if (args.pluginData === 'inner') return undefined;
        if (EXTERNAL.has(packageName(args.path))) {
          try {
            return { path: require.resolve(args.path, { paths: [args.resolveDir] }), external: true };
          } catch {
            return { path: args.path, external: true };
          }
        }
        // imports inside packages are left to esbuild (CommonJS builds require() each other already)
        if (args.importer.includes(`${sep}node_modules${sep}`)) return undefined;
        const r = await b.resolve(args.path, {
          kind: 'require-call',
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: 'inner',
        });
        return r.errors.length === 0 ? { path: r.path, external: r.external, sideEffects: r.sideEffects } : undefined;
      });
    },
  };
}

/**
 * Two passes: the first (packages external) finds our files and the packages they import; the second bundles
 * everything behind an entry whose `start` maps each of them for `worker-runtime.ts`, then runs `spec.entry`.
 * A static import of a file of ours that does not exist fails the build (the sources then load through tsx).
 */
async function build(spec: BundleSpec): Promise<{ code: string; index: BundleIndex }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  const common = {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // `import()` becomes `require()` (packages outside the bundle resolve to CommonJS files): a script compiled
    // with a V8 code cache loses its dynamic-import callback on Node 20 ("A dynamic import callback was not
    // specified"), and the callback Node offers for vm scripts prints an ExperimentalWarning.
    supported: { 'dynamic-import': false },
    absWorkingDir: ROOT,
    logLevel: 'silent',
    metafile: true,
    write: false,
  } as const;
  const first = await esbuild.build({
    ...common,
    entryPoints: [spec.entry, RUNTIME, ...spec.discovered.flatMap(listTs)],
    outdir: join(ROOT, 'node_modules', '.cache', 'icefloe-pass1'),
    packages: 'external',
  });
  const own = Object.keys(first.metafile.inputs).map((f) => resolve(ROOT, f));
  const bare = new Set<string>();
  for (const input of Object.values(first.metafile.inputs))
    for (const i of input.imports)
      if (i.external && !isBuiltin(i.path) && !EXTERNAL.has(packageName(i.path)) && !i.path.startsWith('/'))
        bare.add(i.path);
  const loaded = new Map<string, string>();
  const thunk = (spec: string) => `${JSON.stringify(spec)}: () => require(${JSON.stringify(spec)})`;
  const contents = [
    `const own = {${own.map(thunk).join(',\n')}};`,
    `const bare = {${[...bare].map(thunk).join(',\n')}};`,
    'exports.start = (opts) => {',
    `  require(${JSON.stringify(RUNTIME)}).install(own, bare, opts && opts.tsx);`,
    `  return require(${JSON.stringify(spec.entry)});`,
    '};',
  ].join('\n');
  const entryName = `${spec.name}-bundle-entry.js`;
  const second = await esbuild.build({
    ...common,
    stdin: { contents, resolveDir: ROOT, sourcefile: entryName, loader: 'js' },
    outfile: join(ROOT, 'node_modules', '.cache', `icefloe-${spec.name}.js`),
    minifyWhitespace: spec.minifyWhitespace,
    plugins: [
      ownPaths(
        loaded,
        own.filter((f) => /\.[cm]?js$/.test(f)),
      ),
      resolution(bare),
    ],
  });
  const code = second.outputFiles.find((f) => f.path.endsWith('.js'))?.text;
  if (code === undefined) throw new Error('esbuild produced no bundle');
  const packages = new Set<string>();
  const files: string[] = [];
  for (const f of Object.keys(second.metafile.inputs)) {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(f);
    if (m) packages.add(resolve(ROOT, m[1] as string));
    else if (f !== entryName) files.push(resolve(ROOT, f));
  }
  const index: BundleIndex = {
    format: FORMAT,
    name: spec.name,
    root: ROOT,
    own: files,
    packages: [...packages],
    discovered: spec.discovered,
    hash: '',
  };
  index.hash = fingerprint(index, loaded);
  return { code, index };
}
