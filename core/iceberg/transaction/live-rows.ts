/**
 * The live rows of a table's data files, for rewrites (copy-on-write merge, delete by predicate): files
 * planned by the scan planner (engineer B, core/iceberg/scan) with the delete files that apply to each by
 * the spec's sequence-number and partition rules, and read by the Parquet reader (engineer C,
 * core/arrow/read) with those deletes applied — position deletes, equality deletes, deletion vectors —
 * projected by field id (renamed columns, files without field ids via the name mapping).
 */
import * as arrow from 'apache-arrow';
import { DeleteLoader, type ReadContext, type ReadTask, readDataFile } from '../../arrow/read';
import { mappingMatchesSchema } from '../../arrow/read/project';
import { arrowSchemaOf } from '../../arrow/write/arrow-schema';
import type { FileIO } from '../io/file-io';
import { type FileScanTask, planFiles } from '../scan/plan';
import { tableNameMapping } from '../spec/name-mapping';
import type { Schema } from '../spec/schema';
import type { TableMetadata } from '../spec/table-metadata';
import { ResolvingFileIO } from '../table/open';

/** The current snapshot's data files, each with the delete files that apply to it. */
export async function liveDataTasks(io: FileIO, m: TableMetadata): Promise<FileScanTask[]> {
  const plan = await planFiles(m, (p) => io.read(p));
  return plan.tasks;
}

/** A reader of live rows (deletes applied) with every column of `schema`. */
export function liveRowReader(io: FileIO, m: TableMetadata, schema: Schema): (t: FileScanTask) => Promise<arrow.Table> {
  const declared = tableNameMapping(m);
  const mapping = declared && mappingMatchesSchema(declared, schema) ? declared : undefined;
  const resolve = pathResolver(io);
  const ctx: ReadContext = {
    io,
    resolve,
    output: schema.fields,
    extra: [],
    schema,
    deletes: new DeleteLoader(io, resolve, schema, mapping),
    ...(mapping ? { nameMapping: mapping } : {}),
  };
  const spec = (id: number) => m['partition-specs'].find((s) => s['spec-id'] === id);
  return async (t) => {
    const task: ReadTask = {
      dataFile: t.dataFile,
      deletes: t.deletes.map((d) => d.file),
      partitionValues: identityValues(spec(t.specId), t.dataFile),
      dataSequenceNumber: t.dataSequenceNumber,
    };
    const batches: arrow.RecordBatch[] = [];
    for await (const b of readDataFile(task, ctx, { rowsOut: 0 })) batches.push(b);
    return batches.length ? new arrow.Table(batches) : new arrow.Table(arrowSchemaOf(schema), []);
  };
}

/** How `io` resolves paths written by another machine (hdfs://, s3a://), as data and position delete files hold them. */
export function pathResolver(io: FileIO): (path: string) => string {
  return io instanceof ResolvingFileIO ? io.resolve : (p: string) => p;
}

/** Identity partition values by source field id (for files that do not store the column). */
function identityValues(
  spec: TableMetadata['partition-specs'][number] | undefined,
  file: FileScanTask['dataFile'],
): Map<number, unknown> {
  const out = new Map<number, unknown>();
  spec?.fields.forEach((f, i) => {
    if (f.transform === 'identity' && i < file.partition.length) out.set(f['source-id'], file.partition[i] ?? null);
  });
  return out;
}
