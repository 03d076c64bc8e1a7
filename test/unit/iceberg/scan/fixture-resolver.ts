/**
 * Test helper: reads fixture tables in place (`../shared/fixtures/iceberg`), mapping the paths
 * written by other machines onto the fixture folder (see the fixtures' INDEX.md, "Path rewriting").
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseTableMetadata } from '../../../../core/iceberg/spec/metadata-parse';
import type { TableMetadata } from '../../../../core/iceberg/spec/table-metadata';

export const FIXTURES = resolve(__dirname, '../../../../../shared/fixtures/iceberg');

/** Every fixture table folder name. */
export function fixtureTables(): string[] {
  return readdirSync(FIXTURES, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/** The table root of a fixture (column-mapping keeps its table below default.db/my_table). */
export function tableRoot(name: string): string {
  const root = join(FIXTURES, name);
  return existsSync(join(root, 'metadata')) ? root : join(root, 'default.db', 'my_table');
}

/** The current metadata file: version hint (number or stem), else the highest version. */
export function currentMetadataPath(root: string): string {
  const dir = join(root, 'metadata');
  const files = readdirSync(dir).filter((f) => f.endsWith('.metadata.json') && f !== 'v0.metadata.json');
  for (const hint of ['version-hint.text', 'version-hint.txt']) {
    const p = join(dir, hint);
    if (!existsSync(p)) continue;
    const text = readFileSync(p, 'utf8').trim();
    if (text === '') break;
    const hit = files.find(
      (f) =>
        f === `v${text}.metadata.json` ||
        f === `v${text}.gz.metadata.json` ||
        f.startsWith(`${text}.`) ||
        f === `${text}.metadata.json`,
    );
    if (hit) return join(dir, hit);
  }
  const version = (f: string) => Number(/^v?(\d+)/.exec(f)?.[1] ?? -1);
  const best = files.sort((a, b) => version(a) - version(b)).at(-1);
  if (!best) throw new Error(`no metadata in ${dir}`);
  return join(dir, best);
}

/** Parses a fixture's current metadata. */
export function loadFixture(name: string): { root: string; path: string; meta: TableMetadata } {
  const root = tableRoot(name);
  const path = currentMetadataPath(root);
  return { root, path, meta: parseTableMetadata(readFileSync(path), { source: path }) };
}

/** Maps a path written by another machine to the fixture folder. */
export function resolveFixturePath(root: string, location: string, path: string): string {
  const locs = [location, location.replace(/^\.\//, '')].filter((l) => l !== '');
  for (const l of locs) if (path.startsWith(`${l}/`)) return join(root, path.slice(l.length + 1));
  for (const seg of ['/metadata/', '/data/']) {
    const i = path.lastIndexOf(seg);
    if (i >= 0) return join(root, path.slice(i + 1));
  }
  for (const seg of ['metadata/', 'data/']) if (path.startsWith(seg)) return join(root, path);
  // Hive-migrated tables: data files directly under the table root.
  const name = path.split('/').at(-1) ?? path;
  return join(root, name);
}

/** A readFile for planning that reads fixture files in place. */
export function fixtureReader(root: string, meta: TableMetadata): (path: string) => Promise<Uint8Array> {
  return async (path: string) => readFileSync(resolveFixturePath(root, meta.location, path));
}
