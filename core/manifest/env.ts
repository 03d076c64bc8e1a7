import { depotOfLakehouse } from './depot';
import type { DepotManifest, InstanceSecretManifest, LakehouseManifest, MetastoreType, Problem } from './types';

/** What the seed's environment form configures: a lakehouse, its depot, and the secret holding the keys. */
export interface LakehouseFromEnv {
  lakehouse?: LakehouseManifest;
  depot?: DepotManifest;
  /** Holds `${AWS_ACCESS_KEY_ID}` / `${AWS_SECRET_ACCESS_KEY}` references (resolved by `resolveSecret`). */
  secret?: InstanceSecretManifest;
  problems: Problem[];
}

const METASTORES: MetastoreType[] = ['iceberg-rest-catalog', 'glue', 'file', 'sql'];
const envRef = (name: string) => `$${'{'}${name}}`;
const at = (message: string): Problem => ({ file: '<env>', line: 1, col: 1, message });

/**
 * The lakehouse depot of the seed's environment form (seed 000, "Environment Variables"):
 * `TYPE=S3`, `DESTINATION_BUCKET=s3://bucket/path`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
 * `AWS_REGION`, optional `AWS_ENDPOINT`. icefloe extras: `METASTORE_TYPE` (default `glue`, or
 * `file` when `AWS_ENDPOINT` points at an S3-compatible server) and `METASTORE_URI`.
 * Returns no manifests (and no problems) when neither `TYPE` nor `DESTINATION_BUCKET` is set.
 * @example const { depot } = lakehouseDepotFromEnv(process.env, 'testawslh');
 */
export function lakehouseDepotFromEnv(env: NodeJS.ProcessEnv, name = 'lakehouse'): LakehouseFromEnv {
  if (!env.TYPE && !env.DESTINATION_BUCKET) return { problems: [] };
  const problems: Problem[] = [];
  if ((env.TYPE ?? '').toUpperCase() !== 'S3') problems.push(at(`TYPE must be S3, got '${env.TYPE ?? ''}'`));
  const m = /^s3a?:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(\/.*)?$/.exec(env.DESTINATION_BUCKET ?? '');
  if (!m) problems.push(at(`DESTINATION_BUCKET must be s3://bucket-name/path, got '${env.DESTINATION_BUCKET ?? ''}'`));
  if (!env.AWS_REGION) problems.push(at('AWS_REGION is not set (e.g. us-east-1)'));
  if (Boolean(env.AWS_ACCESS_KEY_ID) !== Boolean(env.AWS_SECRET_ACCESS_KEY)) {
    problems.push(at('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together'));
  }
  const metastore = (env.METASTORE_TYPE ?? (env.AWS_ENDPOINT ? 'file' : 'glue')) as MetastoreType;
  if (!METASTORES.includes(metastore))
    problems.push(at(`METASTORE_TYPE must be one of ${METASTORES.join(', ')}, got '${metastore}'`));
  if (problems.length > 0 || !m) return { problems };
  const source = { file: '<env>', line: 1, col: 1 };
  const secretName = `${name}-rw`;
  const hasKeys = Boolean(env.AWS_ACCESS_KEY_ID);
  const lakehouse: LakehouseManifest = {
    name,
    version: 'v1alpha',
    source,
    type: 'lakehouse',
    lakehouse: {
      type: 'iceberg',
      storage: {
        depotName: name,
        type: 's3',
        s3: {
          bucket: m[1] as string,
          relativePath: (m[2] ?? '').replace(/^\/+|\/+$/g, ''),
          region: env.AWS_REGION as string,
          secrets: hasKeys ? [{ name: secretName, allkeys: true }] : [],
        },
      },
      metastore: { type: metastore },
    },
  };
  const s3 = lakehouse.lakehouse.storage.s3 as NonNullable<LakehouseManifest['lakehouse']['storage']['s3']>;
  if (env.AWS_ENDPOINT) s3.endpoint = env.AWS_ENDPOINT;
  if (env.METASTORE_URI) lakehouse.lakehouse.metastore.uri = env.METASTORE_URI;
  const out: LakehouseFromEnv = { lakehouse, depot: depotOfLakehouse(lakehouse), problems };
  if (hasKeys) {
    out.secret = {
      name: secretName,
      version: 'v1',
      source,
      type: 'instance-secret',
      'instance-secret': {
        type: 'key-value-properties',
        acl: 'rw',
        // Literal references, interpolated by resolveSecret (never the values themselves).
        data: { awsaccesskeyid: envRef('AWS_ACCESS_KEY_ID'), awssecretaccesskey: envRef('AWS_SECRET_ACCESS_KEY') },
      },
    };
  }
  return out;
}
