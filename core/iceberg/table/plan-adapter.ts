/**
 * Turns a scan request into read tasks with the planner of core/iceberg/scan (`planFiles`:
 * pruning by partition summaries, partition tuples and column metrics; delete files attached by
 * sequence number and partition; residual filters). This file adds what reading needs: identity
 * partition values for columns missing from files (format/spec.md "Column Projection"), a row
 * evaluator of each residual, and the columns the filter reads.
 */
import type { ReadTask, RowAccessor } from '../../arrow/read/read-file';
import { readManifest, readManifestList } from '../avro';
import { referencedFieldIds } from '../scan/bind';
import { rowEvaluator } from '../scan/evaluator';
import type { BoundExpression, Expression } from '../scan/expression';
import { type FileScanTask, planFiles } from '../scan/plan';
import { type DataFile, ManifestContent, ManifestEntryStatus } from '../spec/manifest';
import { type NameMapping, tableNameMapping } from '../spec/name-mapping';
import type { PartitionSpec } from '../spec/partition-spec';
import { indexSchema, type Schema } from '../spec/schema';
import type { Snapshot } from '../spec/snapshot';
import type { SnapshotSelector } from '../spec/snapshot-select';
import type { TableMetadata } from '../spec/table-metadata';
import type { NestedField } from '../spec/types';
import type { LoadedTable } from './open';
import type { ScanStats } from './table';

/** Read tasks plus the columns the filter needs beyond the output. */
export interface ReadPlan {
  tasks: ReadTask[];
  extra: NestedField[];
}

/** Identity partition values of a data file by source field id. */
export function identityValues(spec: PartitionSpec | undefined, file: DataFile): Map<number, unknown> {
  const out = new Map<number, unknown>();
  spec?.fields.forEach((f, i) => {
    if (f.transform === 'identity' && i < file.partition.length) out.set(f['source-id'], file.partition[i] ?? null);
  });
  return out;
}

/**
 * False when the filter reads a field that the table's name mapping does not cover: files without
 * field ids then read that column as null, while manifest metrics (computed by the writer with
 * ids) describe the column's stored values — pruning on them would drop rows the reader returns
 * (duckdb-iceberg `column_mapping_delete.test`). Such filters are applied to rows only.
 */
function metricsDescribeReads(meta: TableMetadata, filter: BoundExpression): boolean {
  const mapping = tableNameMapping(meta);
  if (!mapping) return true;
  const mapped = new Set<number>();
  const walk = (fields: NameMapping) => {
    for (const f of fields) {
      if (f['field-id'] !== undefined) mapped.add(f['field-id']);
      walk(f.fields ?? []);
    }
  };
  walk(mapping);
  return [...referencedFieldIds(filter)].every((id) => mapped.has(id));
}

/**
 * Runs planning; errors that name a file by its written path (`/test-warehouse/…/m0.avro`) are
 * re-worded to name the file actually read, so the user sees the file on their disk.
 */
async function namingResolvedPaths<T>(table: LoadedTable, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof Error) {
      err.message = err.message.replace(/(?:[a-z][a-z0-9+.-]*:\/\/[^\s:]*|\/[^\s:]+|[\w.-]+\/[^\s:]+)/gi, (p) => {
        const resolved = table.resolve(p);
        return resolved === p ? p : resolved;
      });
    }
    throw err;
  }
}

/**
 * v3 first-row-id inheritance (format/spec.md "Row Lineage"): an ADDED data file with a null
 * `first_row_id` gets its manifest's `first_row_id` plus the record counts of the ADDED null-id
 * files before it in that manifest. The manifest reader leaves these null, so this adapter fills
 * them by file path when lineage columns are read.
 */
async function inheritedFirstRowIds(table: LoadedTable, snapshot: Snapshot | undefined): Promise<Map<string, bigint>> {
  const out = new Map<string, bigint>();
  const list = snapshot?.['manifest-list'];
  if (!list) return out;
  const specs = table.metadata['partition-specs'];
  for (const mf of readManifestList(await table.io.read(list), { path: list })) {
    if (mf.firstRowId === undefined || mf.content !== ManifestContent.Data) continue;
    const manifest = readManifest(await table.io.read(mf.manifestPath), {
      path: mf.manifestPath,
      manifestFile: mf,
      specs,
    });
    let next = mf.firstRowId;
    for (const e of manifest.entries) {
      if (e.status !== ManifestEntryStatus.Added || e.dataFile.firstRowId !== undefined) continue;
      out.set(e.dataFile.filePath, next);
      next += BigInt(e.dataFile.recordCount);
    }
  }
  return out;
}

/** Top-level fields holding the referenced field ids (a nested reference reads its whole column). */
function topLevelFields(schema: Schema, ids: Iterable<number>): NestedField[] {
  const index = indexSchema(schema);
  const out = new Map<number, NestedField>();
  for (const id of ids) {
    const entry = index.byId.get(id);
    const topId = entry?.parents[0] ?? id;
    const top = schema.fields.find((f) => f.id === topId);
    if (top) out.set(top.id, top);
  }
  return [...out.values()];
}

function toReadTask(t: FileScanTask, specs: Map<number, PartitionSpec>): ReadTask {
  const task: ReadTask = {
    dataFile: t.dataFile,
    deletes: t.deletes.map((d) => d.file),
    partitionValues: identityValues(specs.get(t.specId), t.dataFile),
    dataSequenceNumber: t.dataSequenceNumber,
  };
  if (t.residual.type !== 'true') {
    task.filter = rowEvaluator<RowAccessor>(t.residual, (get, ref) => get(ref.fieldId));
  }
  return task;
}

/** Plans the read tasks of a scan and fills the planning counters of `stats`. */
export async function planScanFiles(
  table: LoadedTable,
  selector: SnapshotSelector,
  where: string | Expression | undefined,
  stats: ScanStats,
  lineage = false,
): Promise<ReadPlan> {
  const meta = table.metadata;
  const filter = typeof where === 'string' && where.trim() === '' ? undefined : where;
  const read = (p: string) => table.io.read(p);
  const plan = await namingResolvedPaths(table, async () => {
    const filtered = await planFiles(meta, read, { ...selector, ...(filter ? { filter } : {}) });
    if (!filter || metricsDescribeReads(meta, filtered.filter)) return filtered;
    // Plan unfiltered; the whole filter becomes every file's residual.
    return { ...(await planFiles(meta, read, selector)), filter: filtered.filter, residual: filtered.filter };
  });
  const residual: BoundExpression | undefined = 'residual' in plan ? plan.residual : undefined;
  const specs = new Map(meta['partition-specs'].map((s) => [s['spec-id'], s]));
  const tasks = plan.tasks.map((t) => toReadTask(residual ? { ...t, residual } : t, specs));
  if (lineage && meta['format-version'] >= 3) {
    const ids = await inheritedFirstRowIds(table, plan.snapshot);
    for (const t of tasks) {
      const id = ids.get(t.dataFile.filePath);
      if (t.dataFile.firstRowId === undefined && id !== undefined) t.dataFile = { ...t.dataFile, firstRowId: id };
    }
  }
  const m = plan.metrics;
  const deleteFiles = new Set<string>();
  const deleteEntries = new Set<string>();
  for (const t of plan.tasks) {
    for (const d of t.deletes) {
      deleteFiles.add(d.file.filePath);
      deleteEntries.add(`${d.file.filePath}@${d.file.contentOffset ?? ''}`);
    }
  }
  const total = Number(plan.snapshot?.summary['total-records'] ?? Number.NaN);
  Object.assign(stats, {
    manifests: m.manifests,
    dataFiles: m.resultFiles,
    deleteFiles: deleteFiles.size,
    deleteEntries: deleteEntries.size,
    skippedDataFiles: m.skippedByPartition + m.skippedByBounds,
    skippedRecords: Number.isFinite(total) ? total - m.resultRecords : 0,
  });
  return { tasks, extra: topLevelFields(plan.schema, referencedFieldIds(plan.filter)) };
}
