import { dirname, resolve } from 'node:path';
import * as z from 'zod';
import { isRecord, parseMeta, secretRefSchema, toSecretRef } from './common';
import type { DocContext } from './context';
import { s3Schema, toS3Storage } from './lakehouse';
import type { DepotManifest, LakehouseManifest, PostgresDepotSpec } from './types';

const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** `postgresql:` (DataOS depot reference) or `jdbc:` with `subprotocol: postgresql`. */
const postgresSchema = z.object({
  subprotocol: z.literal('postgresql').optional(),
  host: z.string().min(1).optional(),
  port: z.number().int().min(1).max(65535).optional(),
  database: z.string().min(1).optional(),
  /** Connection parameters, as a mapping or a `k=v&k2=v2` string. */
  params: z.union([z.record(z.string(), scalar), z.string()]).optional(),
  /** icefloe: run PGlite in-process with its data in this folder (relative to the manifest). */
  embedded: z.object({ path: z.string().min(1) }).optional(),
});

/** icefloe's generated-data source (`type: generator`): deterministic rows for demos and tests. */
const generatorSchema = z.object({
  rows: z.number().int().min(0).optional(),
  seed: z.number().int().optional(),
});

const depotSchema = z.object({
  // Older DataOS depots write the type in capitals (`type: POSTGRESQL`, `type: JDBC`).
  type: z.preprocess(
    (v) => (typeof v === 'string' ? v.toLowerCase() : v),
    z.enum(['postgresql', 'jdbc', 's3', 'generator', 'lakehouse']),
  ),
  description: z.string().optional(),
  external: z.boolean().optional(),
  secrets: z.array(secretRefSchema).optional(),
  postgresql: postgresSchema.optional(),
  jdbc: postgresSchema.optional(),
  /** Older DataOS depots put the connection under `spec:`. */
  spec: postgresSchema.optional(),
  s3: s3Schema.optional(),
  generator: generatorSchema.optional(),
});

type RawPostgres = z.infer<typeof postgresSchema>;

function toParams(p: RawPostgres['params']): Record<string, string> {
  if (p === undefined) return {};
  if (typeof p === 'string') {
    return Object.fromEntries(new URLSearchParams(p.replace(/^\?/, '')).entries());
  }
  return Object.fromEntries(Object.entries(p).map(([k, v]) => [k, String(v)]));
}

function toPostgres(ctx: DocContext, pg: RawPostgres, path: string[]): PostgresDepotSpec | undefined {
  if (!pg.embedded && !pg.host) {
    ctx.at(
      path,
      `${path.join('.')}: missing required field 'host' (or 'embedded: { path }' for an in-process database)`,
    );
    return undefined;
  }
  const out: PostgresDepotSpec = {
    host: pg.host ?? 'localhost',
    port: pg.port ?? 5432,
    database: pg.database ?? 'postgres',
    params: toParams(pg.params),
  };
  if (pg.embedded) out.embedded = { path: resolve(dirname(ctx.src.file), pg.embedded.path) };
  return out;
}

/** Validates a `type: depot` manifest: postgresql (or jdbc/postgresql), s3, generator. */
export function parseDepot(ctx: DocContext, raw: Record<string, unknown>): DepotManifest | undefined {
  const meta = parseMeta(ctx, raw);
  if (!isRecord(raw.depot)) {
    ctx.at(raw.depot === undefined ? [] : ['depot'], "depot: missing required section 'depot'");
    return undefined;
  }
  const d = ctx.parse(depotSchema, raw.depot, ['depot']);
  if (!meta || !d) return undefined;
  if (d.type === 'lakehouse') {
    ctx.at(
      ['depot', 'type'],
      "depot.type: a lakehouse depot is created by a 'type: lakehouse' manifest (storage.depotName), not declared",
    );
    return undefined;
  }
  const type = d.type === 'jdbc' ? 'postgresql' : d.type;
  const out: DepotManifest = { ...meta, type: 'depot', depot: { type, secrets: (d.secrets ?? []).map(toSecretRef) } };
  if (d.description !== undefined) out.depot.description = d.description;
  if (d.external !== undefined) out.depot.external = d.external;
  if (type === 'postgresql') {
    const named = d.type === 'jdbc' ? 'jdbc' : 'postgresql';
    const section = d[named] ? named : d.spec ? 'spec' : named;
    const pg = d[section];
    if (!pg) ctx.at(['depot'], `depot: type ${d.type} needs a '${named}' section (host, port, database)`);
    else {
      const spec = toPostgres(ctx, pg, ['depot', section]);
      if (spec) out.depot.postgresql = spec;
    }
  } else if (type === 's3') {
    if (!d.s3) ctx.at(['depot'], "depot: type s3 needs an 's3' section (bucket, relativePath)");
    else out.depot.s3 = toS3Storage(d.s3, []);
  } else {
    out.depot.generator = { rows: d.generator?.rows ?? 1000, seed: d.generator?.seed ?? 42 };
  }
  return out;
}

const LAKEHOUSE_DEPOTS = new WeakMap<LakehouseManifest, DepotManifest>();

/** The depot a lakehouse creates (`storage.depotName`, default the lakehouse's name); the same object each call. */
export function depotOfLakehouse(lh: LakehouseManifest): DepotManifest {
  const cached = LAKEHOUSE_DEPOTS.get(lh);
  if (cached) return cached;
  const storage = lh.lakehouse.storage;
  const depot: DepotManifest = {
    name: storage.depotName,
    version: lh.version,
    source: lh.source,
    type: 'depot',
    depot: { type: 'lakehouse', secrets: storage.s3?.secrets ?? [], lakehouse: lh.lakehouse },
  };
  if (lh.description !== undefined) depot.depot.description = lh.description;
  if (lh.workspace !== undefined) depot.workspace = lh.workspace;
  if (storage.s3) depot.depot.s3 = storage.s3;
  LAKEHOUSE_DEPOTS.set(lh, depot);
  return depot;
}
