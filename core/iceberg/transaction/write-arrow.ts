/**
 * One-call writes of Arrow data into a catalog table: create (schema from Arrow, partition spec from
 * `partitionBy`), evolve the schema, then append / overwrite / merge on key. Used by the lakehouse
 * sink, the benchmarks and the tests.
 */
import type * as arrow from 'apache-arrow';
import { icebergSchemaOf } from '../../arrow/write/arrow-schema';
import { conformTable } from '../../arrow/write/conform';
import { writeDataFiles } from '../../arrow/write/data-file-writer';
import { InvalidInputError } from '../../errors';
import type { Catalog, LoadedTable } from '../catalog/catalog';
import { TableAlreadyExistsError } from '../catalog/errors';
import type { TableIdentifier, TableUpdate } from '../catalog/updates';
import { PARTITION_DATA_ID_START, type PartitionSpec } from '../spec/partition-spec';
import type { Schema } from '../spec/schema';
import { currentSchema, specById } from '../spec/snapshot-select';
import type { TableMetadata } from '../spec/table-metadata';
import { evolveSchema } from './evolve';
import { dedupeByKey, keyFieldIds, writeCopyOnWrite, writeMergeOnRead } from './merge';
import { appendFiles, type CommitOptions, replaceAll, replaceFiles, rowDelta } from './operations';
import type { CommitOutcome } from './snapshot-producer';

/** A partition field as jobs write it (`partition-by` of a Nilus job). */
export interface PartitionByInput {
  column: string;
  /** `identity`, `year`, `month`, `day`, `hour`, `bucket`, `truncate`, `void`. */
  type: string;
  bucketCount?: number;
  width?: number;
  name?: string;
}

/** Builds a partition spec over `schema` from partition-by entries. */
export function partitionSpecOf(schema: Schema, by: PartitionByInput[] = [], specId = 0): PartitionSpec {
  return {
    'spec-id': specId,
    fields: by.map((p, i) => {
      const src =
        schema.fields.find((f) => f.name === p.column) ??
        schema.fields.find((f) => f.name.toLowerCase() === p.column.toLowerCase());
      if (!src) throw new InvalidInputError(`partition column ${p.column} is not in the table`);
      const transform =
        p.type === 'bucket'
          ? `bucket[${p.bucketCount ?? 16}]`
          : p.type === 'truncate'
            ? `truncate[${p.width ?? 10}]`
            : p.type;
      const name = p.name ?? (p.type === 'identity' ? src.name : `${src.name}_${p.type}`);
      return { 'source-id': src.id, 'field-id': PARTITION_DATA_ID_START + i, name, transform };
    }),
  };
}

/**
 * A new partition spec when `partition-by` differs from the table's default spec (spec "Partition
 * Evolution": new field ids continue from `last-partition-id`; old data keeps its spec), else undefined.
 */
function evolvedSpec(m: TableMetadata, schema: Schema, by: PartitionByInput[]): PartitionSpec | undefined {
  // v1 specs must keep every earlier field (as void); icefloe evolves v2+ tables only.
  if (m['format-version'] === 1) return undefined;
  const wanted = partitionSpecOf(schema, by);
  const current = specById(m, m['default-spec-id']);
  const same = (a: PartitionSpec['fields'], b: PartitionSpec['fields']) =>
    a.length === b.length &&
    a.every((f, i) => f['source-id'] === b[i]?.['source-id'] && f.transform === b[i]?.transform);
  if (
    same(
      current.fields.filter((f) => f.transform !== 'void'),
      wanted.fields,
    )
  )
    return undefined;
  let nextId = m['last-partition-id'];
  const reuse = (f: PartitionSpec['fields'][number]) =>
    m['partition-specs']
      .flatMap((s) => s.fields)
      .find((x) => x['source-id'] === f['source-id'] && x.transform === f.transform);
  return {
    'spec-id': Math.max(...m['partition-specs'].map((s) => s['spec-id'])) + 1,
    fields: wanted.fields.map((f) => {
      const old = reuse(f);
      return old ? { ...f, 'field-id': old['field-id'], name: old.name } : { ...f, 'field-id': ++nextId };
    }),
  };
}

export interface EnsureTableOptions {
  partitionBy?: PartitionByInput[];
  properties?: Record<string, string>;
  formatVersion?: 1 | 2 | 3;
  /**
   * Top-level columns created `required`; all others optional. Sources often mark a column non-nullable
   * only because its first batch had no nulls, and a later null would then fail the write.
   * @default the Arrow schema's nullability
   */
  requiredColumns?: string[];
}

/** Creates the table (and namespace) from an Arrow schema, or evolves an existing one to hold it. */
export async function ensureTable(
  catalog: Catalog,
  id: TableIdentifier,
  schema: arrow.Schema,
  o: EnsureTableOptions = {},
): Promise<LoadedTable> {
  if (await catalog.tableExists(id)) return evolveExisting(catalog, id, await catalog.loadTable(id), schema, o);
  if (!(await catalog.namespaceExists(id.namespace)))
    await catalog.createNamespace(id.namespace).catch(() => undefined);
  let ice = icebergSchemaOf(schema);
  const required = o.requiredColumns;
  if (required) ice = { ...ice, fields: ice.fields.map((f) => ({ ...f, required: required.includes(f.name) })) };
  try {
    return await catalog.createTable(id, {
      schema: ice,
      partitionSpec: partitionSpecOf(ice, o.partitionBy),
      properties: { 'write.parquet.compression-codec': 'zstd', ...(o.properties ?? {}) },
      ...(o.formatVersion ? { formatVersion: o.formatVersion } : {}),
    });
  } catch (e) {
    // Another writer created the table between tableExists and createTable (two first runs at once):
    // use its table, with the same schema and spec checks as when the table existed before.
    if (!(e instanceof TableAlreadyExistsError)) throw e;
    return evolveExisting(catalog, id, await catalog.loadTable(id), schema, o);
  }
}

/** Evolves an existing table's schema (and partition spec) to accept `schema`; the table itself when nothing changes. */
async function evolveExisting(
  catalog: Catalog,
  id: TableIdentifier,
  t: LoadedTable,
  schema: arrow.Schema,
  o: EnsureTableOptions,
): Promise<LoadedTable> {
  const m = t.metadata;
  const cur = currentSchema(m);
  const next = evolveSchema(cur, schema, m['last-column-id'], Math.max(...m.schemas.map((s) => s['schema-id'])) + 1);
  const updates: TableUpdate[] = next
    ? [
        { action: 'add-schema', schema: next },
        { action: 'set-current-schema', 'schema-id': -1 },
      ]
    : [];
  const spec = o.partitionBy ? evolvedSpec(m, next ?? cur, o.partitionBy) : undefined;
  if (spec) updates.push({ action: 'add-spec', spec }, { action: 'set-default-spec', 'spec-id': -1 });
  if (updates.length === 0) return t;
  return catalog.commitTable({
    identifier: id,
    requirements: [
      { type: 'assert-current-schema-id', 'current-schema-id': m['current-schema-id'] },
      { type: 'assert-default-spec-id', 'default-spec-id': m['default-spec-id'] },
    ],
    updates,
  });
}

export interface WriteArrowOptions extends CommitOptions {
  mode: 'append' | 'overwrite' | 'merge';
  /** Key columns of a merge. */
  keys?: string[];
  /** Deterministic data file name prefix. @default a timestamp */
  prefix?: string;
  /** Overrides the table's `write.merge.mode`. */
  mergeMode?: 'merge-on-read' | 'copy-on-write';
}

/** Writes `table` into an existing catalog table in one snapshot. */
export async function writeArrow(
  catalog: Catalog,
  id: TableIdentifier,
  table: arrow.Table,
  o: WriteArrowOptions,
): Promise<CommitOutcome> {
  const loaded = await catalog.loadTable(id);
  const m = loaded.metadata;
  const schema = currentSchema(m);
  const spec = specById(m, m['default-spec-id']);
  const prefix = o.prefix ?? `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  let data = conformTable(table, schema);
  const common = { io: catalog.io, location: m.location, schema, spec, properties: m.properties, prefix };
  if (o.mode === 'append') return appendFiles(catalog, id, await writeDataFiles(data, common), o);
  if (o.mode === 'overwrite') return replaceAll(catalog, id, await writeDataFiles(data, common), o);
  const keyIds = keyFieldIds(schema, o.keys ?? []);
  if (keyIds.length === 0) throw new InvalidInputError('a merge needs primary key columns (primary-key)');
  data = dedupeByKey(data, schema, keyIds);
  const mode = o.mergeMode ?? m.properties['write.merge.mode'] ?? 'merge-on-read';
  const mo = { io: catalog.io, metadata: m, schema, spec, keyIds, prefix };
  if (mode === 'copy-on-write' || m['format-version'] < 2) {
    const { remove, add } = await writeCopyOnWrite(data, mo);
    return replaceFiles(catalog, id, remove, add, { ...o, operation: remove.length ? 'overwrite' : 'append' });
  }
  return rowDelta(catalog, id, await writeMergeOnRead(data, mo), o);
}
