/**
 * Turns a snapshot into read tasks: plans data files with their delete files, takes identity
 * partition values from each file's partition tuple (format/spec.md "Column Projection": a column
 * missing from the file is filled from an identity partition field), and compiles `where`.
 */
import type { ReadTask } from '../../arrow/read/read-file';
import { InvalidInputError } from '../../errors';
import type { DataFile } from '../spec/manifest';
import type { Schema } from '../spec/schema';
import type { Snapshot } from '../spec/snapshot';
import type { NestedField } from '../spec/types';
import { planBasic } from './basic-plan';
import type { LoadedTable } from './open';
import type { ScanStats } from './table';

/** Read tasks plus the columns the filter needs beyond the output. */
export interface ScanPlan {
  tasks: ReadTask[];
  extra: NestedField[];
}

/** Identity partition values of a data file by source field id. */
export function identityValues(table: LoadedTable, specId: number, file: DataFile): Map<number, unknown> {
  const spec = table.metadata['partition-specs'].find((s) => s['spec-id'] === specId);
  const out = new Map<number, unknown>();
  spec?.fields.forEach((f, i) => {
    if (f.transform === 'identity' && i < file.partition.length) out.set(f['source-id'], file.partition[i] ?? null);
  });
  return out;
}

/** Plans the read tasks of a snapshot. */
export async function planScanFiles(
  table: LoadedTable,
  snapshot: Snapshot,
  schema: Schema,
  where: string | undefined,
  stats: ScanStats,
): Promise<ScanPlan> {
  if (where !== undefined && where.trim() !== '') {
    throw new InvalidInputError('--where is not supported yet');
  }
  const planned = await planBasic(table.io, table.metadata, snapshot, schema, table.resolve);
  const deleteFiles = new Set<string>();
  const deleteEntries = new Set<string>();
  const tasks = planned.map((p) => {
    for (const d of p.deletes) {
      deleteFiles.add(d.filePath);
      deleteEntries.add(`${d.filePath}@${d.contentOffset ?? ''}`);
    }
    return {
      dataFile: p.entry.dataFile,
      deletes: p.deletes,
      partitionValues: identityValues(table, p.specId, p.entry.dataFile),
    };
  });
  stats.dataFiles = tasks.length;
  stats.deleteFiles = deleteFiles.size;
  stats.deleteEntries = deleteEntries.size;
  return { tasks, extra: [] };
}
