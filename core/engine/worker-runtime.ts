/**
 * Runs inside the prebuilt bundles (see `worker-bundle.ts`: the Move worker, the CLI), before their entry: code
 * loaded from outside the bundle (a worker's `setupModules`, connector discovery's `require(dir)`, the CLI's
 * commands by name) must share the bundle's module instances (the connector registry above all), and TypeScript
 * files the bundle does not hold still load, through tsx registered on first need.
 * @internal
 */
import { existsSync } from 'node:fs';
import Module from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';

type Load = (request: string, parent: { filename?: string | null } | null | undefined, isMain: boolean) => unknown;
type Thunk = () => unknown;

const TS = /\.[cm]?tsx?$/;
const SUFFIXES = ['', '.ts', '.tsx', '.js', '.cjs', join('/', 'index.ts'), join('/', 'index.js')];

function candidates(request: string, parent: { filename?: string | null } | null | undefined): string[] {
  const from = parent?.filename ? dirname(parent.filename) : process.cwd();
  const base = isAbsolute(request) ? request : resolve(from, request);
  return SUFFIXES.map((s) => base + s);
}

/**
 * Serves `require` of the bundle's own files (by absolute path, with or without extension or `/index`) and of
 * its packages (by bare name) from the bundle; registers tsx (`tsxPath`) before the first require of a
 * TypeScript file the bundle does not hold.
 */
export function install(own: Record<string, Thunk>, bare: Record<string, Thunk>, tsxPath?: string): void {
  const mod = Module as unknown as { _load: Load };
  const original = mod._load;
  let tsx = tsxPath === undefined;
  const done = new Map<Thunk, unknown>(); // one exports object per module, as require's cache gives
  const serve = (t: Thunk) => {
    if (!done.has(t)) done.set(t, t());
    return done.get(t);
  };
  mod._load = function load(this: unknown, request, parent, isMain) {
    if (typeof request === 'string' && !request.startsWith('node:')) {
      if (request.startsWith('.') || isAbsolute(request)) {
        const paths = candidates(request, parent);
        for (const p of paths) {
          const hit = own[p];
          if (hit) return serve(hit);
        }
        if (!tsx && (TS.test(request) || paths.some((p) => TS.test(p) && existsSync(p)))) {
          tsx = true;
          original.call(this, tsxPath as string, null, false);
        }
      } else {
        const hit = bare[request];
        if (hit) return serve(hit);
      }
    }
    return original.call(this, request, parent, isMain);
  } as Load;
}
