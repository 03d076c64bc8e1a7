import { dirname, resolve } from 'node:path';
import * as z from 'zod';
import { isRecord, parseMeta, resourceName, secretRefSchema, toSecretRef } from './common';
import type { DocContext } from './context';
import type { LakehouseManifest, S3Storage, SecretRef } from './types';

/** S3 location: `bucket` and `relativePath` as the DataOS lakehouse reference writes them. */
export const s3Schema = z.object({
  bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: 'must be a valid s3 bucket name' }),
  relativePath: z.string().optional(),
  region: z.string().optional(),
  endpoint: z.string().url({ message: 'must be a url (http://host:port)' }).optional(),
  secrets: z.array(secretRefSchema).optional(),
});

const storageSchema = z.object({
  depotName: resourceName.optional(),
  type: z.enum(['s3', 'file']),
  s3: s3Schema.optional(),
  /** icefloe's local warehouse: a folder, relative to the manifest's folder. */
  file: z.object({ path: z.string().min(1) }).optional(),
  /** The DataOS reference puts the secrets beside `s3:`; the seed puts them inside it. Both are read. */
  secrets: z.array(secretRefSchema).optional(),
});

const metastoreSchema = z.object({
  type: z.enum(['iceberg-rest-catalog', 'glue', 'file', 'sql']),
  uri: z.string().url({ message: 'must be a url' }).optional(),
  warehouse: z.string().optional(),
  depot: z.string().optional(),
});

const queryEngineSchema = z.object({ type: z.enum(['themis', 'trino', 'athena']) });

const lakehouseSchema = z.object({
  type: z.literal('iceberg'),
  compute: z.string().optional(),
  iceberg: z.object({
    storage: storageSchema,
    metastore: metastoreSchema.optional(),
    queryEngine: queryEngineSchema.optional(),
  }),
  // The seed (003) writes these two beside `iceberg:`; the DataOS reference inside it.
  metastore: metastoreSchema.optional(),
  queryEngine: queryEngineSchema.optional(),
});

/** Normalizes S3 storage: relativePath without leading/trailing slashes. */
export function toS3Storage(s3: z.infer<typeof s3Schema>, extraSecrets: SecretRef[]): S3Storage {
  const out: S3Storage = {
    bucket: s3.bucket,
    relativePath: (s3.relativePath ?? '').replace(/^\/+|\/+$/g, ''),
    secrets: [...(s3.secrets ?? []).map(toSecretRef), ...extraSecrets],
  };
  if (s3.region) out.region = s3.region;
  if (s3.endpoint) out.endpoint = s3.endpoint;
  return out;
}

/** Validates a `type: lakehouse` manifest (DataOS lakehouse reference + the seed's layout). */
export function parseLakehouse(ctx: DocContext, raw: Record<string, unknown>): LakehouseManifest | undefined {
  const meta = parseMeta(ctx, raw);
  if (!isRecord(raw.lakehouse)) {
    ctx.at(raw.lakehouse === undefined ? [] : ['lakehouse'], "lakehouse: missing required section 'lakehouse'");
    return undefined;
  }
  const lh = ctx.parse(lakehouseSchema, raw.lakehouse, ['lakehouse']);
  if (!meta || !lh) return undefined;
  for (const key of ['metastore', 'queryEngine'] as const) {
    if (lh[key] && lh.iceberg[key]) {
      ctx.at(['lakehouse', key], `lakehouse.${key}: given twice (also under lakehouse.iceberg)`, { key: true });
    }
  }
  const metastore = lh.iceberg.metastore ?? lh.metastore;
  if (!metastore) {
    ctx.at(['lakehouse', 'iceberg'], "lakehouse.iceberg: missing required field 'metastore'");
    return undefined;
  }
  const { uri, warehouse, depot } = metastore;
  const out: LakehouseManifest = {
    ...meta,
    type: 'lakehouse',
    lakehouse: {
      type: 'iceberg',
      storage: toStorage(ctx, lh.iceberg.storage, meta.name),
      metastore: {
        type: metastore.type,
        ...(uri && { uri }),
        ...(warehouse && { warehouse }),
        ...(depot && { depot }),
      },
    },
  };
  if (lh.compute) out.lakehouse.compute = lh.compute;
  const qe = lh.iceberg.queryEngine ?? lh.queryEngine;
  if (qe) out.lakehouse.queryEngine = { type: qe.type };
  return out;
}

function toStorage(ctx: DocContext, storage: z.infer<typeof storageSchema>, name: string) {
  const out: LakehouseManifest['lakehouse']['storage'] = { depotName: storage.depotName ?? name, type: storage.type };
  const path = ['lakehouse', 'iceberg', 'storage'];
  if (storage.type === 's3') {
    if (!storage.s3) ctx.at(path, "lakehouse.iceberg.storage: type s3 needs an 's3' section (bucket, relativePath)");
    else out.s3 = toS3Storage(storage.s3, (storage.secrets ?? []).map(toSecretRef));
  } else if (!storage.file) {
    ctx.at(path, "lakehouse.iceberg.storage: type file needs a 'file' section with 'path'");
  } else {
    // Relative to the manifest's folder, so a project folder can be moved or run from anywhere.
    out.file = { path: resolve(dirname(ctx.src.file), storage.file.path) };
  }
  return out;
}
