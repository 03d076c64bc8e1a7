/**
 * `--allow-moved-paths`: reads a table copied away from where it was written. Metadata, manifests
 * and position-delete files hold paths of the writer's machine (`s3a://bucket/t/…`,
 * `hdfs://host:port/warehouse/t/…`, `/tmp/t/…`, relative `t/…`, malformed `file://rel/…`); each is
 * re-rooted onto the folder the table was actually opened from.
 *
 * Rule (it resolves every fixture of shared/fixtures/iceberg): normalize the path and the
 * metadata's `location` (drop scheme and authority, `./`, leading `/`), then
 * 1. the path starts with the location → table root + the rest;
 * 2. they share a leading folder prefix → climb out of the location's remaining folders
 *    (a data file registered from outside the table folder);
 * 3. the path has a `/metadata/` or `/data/` folder → table root + the part from there on;
 * 4. a relative path → table root + path.
 */
import { joinLocation } from './paths';

/** Maps a path written in metadata to the location to read. */
export type PathResolver = (path: string) => string;

/** The identity resolver (paths are read as written). */
export const identityPaths: PathResolver = (p) => p;

/** A path without scheme, authority, `./` and leading `/`, split into folders. */
export function normalizedParts(location: string): string[] {
  let p = location;
  const file = /^file:(\/\/)?(.*)$/.exec(p);
  if (file) {
    // `file:///abs` and `file:/abs` are absolute; `file://rel/x` is a relative path written as a
    // URI (the "host" is really the first folder), as DuckDB and PyIceberg fixtures show.
    p = file[2] ?? '';
  } else {
    p = p.replace(/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/]*/, '');
  }
  return p.split('/').filter((part) => part !== '' && part !== '.');
}

function isRelative(path: string): boolean {
  return !/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(path) && !path.startsWith('/');
}

function commonPrefixLength(a: string[], b: string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

function fromMarker(parts: string[]): string[] | undefined {
  for (let i = parts.length - 2; i >= 0; i--) {
    if (parts[i] === 'metadata' || parts[i] === 'data') return parts.slice(i);
  }
  return undefined;
}

/**
 * A resolver that re-roots paths written under `writtenLocation` (the metadata's `location`)
 * onto `tableRoot` (where the table was found).
 * @example movedPathResolver('/fixtures/t', 's3a://bucket/t')('s3a://bucket/t/data/a.parquet') // '/fixtures/t/data/a.parquet'
 */
export function movedPathResolver(tableRoot: string, writtenLocation: string): PathResolver {
  const loc = normalizedParts(writtenLocation);
  const cache = new Map<string, string>();
  const rootPrefix = `${tableRoot.replace(/\/+$/, '')}/`;
  const resolve = (path: string): string => {
    if (path.startsWith(rootPrefix)) return path; // already resolved (idempotent)
    const parts = normalizedParts(path);
    const common = commonPrefixLength(parts, loc);
    if (common === loc.length && loc.length > 0) return joinLocation(tableRoot, parts.slice(common).join('/'));
    if (common > 0 && common < parts.length) {
      const up = Array.from({ length: loc.length - common }, () => '..');
      return joinLocation(tableRoot, [...up, ...parts.slice(common)].join('/'));
    }
    const marked = fromMarker(parts);
    if (marked) return joinLocation(tableRoot, marked.join('/'));
    if (isRelative(path)) return joinLocation(tableRoot, parts.join('/'));
    return path;
  };
  return (path: string) => {
    let hit = cache.get(path);
    if (hit === undefined) {
      hit = resolve(path);
      if (cache.size < 100_000) cache.set(path, hit);
    }
    return hit;
  };
}
