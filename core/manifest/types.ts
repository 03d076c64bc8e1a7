/**
 * The manifest model: what `core/manifest` produces from YAML after validation, and what the rest of
 * icefloe (engine, state machines, CDK, connectors) consumes. Raw manifests keep the DataOS shapes;
 * job options are normalized to camelCase (`source-table` and `source_table` both become `sourceTable`).
 */

/** Where a value came from, for `path:line:col: message` errors. Lines and columns are 1-based. */
export interface SourcePos {
  file: string;
  line: number;
  col: number;
}

/** A validation problem. `validate` prints them as `file:line:col: message`. */
export interface Problem extends SourcePos {
  message: string;
}

/** The resource-meta section every manifest starts with. */
export interface ResourceMeta {
  name: string;
  version: string;
  tags?: string[];
  description?: string;
  owner?: string;
  layer?: string;
  /** The workspace (workflows); `public` when absent. */
  workspace?: string;
  /** The file this manifest came from, and the position of its first line. */
  source: SourcePos;
}

/** A reference to an instance secret, as lakehouse storage and depots write it. */
export interface SecretRef {
  name: string;
  keys?: string[];
  allkeys?: boolean;
  consumptionType?: string;
}

export interface S3Storage {
  bucket: string;
  /** Prefix inside the bucket, normalized without leading/trailing slashes ('' for the bucket root). */
  relativePath: string;
  region?: string;
  endpoint?: string;
  secrets: SecretRef[];
}

/** A local folder as the warehouse (runs without AWS). */
export interface FileStorage {
  /** Absolute path, resolved against the manifest's folder. */
  path: string;
}

export type MetastoreType = 'iceberg-rest-catalog' | 'glue' | 'file' | 'sql';
export type QueryEngineType = 'themis' | 'trino' | 'athena';

export interface LakehouseManifest extends ResourceMeta {
  type: 'lakehouse';
  lakehouse: {
    type: 'iceberg';
    compute?: string;
    storage: {
      /** The depot this lakehouse creates; defaults to the lakehouse name. */
      depotName: string;
      type: 's3' | 'file';
      s3?: S3Storage;
      file?: FileStorage;
    };
    metastore: {
      type: MetastoreType;
      /** REST catalog URI (default: the AWS Glue Iceberg endpoint of the region). */
      uri?: string;
      /** REST warehouse / Glue catalog id. */
      warehouse?: string;
      /** For `sql`: the address of the postgresql depot holding the catalog tables, or `embedded`. */
      depot?: string;
    };
    queryEngine?: { type: QueryEngineType };
  };
}

export interface PostgresDepotSpec {
  host: string;
  port: number;
  database: string;
  /** Connection parameters (`sslmode`, `application_name`, …). */
  params: Record<string, string>;
  /** `embedded` runs PGlite in-process in the given folder instead of connecting to a server. */
  embedded?: { path: string };
}

export interface DepotManifest extends ResourceMeta {
  type: 'depot';
  depot: {
    /** `jdbc` with `subprotocol: postgresql` is normalized to `postgresql`. `generator` is icefloe's generated-data source. */
    type: 'postgresql' | 'lakehouse' | 's3' | 'generator';
    description?: string;
    external?: boolean;
    secrets: SecretRef[];
    postgresql?: PostgresDepotSpec;
    /** For a lakehouse depot: the lakehouse it belongs to. */
    lakehouse?: LakehouseManifest['lakehouse'];
    s3?: S3Storage;
    generator?: GeneratorDepotSpec;
  };
}

/**
 * icefloe's generated-data depot (`depot.type: generator`): deterministic rows, no external system.
 * `dataos://<depot>` with `source-table: <schema>.<table>` selects a built-in dataset (e.g. `sales.orders`).
 */
export interface GeneratorDepotSpec {
  /** Rows per dataset (default 1000). */
  rows: number;
  /** Seed of the pseudo-random generator (default 42): same seed, same rows. */
  seed: number;
}

export interface InstanceSecretManifest extends ResourceMeta {
  type: 'instance-secret';
  'instance-secret': {
    type: 'key-value' | 'key-value-properties';
    acl: 'r' | 'rw';
    /** Values as written, possibly with `${ENV_VAR}` / `${ENV_VAR:-default}` references; `resolveSecret` interpolates. Never print them. */
    data: Record<string, string>;
  };
}

export type IncrementalStrategy = 'append' | 'replace' | 'merge';
export type PartitionTransformName = 'identity' | 'year' | 'month' | 'day' | 'hour' | 'bucket' | 'truncate';

export interface PartitionByField {
  column: string;
  type: PartitionTransformName;
  bucketCount?: number;
  width?: number;
  name?: string;
}

/** Every Nilus batch option, normalized (both `kebab-case` and `snake_case` spellings are accepted in YAML). */
export interface JobOptions {
  /** `schema.table`, or a query: `{ query: 'select …' }` from `query:<SQL>`. */
  sourceTable?: string;
  sourceQuery?: string;
  destTable?: string;
  incrementalStrategy?: IncrementalStrategy;
  primaryKey?: string[];
  incrementalKey?: string;
  intervalStart?: string;
  intervalEnd?: string;
  partitionBy?: PartitionByField[];
  pageSize?: number;
  extractParallelism?: number;
  loaderFileSize?: number;
  /** column → target type name (e.g. `{ amount: 'decimal(18,2)' }`). */
  typeHints?: Record<string, string>;
  /** column → masking function (`hash`, `redact`, `null`, …). */
  mask?: Record<string, string>;
  fullRefresh?: boolean;
  awsRegion?: string;
  awsEndpoint?: string;
  /** Sink: columns to cluster/sort by (`cluster-by`, comma-separated). */
  clusterBy?: string[];
  /** Source: `none | fast | full` (Nilus `sql-reflection-level`). */
  sqlReflectionLevel?: 'none' | 'fast' | 'full';
  /** Source: maximum rows to read. */
  sqlLimit?: number;
  /** Source: columns not to read. */
  sqlExcludeColumns?: string[];
  /** Source: maximum pages yielded. */
  yieldLimit?: number;
  /** Source: how deep nested documents are unnested (default 0). */
  maxTableNesting?: number;
  /** Sink: bucket for temporary files (`staging_bucket`). */
  stagingBucket?: string;
}

export interface Endpoint {
  /** `dataos://<depot>[:<collection>[/<dataset>]]` as written. */
  address: string;
  depot: string;
  collection?: string;
  dataset?: string;
  options: JobOptions;
}

export interface ResourceQuantities {
  /** CPU in millicores (`500m` → 500, `1` → 1000). */
  cpu?: number;
  /** Memory in MiB (`512Mi` → 512, `1Gi` → 1024). */
  memoryMiB?: number;
}

export interface RetryPolicy {
  count: number;
  strategy: 'Always' | 'OnFailure' | 'OnError' | 'OnTransientError';
  /** Seconds between attempts (from `duration`, e.g. `30s`, `1m`). */
  durationSeconds?: number;
}

export interface DagNode {
  name: string;
  title?: string;
  description?: string;
  spec: {
    stack: string;
    compute?: string;
    logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
    resources?: { requests?: ResourceQuantities; limits?: ResourceQuantities };
    /** Secrets the job mounts (Nilus `dataosSecrets`; not needed for depot addresses). */
    dataosSecrets?: SecretRef[];
    stackSpec: { source: Endpoint; sink: Endpoint };
  };
  dependencies: string[];
  retry?: RetryPolicy;
  source: SourcePos;
}

export interface WorkflowSchedule {
  /** Five-field cron as written (minute hour day-of-month month day-of-week). */
  cron: string;
  timezone?: string;
  concurrencyPolicy: 'Allow' | 'Forbid' | 'Replace';
  /** ISO-8601 time after which the schedule stops. */
  endOn?: string;
}

export interface WorkflowManifest extends ResourceMeta {
  type: 'workflow';
  workflow: {
    title?: string;
    schedule?: WorkflowSchedule;
    dag: DagNode[];
  };
}

export type Manifest = LakehouseManifest | DepotManifest | InstanceSecretManifest | WorkflowManifest;

/** All manifests loaded together (a folder, or files given on the command line). */
export interface ManifestSet {
  manifests: Manifest[];
  lakehouses: LakehouseManifest[];
  depots: DepotManifest[];
  secrets: InstanceSecretManifest[];
  workflows: WorkflowManifest[];
}
