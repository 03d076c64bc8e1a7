import { depotOfLakehouse } from './depot';
import { visibleFrom } from './scope';
import type { DepotManifest, Manifest, ManifestSet, Problem } from './types';

/** A parsed `dataos://<depot>[:<collection>[/<dataset>]]` address. */
export interface ParsedAddress {
  depot: string;
  collection?: string;
  dataset?: string;
}

const SEG = '[A-Za-z0-9][A-Za-z0-9_.-]*';
const ADDRESS_RE = new RegExp(`^dataos://(${SEG})(?::(${SEG})(?:/(${SEG}))?)?$`);

/**
 * Parses a DataOS address (UDL). Returns a lower-case problem text when it does not parse.
 * @example parseAddress('dataos://lakehouse:sales/orders') // { depot: 'lakehouse', collection: 'sales', dataset: 'orders' }
 */
export function parseAddress(address: string): ParsedAddress | string {
  if (!address.startsWith('dataos://')) return `address '${address}' must start with dataos://`;
  const m = ADDRESS_RE.exec(address);
  if (!m) return `address '${address}' is not dataos://<depot>[:<collection>[/<dataset>]]`;
  const out: ParsedAddress = { depot: m[1] as string };
  if (m[2]) out.collection = m[2];
  if (m[3]) out.dataset = m[3];
  return out;
}

/** Every depot of a set: the declared ones and those the lakehouses create (`storage.depotName`). */
export function allDepots(set: ManifestSet): DepotManifest[] {
  return depotEntries(set).map((e) => e.depot);
}

/** @internal Each depot with the manifest that defines it (the depot itself, or its lakehouse). */
export function depotEntries(set: ManifestSet): { depot: DepotManifest; owner: Manifest }[] {
  return [
    ...set.depots.map((d) => ({ depot: d, owner: d as Manifest })),
    ...set.lakehouses.map((lh) => ({ depot: depotOfLakehouse(lh), owner: lh as Manifest })),
  ];
}

/** Result of `resolveAddress`. */
export type ResolvedAddress =
  | { ok: true; depot: DepotManifest; collection?: string; dataset?: string }
  | { ok: false; problem: Problem };

/**
 * Resolves `dataos://<depot>[:<collection>[/<dataset>]]` against the loaded manifests: the depot
 * (declared, or created by a lakehouse) plus collection and dataset. Unknown depots are a problem
 * that lists the known ones. With `from` (e.g. the workflow), only manifests that one can see count
 * (see folder scoping in docs/manifests.md).
 * @example const r = resolveAddress(set, 'dataos://testawslh:sales/orders'); if (r.ok) r.depot.depot.type // 'lakehouse'
 */
export function resolveAddress(set: ManifestSet, address: string, from?: Manifest): ResolvedAddress {
  const parsed = parseAddress(address);
  const at = from?.source ?? { file: '<address>', line: 1, col: 1 };
  if (typeof parsed === 'string') return { ok: false, problem: { ...at, message: parsed } };
  const depots = allDepots(visibleFrom(set, from));
  const matches = depots.filter((d) => d.name === parsed.depot);
  const depot = matches[0];
  if (matches.length > 1) {
    const files = matches.map((d) => d.source.file).join(', ');
    return { ok: false, problem: { ...at, message: `depot '${parsed.depot}' is ambiguous: defined in ${files}` } };
  }
  if (!depot) {
    const known = depots.map((d) => d.name).sort();
    const list = known.length > 0 ? `; known depots: ${known.join(', ')}` : '; no depots are declared';
    return { ok: false, problem: { ...at, message: `unknown depot '${parsed.depot}' in ${address}${list}` } };
  }
  const out: ResolvedAddress = { ok: true, depot };
  if (parsed.collection) out.collection = parsed.collection;
  if (parsed.dataset) out.dataset = parsed.dataset;
  return out;
}
