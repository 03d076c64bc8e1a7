/** Types of `bundle-cache.js` (plain JavaScript: `bin/icefloe.js` loads it before tsx). @internal */

/** A built bundle: the file, and where its V8 code cache goes. */
export interface WorkerBundle {
  file: string;
  codeCache: string;
}

/** What a bundle was built from (the index file beside it). */
export interface BundleIndex {
  format: number;
  /** The bundle's name: its files are `<name>-<hash>.js`. */
  name: string;
  /** The checkout it was built from. */
  root: string;
  /** Our files in the bundle (absolute). */
  own: string[];
  /** Folders of the bundled packages (absolute). */
  packages: string[];
  /** Folders whose TypeScript files are required by a computed path (their listing is hashed). */
  discovered: string[];
  hash: string;
}

export const FORMAT: number;
export function cacheDir(root: string): string;
export function fallbackDir(): string;
export function sha(s: string): string;
export function indexFile(dir: string, name: string, root: string): string;
export function bundlePaths(dir: string, name: string, hash: string): WorkerBundle;
export function listTs(dir: string): string[];
export function fingerprint(index: Omit<BundleIndex, 'format' | 'hash'>, loaded?: Map<string, string>): string;
export function cachedBundle(dir: string, name: string, root: string): WorkerBundle | undefined;
export function compileBundle(bundle: WorkerBundle): { run(opts?: { tsx?: string }): unknown } | undefined;
