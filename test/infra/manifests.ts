import type {
  DepotManifest,
  InstanceSecretManifest,
  LakehouseManifest,
  WorkflowManifest,
} from '../../core/manifest/types';

/** The seed 003 `alphaomega` lakehouse as the manifest loader normalizes it. */
export function alphaomega(overrides: Partial<LakehouseManifest['lakehouse']> = {}): LakehouseManifest {
  return {
    name: 'alphaomega',
    version: 'v1alpha',
    type: 'lakehouse',
    tags: ['Iceberg', 'Azure'],
    description: 'lakehouse depot of storage-type S3',
    owner: 'iamgroot',
    layer: 'user',
    source: { file: 'alphaomega.yaml', line: 1, col: 1 },
    lakehouse: {
      type: 'iceberg',
      compute: 'runnable-default',
      storage: {
        depotName: 'alphaomega',
        type: 's3',
        s3: {
          bucket: 'dataos-lakehouse',
          relativePath: 'test',
          secrets: [
            { name: 'alphaomega-r', keys: ['alphaomega-r'], allkeys: true },
            { name: 'alphaomega-rw', keys: ['alphaomega-rw'], allkeys: true },
          ],
        },
      },
      metastore: { type: 'iceberg-rest-catalog' },
      queryEngine: { type: 'themis' },
      ...overrides,
    },
  };
}

/** The seed 000 workflow, with a schedule, reading `alphaomega` instead of `testawslh`. */
export function ordersWorkflow(schedule?: WorkflowManifest['workflow']['schedule']): WorkflowManifest {
  const pos = { file: 'workflow.yaml', line: 1, col: 1 };
  return {
    name: 'nb-lh-aws-test-01',
    version: 'v1',
    type: 'workflow',
    tags: ['workflow', 'nilus-batch'],
    description: 'Nilus Batch Workflow Sample for AWS Lakehouse',
    workspace: 'research',
    source: pos,
    workflow: {
      schedule,
      dag: [
        {
          name: 'nb-job-01',
          spec: {
            stack: 'nilus:1.0',
            compute: 'runnable-default',
            logLevel: 'INFO',
            resources: { requests: { cpu: 500, memoryMiB: 512 } },
            stackSpec: {
              source: {
                address: 'dataos://alphaomega',
                depot: 'alphaomega',
                options: { sourceTable: 'sales.orders' },
              },
              sink: {
                address: 'dataos://postgres_depot',
                depot: 'postgres_depot',
                options: { destTable: 'retail.orders', incrementalStrategy: 'merge', primaryKey: ['order_id'] },
              },
            },
          },
          dependencies: [],
          source: pos,
        },
      ],
    },
  };
}

/** An instance-secret manifest; values stay `${VAR}` references as in the seed examples. */
export function instanceSecret(name: string, acl: 'r' | 'rw', keys: string[]): InstanceSecretManifest {
  return {
    name,
    version: 'v1',
    type: 'instance-secret',
    layer: 'user',
    source: { file: 'secrets.yaml', line: 1, col: 1 },
    'instance-secret': {
      type: 'key-value-properties',
      acl,
      data: Object.fromEntries(keys.map((k) => [k, `\${${k.toUpperCase()}}`])),
    },
  };
}

/** The seed workflow's Postgres sink depot. */
export function postgresDepot(): DepotManifest {
  return {
    name: 'postgres_depot',
    version: 'v2alpha',
    type: 'depot',
    layer: 'user',
    source: { file: 'depots.yaml', line: 1, col: 1 },
    depot: {
      type: 'postgresql',
      secrets: [{ name: 'postgres-depot-rw', allkeys: true }],
      postgresql: { host: 'db.internal', port: 5432, database: 'retail', params: {} },
    },
  };
}

/** A local lakehouse (storage type file): runs with `icefloe run`, never deployed. */
export function localLakehouse(): LakehouseManifest {
  const lh = alphaomega();
  return {
    ...lh,
    name: 'testawslh',
    lakehouse: {
      ...lh.lakehouse,
      storage: { depotName: 'testawslh', type: 'file', file: { path: '/tmp/warehouse' } },
      metastore: { type: 'file' },
      queryEngine: undefined,
    },
  };
}
