'use strict';
/**
 * The part of the prebuilt bundles (`worker-bundle.ts`) that must run before TypeScript can: find the cached
 * bundle whose sources are unchanged, and run it with its V8 code cache. Plain JavaScript (types in
 * `bundle-cache.d.ts`), so `bin/icefloe.js` starts the CLI from its bundle without loading tsx.
 * @internal
 */
const { isAscii } = require('node:buffer');
const { createHash } = require('node:crypto');
const { existsSync, readdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { tmpdir } = require('node:os');
const { dirname, join } = require('node:path');
const vm = require('node:vm');

/** Part of the cache key: bump when the way bundles are built changes. */
const FORMAT = 2;

/** Where bundles are cached: `ICEFLOE_CACHE_DIR`, else `node_modules/.cache/icefloe` of the checkout. */
function cacheDir(root) {
  return process.env.ICEFLOE_CACHE_DIR || join(root, 'node_modules', '.cache', 'icefloe');
}

/** Where bundles go when the cache folder cannot be created (a read-only install) and ICEFLOE_CACHE_DIR is unset. */
function fallbackDir() {
  return join(tmpdir(), `icefloe-cache-${process.getuid?.() ?? 'user'}`);
}

function sha(s) {
  return createHash('sha256').update(s).digest('hex');
}

/** The index of bundle `name` of checkout `root`: what the current bundle was built from. */
function indexFile(dir, name, root) {
  return join(dir, `${name}-${sha(root).slice(0, 12)}.index.json`);
}

function bundlePaths(dir, name, hash) {
  const base = `${name}-${hash.slice(0, 16)}`;
  return { file: join(dir, `${base}.js`), codeCache: join(dir, `${base}.v8-${process.versions.v8}.cache`) };
}

/** The TypeScript files of a folder (recursive, sorted), tests and declarations aside. */
function listTs(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.ts$/.test(f) && !/\.(test|d)\.ts$/.test(f))
    .map((f) => join(dir, f))
    .sort();
}

/**
 * Hash of what a bundle was built from: our files by content, packages by their package.json, and the listing
 * of the folders whose files are required by a computed path (a new connector or command). `loaded`: the
 * contents the build read (a file edited during the build must not match the bundle).
 */
function fingerprint(index, loaded) {
  const h = createHash('sha256').update(`icefloe-${index.name} ${FORMAT} ${index.root}\n`);
  for (const f of [...index.own].sort())
    h.update(`${f}\n`)
      .update(loaded?.get(f) ?? readFileSync(f))
      .update('\n');
  for (const d of [...index.packages].sort())
    h.update(`${d}\n`)
      .update(readFileSync(join(d, 'package.json')))
      .update('\n');
  for (const d of index.discovered) h.update(`${d}\n`).update(listTs(d).join('\n'));
  return h.digest('hex');
}

/** Bundle `name` of checkout `root` from cache folder `dir` when its sources are unchanged; else undefined. */
function cachedBundle(dir, name, root) {
  let index;
  try {
    index = JSON.parse(readFileSync(indexFile(dir, name, root), 'utf8'));
  } catch {
    return undefined;
  }
  if (index.format !== FORMAT || index.name !== name || index.root !== root) return undefined;
  const out = bundlePaths(dir, name, index.hash);
  try {
    if (!existsSync(out.file) || fingerprint(index) !== index.hash) return undefined;
  } catch {
    return undefined; // a file is gone
  }
  try {
    const now = new Date();
    utimesSync(out.file, now, now); // in use: not pruned
  } catch {} // a read-only cache folder
  return out;
}

/**
 * Compiles a bundle with its V8 code cache; undefined when it does not compile (a damaged file). A missing or
 * rejected code cache is written at once: it then holds what V8 compiles eagerly, which loads faster than a
 * cache of every function a run used and costs the next commands nothing they would not compile anyway.
 * `run` calls the bundle's `start` and returns the entry's exports.
 */
function compileBundle(bundle) {
  let cached;
  try {
    cached = readFileSync(bundle.codeCache);
  } catch {}
  let script;
  try {
    const bytes = readFileSync(bundle.file);
    script = new vm.Script(Module.wrap(bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8')), {
      filename: bundle.file,
      cachedData: cached, // the bundle holds no import(): see worker-bundle.ts
    });
  } catch {
    return undefined;
  }
  if (cached === undefined || script.cachedDataRejected) {
    const tmp = `${bundle.codeCache}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, bundle.codeCache);
    } catch {
      try {
        rmSync(tmp, { force: true });
      } catch {}
    }
  }
  return {
    run(opts) {
      const m = { exports: {} };
      script.runInThisContext()(m.exports, Module.createRequire(bundle.file), m, bundle.file, dirname(bundle.file));
      return m.exports.start(opts);
    },
  };
}

module.exports = {
  FORMAT,
  bundlePaths,
  cacheDir,
  fallbackDir,
  cachedBundle,
  compileBundle,
  fingerprint,
  indexFile,
  listTs,
  sha,
};
