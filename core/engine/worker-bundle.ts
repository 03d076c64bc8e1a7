/**
 * The Move worker's code prebuilt into one CommonJS file with esbuild, so a worker starts by compiling one
 * script (with a V8 code cache) instead of loading ~150 TypeScript files through tsx and ~1,000 package files.
 *
 * The bundle is cached (`node_modules/.cache/icefloe`, else the OS temp folder; `ICEFLOE_CACHE_DIR` overrides),
 * keyed by a hash of the files it was built from (our sources by content, packages by their package.json), and
 * written with tmp + rename, so concurrent processes never see a partial file. Sources keep their behaviour:
 * `__dirname` is each file's own folder, files loaded from outside the bundle share its modules
 * (`worker-runtime.ts`), and packages that read files beside their code stay outside. When esbuild is absent or
 * the build fails, workers load the sources through tsx as before.
 * @internal
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import type { Plugin } from 'esbuild';

const ROOT = resolve(__dirname, '..', '..');
const ENTRY = join(__dirname, 'move-worker.ts');
const RUNTIME = join(__dirname, 'worker-runtime.ts');
const ENTRY_NAME = 'move-worker-bundle-entry.js';
/** Folders whose files connector discovery may `require` by a computed path (bundled too). */
const DISCOVERED = join(ROOT, 'core', 'connectors');
/** Part of the cache key: bump when the way the bundle is built changes. */
const FORMAT = 1;
/** Packages left outside the bundle: they read files beside their own code (`.wasm`, data files) or are optional. */
const EXTERNAL = new Set(['parquet-wasm', '@electric-sql/pglite', 'pg-native', 'tsx', 'esbuild']);

/** A built bundle: the file, and where its V8 code cache goes. */
export interface WorkerBundle {
  file: string;
  codeCache: string;
}

interface BundleIndex {
  format: number;
  /** Our source files in the bundle (absolute). */
  own: string[];
  /** Folders of the bundled packages (absolute). */
  packages: string[];
  hash: string;
}

/** Where bundles are cached: `ICEFLOE_CACHE_DIR`, else `node_modules/.cache/icefloe` of the checkout. */
export function workerCacheDir(): string {
  return process.env.ICEFLOE_CACHE_DIR || join(ROOT, 'node_modules', '.cache', 'icefloe');
}

const builds = new Map<string, Promise<WorkerBundle | undefined>>();

/**
 * The Move worker bundle, from the cache or built now (once per process and cache folder); undefined when it
 * cannot be built (workers then load the sources through tsx). `onError` hears why.
 */
export function moveWorkerBundle(
  dir = workerCacheDir(),
  onError?: (err: unknown) => void,
): Promise<WorkerBundle | undefined> {
  let p = builds.get(dir);
  if (!p) {
    p = cachedOrBuilt(dir).catch((err) => {
      builds.delete(dir); // a later pool may try again
      onError?.(err);
      return undefined;
    });
    builds.set(dir, p);
  }
  return p;
}

async function cachedOrBuilt(preferred: string): Promise<WorkerBundle> {
  const dir = writableDir(preferred);
  const indexFile = join(dir, `move-worker-${sha(ROOT).slice(0, 12)}.index.json`);
  const cached = fromIndex(dir, indexFile);
  if (cached) return cached;
  const { code, index } = await build();
  const out = bundlePaths(dir, index.hash);
  atomicWrite(out.file, code);
  atomicWrite(indexFile, JSON.stringify(index));
  prune(dir, out);
  return out;
}

/** Removes bundles (and code caches) of other builds not used for an hour (each edit of a source makes one). */
function prune(dir: string, keep: WorkerBundle): void {
  const cutoff = Date.now() - 3600_000;
  for (const name of readdirSync(dir)) {
    const file = join(dir, name);
    if (!/^move-worker-[0-9a-f]{16}\./.test(name) || file === keep.file || file === keep.codeCache) continue;
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
    const dir = join(tmpdir(), `icefloe-cache-${process.getuid?.() ?? 'user'}`);
    mkdirSync(dir, { recursive: true });
    return dir;
  }
}

function bundlePaths(dir: string, hash: string): WorkerBundle {
  const name = `move-worker-${hash.slice(0, 16)}`;
  return { file: join(dir, `${name}.js`), codeCache: join(dir, `${name}.v8-${process.versions.v8}.cache`) };
}

/** The cached bundle when its index still matches the files on disk. */
function fromIndex(dir: string, indexFile: string): WorkerBundle | undefined {
  let index: BundleIndex;
  try {
    index = JSON.parse(readFileSync(indexFile, 'utf8')) as BundleIndex;
  } catch {
    return undefined;
  }
  if (index.format !== FORMAT) return undefined;
  const out = bundlePaths(dir, index.hash);
  if (!existsSync(out.file)) return undefined;
  try {
    if (fingerprint(index.own, index.packages) !== index.hash) return undefined;
    const now = new Date();
    utimesSync(out.file, now, now); // in use: not pruned
    return out;
  } catch {
    return undefined; // a file is gone
  }
}

/**
 * Hash of what the bundle was built from; the listing of the discovered folder too (a new connector file).
 * `loaded`: the contents the build read (a file edited during the build must not match the bundle).
 */
function fingerprint(own: string[], packages: string[], loaded?: Map<string, string>): string {
  const h = createHash('sha256').update(`icefloe-move-worker ${FORMAT} ${ROOT}\n`);
  for (const f of [...own].sort())
    h.update(`${f}\n`)
      .update(loaded?.get(f) ?? readFileSync(f))
      .update('\n');
  for (const d of [...packages].sort())
    h.update(`${d}\n`)
      .update(readFileSync(join(d, 'package.json')))
      .update('\n');
  h.update(listTs(DISCOVERED).join('\n'));
  return h.digest('hex');
}

function listTs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.ts$/.test(f) && !/\.(test|d)\.ts$/.test(f))
    .map((f) => join(dir, f))
    .sort();
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

function sha(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

function packageName(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
}

/**
 * Replaces `__dirname` / `__filename` in our sources by their own folder and file (the bundle lives elsewhere);
 * records what it read in `loaded`.
 */
function ownPaths(loaded: Map<string, string>): Plugin {
  return {
    name: 'icefloe-own-paths',
    setup(b) {
      b.onLoad({ filter: /\.[cm]?tsx?$/ }, (args) => {
        if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
        const text = readFileSync(args.path, 'utf8');
        loaded.set(args.path, text);
        const contents = text
          .replace(/\b__dirname\b/g, JSON.stringify(dirname(args.path)))
          .replace(/\b__filename\b/g, JSON.stringify(args.path));
        return { contents, loader: args.path.endsWith('x') ? 'tsx' : 'ts' };
      });
    },
  };
}

/**
 * Packages resolve as `require` resolves them (CommonJS builds, like the sources under tsx), so a bare
 * `require` from outside the bundle names the same file; EXTERNAL packages stay outside by absolute path;
 * an import of a missing file of ours stays a runtime require (optional files checked with existsSync first).
 */
function resolution(packagesExternal: boolean): Plugin {
  return {
    name: 'icefloe-resolution',
    setup(b) {
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === 'inner' || args.kind === 'entry-point' || isBuiltin(args.path)) return undefined;
        const relative = args.path.startsWith('.') || args.path.startsWith('/');
        if (!relative && packagesExternal) return { path: args.path, external: true };
        if (!relative && EXTERNAL.has(packageName(args.path))) {
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
        if (r.errors.length === 0) return { path: r.path, external: r.external, sideEffects: r.sideEffects };
        if (relative) return { path: resolve(args.resolveDir, args.path), external: true };
        return undefined; // esbuild reports the error
      });
    },
  };
}

/**
 * Two passes: the first (packages external) finds our files and the packages they import; the second bundles
 * everything behind an entry that maps each of them for `worker-runtime.ts`, then runs `move-worker.ts`.
 */
async function build(): Promise<{ code: string; index: BundleIndex }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  const common = {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    absWorkingDir: ROOT,
    logLevel: 'silent',
    metafile: true,
    write: false,
  } as const;
  const first = await esbuild.build({
    ...common,
    entryPoints: [ENTRY, RUNTIME, ...listTs(DISCOVERED)],
    outdir: join(ROOT, 'node_modules', '.cache', 'icefloe-pass1'),
    plugins: [ownPaths(new Map()), resolution(true)],
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
    `  return require(${JSON.stringify(ENTRY)});`,
    '};',
  ].join('\n');
  const second = await esbuild.build({
    ...common,
    stdin: { contents, resolveDir: ROOT, sourcefile: ENTRY_NAME, loader: 'js' },
    outfile: join(ROOT, 'node_modules', '.cache', 'icefloe-move-worker.js'),
    plugins: [ownPaths(loaded), resolution(false)],
  });
  const code = second.outputFiles.find((f) => f.path.endsWith('.js'))?.text;
  if (code === undefined) throw new Error('esbuild produced no bundle');
  const packages = new Set<string>();
  const files: string[] = [];
  for (const f of Object.keys(second.metafile.inputs)) {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(f);
    if (m) packages.add(resolve(ROOT, m[1] as string));
    else if (f !== ENTRY_NAME) files.push(resolve(ROOT, f));
  }
  const index = { format: FORMAT, own: files, packages: [...packages], hash: '' };
  index.hash = fingerprint(index.own, index.packages, loaded);
  return { code, index };
}
