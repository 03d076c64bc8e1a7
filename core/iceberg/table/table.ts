/**
 * The Table facade: open a table from a location, describe it, list its history, and scan it into
 * Arrow record batches (snapshot selection, column projection, filter, limit, deletes).
 */
import type { RecordBatch } from 'apache-arrow';
import { DeleteLoader } from '../../arrow/read/deletes';
import { closeParquet } from '../../arrow/read/parquet';
import { mappingMatchesSchema } from '../../arrow/read/project';
import {
  LINEAGE_FIELDS,
  openDataFile,
  type ReadContext,
  type ReadState,
  type ReadTask,
  readDataFile,
} from '../../arrow/read/read-file';
import { InvalidInputError } from '../../errors';
import type { Expression } from '../scan/expression';
import { tableNameMapping } from '../spec/name-mapping';
import type { PartitionSpec } from '../spec/partition-spec';
import { type Schema, selectColumns } from '../spec/schema';
import type { Snapshot } from '../spec/snapshot';
import { currentSchema, currentSnapshot, schemaForSnapshot, selectSnapshot, specById } from '../spec/snapshot-select';
import type { TableMetadata } from '../spec/table-metadata';
import type { NestedField } from '../spec/types';
import { type LoadedTable, loadTable, type OpenTableOptions } from './open';
import { planScanFiles, type ReadPlan } from './plan-adapter';

/** What to read. At most one of `snapshotId`, `asOf`, `ref`. */
export interface ScanOptions {
  snapshotId?: bigint;
  /** A time: the snapshot current then is read. */
  asOf?: Date | number | bigint;
  ref?: string;
  /** Top-level column names (all when absent). */
  columns?: string[];
  /** A predicate in the `--where` language (`id > 10 and name is not null`), or an expression tree. */
  where?: string | Expression;
  limit?: number;
}

/** Counters of one scan, filled while planning and reading. */
export interface ScanStats {
  manifests: number;
  dataFiles: number;
  deleteFiles: number;
  /** Delete entries attached to data files (a Puffin file holds one entry per deletion vector). */
  deleteEntries: number;
  skippedDataFiles: number;
  /** Sum of `record_count` of the data files pruned by the filter. */
  skippedRecords: number;
  rows: number;
}

/** Counters of a scan that has not started. */
export function emptyScanStats(): ScanStats {
  return {
    manifests: 0,
    dataFiles: 0,
    deleteFiles: 0,
    deleteEntries: 0,
    skippedDataFiles: 0,
    skippedRecords: 0,
    rows: 0,
  };
}

/** A planned scan: its schema and a stream of batches. */
export interface TableScan {
  snapshot: Snapshot | undefined;
  /** The schema the scan reads with (the snapshot's for time travel, else the current one). */
  schema: Schema;
  /** Output columns, in order. */
  fields: NestedField[];
  stats: ScanStats;
  batches(): AsyncIterable<RecordBatch>;
}

/** One entry of `history()`. */
export interface HistoryEntry {
  snapshotId: bigint;
  parentId?: bigint;
  timestampMs: bigint;
  sequenceNumber?: bigint;
  operation: string;
  summary: Record<string, string>;
  isCurrentAncestor: boolean;
}

/** An opened Iceberg table. */
export class Table {
  constructor(readonly loaded: LoadedTable) {}

  get metadata(): TableMetadata {
    return this.loaded.metadata;
  }

  /** Schema, partition spec, properties and current snapshot. */
  describe() {
    const m = this.metadata;
    const spec: PartitionSpec = specById(m, m['default-spec-id']);
    return {
      metadataLocation: this.loaded.metadataLocation,
      location: m.location,
      formatVersion: m['format-version'],
      tableUuid: m['table-uuid'],
      schema: currentSchema(m),
      partitionSpec: spec,
      sortOrder: m['sort-orders'].find((o) => o['order-id'] === m['default-sort-order-id']),
      properties: m.properties,
      currentSnapshot: currentSnapshot(m),
    };
  }

  /** Every snapshot, oldest first, marking the ancestors of the current one. */
  history(): HistoryEntry[] {
    const m = this.metadata;
    const byId = new Map(m.snapshots.map((s) => [s['snapshot-id'], s]));
    const ancestry = new Set<bigint>();
    for (let s = currentSnapshot(m); s && !ancestry.has(s['snapshot-id']); ) {
      ancestry.add(s['snapshot-id']);
      const parent = s['parent-snapshot-id'];
      s = parent === undefined ? undefined : byId.get(parent);
    }
    return [...m.snapshots]
      .sort((a, b) => (a['timestamp-ms'] < b['timestamp-ms'] ? -1 : a['timestamp-ms'] > b['timestamp-ms'] ? 1 : 0))
      .map((s) => {
        const { operation, ...rest } = s.summary;
        const e: HistoryEntry = {
          snapshotId: s['snapshot-id'],
          timestampMs: s['timestamp-ms'],
          operation: operation ?? 'append',
          summary: rest,
          isCurrentAncestor: ancestry.has(s['snapshot-id']),
        };
        if (s['parent-snapshot-id'] !== undefined) e.parentId = s['parent-snapshot-id'];
        if (s['sequence-number'] !== undefined) e.sequenceNumber = s['sequence-number'];
        return e;
      });
  }

  /** Plans a scan; batches are read lazily, one data file (row groups in bounded batches) at a time. */
  async scan(options: ScanOptions = {}): Promise<TableScan> {
    const m = this.metadata;
    const chosen = [options.snapshotId, options.asOf, options.ref].filter((x) => x !== undefined);
    if (chosen.length > 1) throw new InvalidInputError('give at most one of snapshot id, as-of time and ref');
    if (options.limit !== undefined && (!Number.isInteger(options.limit) || options.limit < 0)) {
      throw new InvalidInputError(`limit must be a non-negative integer, got ${options.limit}`);
    }
    const snapshot = selectSnapshot(m, options);
    const schema = chosen.length > 0 ? schemaForSnapshot(m, snapshot) : currentSchema(m);
    const selected = selectColumns(schema, options.columns);
    const lineage = LINEAGE_FIELDS.filter((f) => selected.missing.includes(f.name));
    const fields = [...selected.fields, ...lineage];
    const missing = selected.missing.filter((n) => !lineage.some((f) => f.name === n));
    if (missing.length > 0) {
      throw new InvalidInputError(`unknown column '${missing[0]}' in table ${m.location}`);
    }
    const stats = emptyScanStats();
    const selector = {
      ...(options.snapshotId !== undefined ? { snapshotId: options.snapshotId } : {}),
      ...(options.asOf !== undefined ? { asOf: options.asOf } : {}),
      ...(options.ref !== undefined ? { ref: options.ref } : {}),
    };
    const plan = await planScanFiles(this.loaded, selector, options.where, stats, lineage.length > 0);
    return {
      snapshot,
      schema,
      fields,
      stats,
      batches: () => this.read(plan, schema, fields, options.limit, stats),
    };
  }

  private async *read(
    plan: ReadPlan,
    schema: Schema,
    fields: NestedField[],
    limit: number | undefined,
    stats: ScanStats,
  ) {
    const declared = tableNameMapping(this.metadata);
    const mapping = declared && mappingMatchesSchema(declared, schema) ? declared : undefined;
    const { fileIO, resolve } = this.loaded;
    const ctx: ReadContext = {
      io: fileIO,
      resolve,
      output: fields,
      extra: plan.extra.filter((f) => !fields.some((o) => o.id === f.id)),
      schema,
      deletes: new DeleteLoader(fileIO, resolve, schema, mapping),
      ...(mapping ? { nameMapping: mapping } : {}),
      ...(limit !== undefined ? { limit } : {}),
    };
    const state: ReadState = { rowsOut: 0 };
    const tasks = plan.tasks as ReadTask[];
    // The next file is opened (fetched, footer parsed) while this one is decoded and consumed.
    const opening = (i: number) => {
      const p = openDataFile(tasks[i] as ReadTask, ctx);
      p.catch(() => undefined); // awaited (and reported) when its turn comes
      return p;
    };
    let next = tasks.length > 0 ? opening(0) : undefined;
    try {
      for (let i = 0; i < tasks.length; i++) {
        const current = next;
        next = i + 1 < tasks.length ? opening(i + 1) : undefined;
        for await (const batch of readDataFile(tasks[i] as ReadTask, ctx, state, current)) {
          stats.rows += batch.numRows;
          yield batch;
        }
        if (limit !== undefined && state.rowsOut >= limit) return;
      }
    } finally {
      next?.then(closeParquet, () => undefined); // a prefetched file nobody will read
    }
  }
}

/**
 * Opens a table: a metadata file, a table folder, or an `s3://` URI of either.
 * @example const t = await openTable('s3://bucket/warehouse/db/t', { allowMovedPaths: true });
 */
export async function openTable(location: string, options: OpenTableOptions = {}): Promise<Table> {
  return new Table(await loadTable(location, options));
}
