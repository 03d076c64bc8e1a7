import * as z from 'zod';
import type { DocContext } from './context';
import type { ResourceMeta, SecretRef } from './types';
import type { YamlPath } from './yaml-source';

/** DataOS resource names: lower-case words joined by `-` or `_` (the seed's `postgres_depot` has `_`). */
export const NAME_RE = /^[a-z0-9]([a-z0-9_-]*[a-z0-9])?$/;

export const resourceName = z.string().regex(NAME_RE, {
  message: 'must be lower-case letters, digits, - or _ (starting and ending with a letter or digit)',
});

/** The resource-meta section shared by all manifest types (DataOS "Resource meta section"). */
export const metaSchema = z.object({
  name: resourceName,
  version: z.string().min(1),
  type: z.string(),
  tags: z.array(z.string()).optional(),
  description: z.string().optional(),
  owner: z.string().optional(),
  layer: z.enum(['user', 'system']).optional(),
  workspace: z.string().optional(),
});

/**
 * A secret reference as lakehouse storage and depots write it:
 * `{ name, keys?, allkeys? | allKeys?, consumptionType? }`.
 */
export const secretRefSchema = z.object({
  name: resourceName,
  keys: z.array(z.string()).optional(),
  allkeys: z.boolean().optional(),
  allKeys: z.boolean().optional(),
  consumptionType: z.string().optional(),
});

/** Normalizes a secret reference (`allKeys` and `allkeys` both accepted). */
export function toSecretRef(r: z.infer<typeof secretRefSchema>): SecretRef {
  const out: SecretRef = { name: r.name };
  if (r.keys) out.keys = r.keys;
  const all = r.allkeys ?? r.allKeys;
  if (all !== undefined) out.allkeys = all;
  if (r.consumptionType) out.consumptionType = r.consumptionType;
  return out;
}

/** Validates and normalizes the resource-meta section. */
export function parseMeta(ctx: DocContext, raw: Record<string, unknown>): ResourceMeta | undefined {
  const m = ctx.parse(metaSchema, raw, []);
  if (!m) return undefined;
  const meta: ResourceMeta = { name: m.name, version: m.version, source: ctx.src.start };
  if (m.tags) meta.tags = m.tags;
  if (m.description !== undefined) meta.description = m.description;
  if (m.owner !== undefined) meta.owner = m.owner;
  if (m.layer !== undefined) meta.layer = m.layer;
  if (m.workspace !== undefined) meta.workspace = m.workspace;
  return meta;
}

/** True for a plain mapping (not a list, not null). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The raw value at `path` of a parsed document. */
export function rawAt(root: unknown, path: YamlPath): unknown {
  let v = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}
