/**
 * Location helpers that work the same for local paths and URIs (`s3://b/k`, `file:///x`,
 * `memory://m/k`): node's `path` module would mangle the `//` of a scheme.
 */

/** Splits `scheme://authority` from the rest; `''` for plain paths. */
export function splitRoot(location: string): { root: string; path: string } {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/]*)(.*)$/.exec(location);
  if (m) return { root: m[1] ?? '', path: m[2] ?? '' };
  return { root: '', path: location };
}

/** The folder part of a location (no trailing slash). */
export function parentOf(location: string): string {
  const { root, path } = splitRoot(location.replace(/\/+$/, ''));
  const i = path.lastIndexOf('/');
  if (i < 0) return root || '.';
  return `${root}${path.slice(0, i) || (root ? '' : '/')}`;
}

/** The last component of a location. */
export function baseName(location: string): string {
  const trimmed = location.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/**
 * Joins a relative path (which may hold `..` and `.`) onto a base location.
 * @example joinLocation('s3://b/warehouse/t', '../other/x.parquet') // 's3://b/warehouse/other/x.parquet'
 */
export function joinLocation(base: string, rel: string): string {
  const { root, path } = splitRoot(base.replace(/\/+$/, ''));
  const absolute = path.startsWith('/');
  const parts = path.split('/').filter((p) => p !== '');
  for (const part of rel.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  const joined = parts.join('/');
  if (root) return `${root}/${joined}`;
  return absolute ? `/${joined}` : joined;
}
