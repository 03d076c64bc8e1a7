#!/usr/bin/env node
// Adds lock entries for optional platform packages the registry mirror of this workplace does not serve
// (darwin, win32, musl, … builds of esbuild, swc, biome, duckdb): `npm install` silently skips them and
// writes a lock without them, after which `npm ci` refuses the lock as out of sync. The entries carry the
// package's os/cpu/libc, so `npm ci` skips them on this platform and never fetches them.
// Run after any `npm install` that changes package-lock.json: `node scripts/complete-lockfile.js`.
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const OS = ['darwin', 'win32', 'linux', 'android', 'freebsd', 'openbsd', 'netbsd', 'sunos', 'aix', 'openharmony'];
const CPU = ['x64', 'arm64', 'arm', 'ia32', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el', 'wasm32'];

/** os/cpu/libc from a platform package name such as `@swc/core-linux-x64-musl` or `@esbuild/win32-arm64`. */
function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const out = {};
  const os = parts.find((p) => OS.includes(p)) ?? (parts.includes('win') ? 'win32' : undefined);
  const cpu = parts.find((p) => CPU.includes(p));
  if (os) out.os = [os];
  if (cpu) out.cpu = [cpu];
  if (os === 'linux') out.libc = [parts.includes('musl') ? 'musl' : 'glibc'];
  return out;
}

const file = join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(readFileSync(file, 'utf8'));
const packages = lock.packages;
let added = 0;
for (const [path, entry] of Object.entries(packages)) {
  for (const [dep, range] of Object.entries(entry.optionalDependencies ?? {})) {
    const prefix = path === '' ? '' : `${path}/`;
    const nested = `${prefix}node_modules/${dep}`;
    const top = `node_modules/${dep}`;
    if (packages[nested] || packages[top]) continue;
    const platform = platformOf(dep);
    if (!platform.os && !platform.cpu) continue; // not a platform build: leave it to npm
    packages[top] = {
      version: String(range).replace(/^[\^~=]/, ''),
      ...(platform.cpu ? { cpu: platform.cpu } : {}),
      ...(entry.dev ? { dev: true } : {}),
      ...(platform.libc ? { libc: platform.libc } : {}),
      optional: true,
      ...(platform.os ? { os: platform.os } : {}),
    };
    added++;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)),
);
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
process.stdout.write(`complete-lockfile: ${added} platform entries added\n`);
