import { sep } from 'node:path';
import type { Manifest, ManifestSet } from './types';
import type { SourceDoc, YamlPath } from './yaml-source';

/**
 * Folder scoping. When a folder is loaded, each of its subfolders is its own project: a manifest sees
 * the manifests of its folder and of the folders above it (up to the folder given), so
 * `examples/quickstart/` and `examples/quickstart-server/` may both declare `testawslh`. Manifests
 * from files named on the command line have no scope: they see, and are seen by, every manifest.
 */
interface Origin {
  src: SourceDoc;
  /** Absolute folder, or '' for a file given by name. */
  scope: string;
  /** Paths of the manifest's own problems (empty for a valid manifest). */
  problemPaths: readonly YamlPath[];
}

const ORIGINS = new WeakMap<Manifest, Origin>();

/** @internal Records where a manifest came from. */
export function setOrigin(m: Manifest, src: SourceDoc, scope: string, problemPaths: readonly YamlPath[] = []): void {
  ORIGINS.set(m, { src, scope, problemPaths });
}

/** @internal The paths of a manifest's own problems. */
export function problemPathsOf(m: Manifest): readonly YamlPath[] {
  return ORIGINS.get(m)?.problemPaths ?? [];
}

/** @internal Sets the folder scope of a parsed manifest. */
export function setScope(m: Manifest, scope: string): void {
  const o = ORIGINS.get(m);
  if (o) o.scope = scope;
}

/** @internal The document a manifest was parsed from. */
export function sourceDocOf(m: Manifest): SourceDoc | undefined {
  return ORIGINS.get(m)?.src;
}

function scopeOf(m: Manifest): string {
  return ORIGINS.get(m)?.scope ?? '';
}

function within(dir: string, ancestor: string): boolean {
  return dir === ancestor || dir.startsWith(ancestor.endsWith(sep) ? ancestor : ancestor + sep);
}

/** True when manifest `from` can refer to manifest `to` by name. */
export function canSee(from: Manifest, to: Manifest): boolean {
  const a = scopeOf(from);
  const b = scopeOf(to);
  return a === '' || b === '' || within(a, b);
}

/** True when either manifest can see the other: then they may not share a type and name. */
export function clash(a: Manifest, b: Manifest): boolean {
  return canSee(a, b) || canSee(b, a);
}

/** The manifests `from` can see, as a set (all of them when `from` is undefined). */
export function visibleFrom(set: ManifestSet, from: Manifest | undefined): ManifestSet {
  if (!from) return set;
  const keep = <T extends Manifest>(list: T[]) => list.filter((m) => canSee(from, m));
  return {
    manifests: keep(set.manifests),
    lakehouses: keep(set.lakehouses),
    depots: keep(set.depots),
    secrets: keep(set.secrets),
    workflows: keep(set.workflows),
  };
}
