#!/usr/bin/env node
'use strict';
// The published entry point. Runs the CLI (`icefloe.ts`) from its prebuilt bundle: one script with a V8 code
// cache, cached by a hash of its sources and built by the first run after a change
// (`core/engine/worker-bundle.ts`; `ICEFLOE_CACHE_DIR` moves the cache). The TypeScript sources load through tsx
// when the bundle cannot be built, with --verbose (its stack traces then name the sources), or with
// ICEFLOE_NO_BUNDLE=1; ICEFLOE_BUNDLE_DEBUG=1 says which on stderr.
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
const NAME = 'cli'; // CLI.name in worker-bundle.ts
const debug = process.env.ICEFLOE_BUNDLE_DEBUG ? (m) => process.stderr.write(`icefloe: ${m}\n`) : () => {};

function viaTsx(why) {
  debug(`cli loads the sources through tsx (${why})`);
  require('tsx/cjs');
  require('./icefloe.ts');
}

/** Runs the bundle; false when it does not compile (nothing ran). */
function fromBundle(cache, bundle, how) {
  const compiled = cache.compileBundle(bundle);
  if (!compiled) return false;
  debug(`cli runs ${bundle.file} (${how})`);
  compiled.run({ tsx: require.resolve('tsx/cjs') });
  return true;
}

/** The bundle of the current sources from the cache folder (or where bundles go when it cannot be created). */
function cached(cache) {
  try {
    const found = cache.cachedBundle(cache.cacheDir(ROOT), NAME, ROOT);
    if (found || process.env.ICEFLOE_CACHE_DIR) return found;
    return cache.cachedBundle(cache.fallbackDir(), NAME, ROOT);
  } catch {
    return undefined;
  }
}

function built(cache) {
  require('tsx/cjs');
  const { bundleOf, CLI } = require('../core/engine/worker-bundle.ts');
  let why = 'none built';
  bundleOf(CLI, undefined, (err) => {
    why = err instanceof Error ? err.message : String(err);
  }).then((bundle) => {
    if (!(bundle && fromBundle(cache, bundle, 'built'))) viaTsx(bundle ? `${bundle.file} does not compile` : why);
  });
}

if (process.env.ICEFLOE_NO_BUNDLE) viaTsx('ICEFLOE_NO_BUNDLE is set');
else if (process.argv.includes('--verbose')) viaTsx('--verbose: stack traces name the sources');
else {
  const cache = require('../core/engine/bundle-cache.js');
  const bundle = cached(cache);
  if (!bundle) built(cache);
  else if (!fromBundle(cache, bundle, 'cached')) {
    try {
      require('node:fs').rmSync(bundle.file, { force: true }); // damaged: built again
    } catch {}
    built(cache);
  }
}
