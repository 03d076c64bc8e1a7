/**
 * Finds the current metadata file of a table given a metadata file, a table folder or its
 * `metadata/` folder (local or `s3://`). Order, as the Hadoop catalog defines it:
 * `version-hint.text` (or `.txt`, Impala) holding `N` (→ `vN.metadata.json`, then probing v(N+1), … as
 * HadoopTableOperations does, since the hint may lag a commit) or a file stem;
 * an empty or useless hint, or none, → the highest version among `vN.metadata.json` and
 * `NNNNN-uuid.metadata.json` files.
 */
import { NotFoundError } from '../../errors';
import type { FileIO } from '../io/file-io';
import { baseName, joinLocation } from './paths';

const METADATA_FILE = /\.metadata\.json$/;
const VERSIONED = /^v(\d+)(?:\.gz)?\.metadata\.json$/;
const SEQUENCED = /^(\d+)-.*\.metadata\.json$/;

/** True when the location names a metadata file rather than a folder. */
export function isMetadataFile(location: string): boolean {
  return METADATA_FILE.test(location);
}

/** Resolves a table location to its current metadata file; NotFoundError naming the folder when there is none. */
export async function locateMetadataFile(location: string, io: FileIO): Promise<string> {
  const trimmed = location.replace(/\/+$/, '');
  if (isMetadataFile(trimmed)) return trimmed;
  const metadataDir = baseName(trimmed) === 'metadata' ? trimmed : joinLocation(trimmed, 'metadata');
  const hinted = await fromHint(metadataDir, io);
  if (hinted) return hinted;
  const highest = await highestVersion(metadataDir, io);
  if (highest) return highest;
  throw new NotFoundError(`no iceberg metadata file found in ${metadataDir}`);
}

async function readHint(metadataDir: string, io: FileIO): Promise<string | undefined> {
  for (const name of ['version-hint.text', 'version-hint.txt']) {
    const path = joinLocation(metadataDir, name);
    if (await io.exists(path)) return new TextDecoder().decode(await io.read(path)).trim();
  }
  return undefined;
}

async function fromHint(metadataDir: string, io: FileIO): Promise<string | undefined> {
  const hint = await readHint(metadataDir, io);
  if (!hint) return undefined; // no hint, or an empty one (Impala v3 tables): fall back to listing
  const stem = hint.replace(/(\.gz)?\.metadata\.json$/, '');
  const numeric = /^\d+$/.test(stem);
  const stems = numeric ? [`v${stem}`, stem] : [stem];
  for (const s of stems) {
    const path = await existingMetadata(metadataDir, s, io);
    if (!path) continue;
    // The hint is written after the commit creates vN.metadata.json, best-effort, so it can lag behind.
    // Iceberg Java's HadoopTableOperations.findVersion reads the hint and then probes v(N+1), v(N+2), …
    // until one is missing; do the same for the vN naming.
    return numeric && s.startsWith('v') ? await probeUpward(metadataDir, BigInt(stem), path, io) : path;
  }
  return undefined;
}

/** The path of `<stem>.metadata.json` or `<stem>.gz.metadata.json` when one exists. */
async function existingMetadata(metadataDir: string, stem: string, io: FileIO): Promise<string | undefined> {
  for (const suffix of ['.metadata.json', '.gz.metadata.json']) {
    const path = joinLocation(metadataDir, `${stem}${suffix}`);
    if (await io.exists(path)) return path;
  }
  return undefined;
}

/** From version `n` at `path`, follows v(n+1), v(n+2), … while they exist; returns the last one found. */
async function probeUpward(metadataDir: string, n: bigint, path: string, io: FileIO): Promise<string> {
  let current = path;
  for (let v = n + 1n; ; v++) {
    const next = await existingMetadata(metadataDir, `v${v}`, io);
    if (!next) return current;
    current = next;
  }
}

async function highestVersion(metadataDir: string, io: FileIO): Promise<string | undefined> {
  let best: { version: bigint; path: string } | undefined;
  for await (const file of io.list(`${metadataDir}/`)) {
    const name = baseName(file.path);
    const m = VERSIONED.exec(name) ?? SEQUENCED.exec(name);
    if (!m?.[1]) continue;
    const version = BigInt(m[1]);
    if (!best || version > best.version) best = { version, path: joinLocation(metadataDir, name) };
  }
  return best?.path;
}
