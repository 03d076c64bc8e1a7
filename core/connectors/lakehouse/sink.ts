/**
 * The Iceberg sink: prepare creates or evolves the table; stage writes a chunk's data files straight
 * into the table's data folder under deterministic names `<runId>-<chunkId>-…` (a re-run of a chunk
 * overwrites them) and returns their DataFile entries as JSON; commit makes the whole run one snapshot
 * (append, replace or merge per `incremental-strategy`) with the job state inside the same metadata
 * commit; abort deletes the run's staged files.
 *
 * Job state lives in the table property `icefloe.job.<jobId>.state` (JSON of JobState), set by the same
 * commit that adds the snapshot, and is mirrored in that snapshot's summary (`icefloe.job.<jobId>.cursor`,
 * `icefloe.job.<jobId>.run`). A commit repeated after it succeeded (same run id) is a no-op.
 */
import * as arrow from 'apache-arrow';
import { arrowSchemaOf } from '../../arrow/write/arrow-schema';
import { conformBatch, conformTable } from '../../arrow/write/conform';
import { DataFileStreamWriter } from '../../arrow/write/data-file-writer';
import { InvalidInputError } from '../../errors';
import type { Catalog } from '../../iceberg/catalog/catalog';
import { parseIdentifier, type TableIdentifier } from '../../iceberg/catalog/updates';
import { type DataFile, DataFileContent } from '../../iceberg/spec/manifest';
import type { Schema } from '../../iceberg/spec/schema';
import { currentSchema, specById } from '../../iceberg/spec/snapshot-select';
import type { TableMetadata } from '../../iceberg/spec/table-metadata';
import {
  dedupeByKey,
  keyFieldIds,
  rowKeys,
  writeCopyOnWrite,
  writeKeyDeletes,
  writeMergeOnRead,
} from '../../iceberg/transaction/merge';
import { appendFiles, replaceAll, replaceFiles, rowDelta } from '../../iceberg/transaction/operations';
import { ensureTable } from '../../iceberg/transaction/write-arrow';
import type { JobOptions } from '../../manifest/types';
import { assertStateUnmoved } from '../job-state';
import type { CommitResult, JobState, RunContext, Sink, StagedChunk } from '../types';
import { dataFileFromJson, dataFileToJson } from './write-data-file-json';
import { dedupeAcrossChunks } from './write-dedupe';

const pw = require('parquet-wasm') as typeof import('parquet-wasm');

/** Table property holding a job's state. */
export const stateKey = (jobId: string) => `icefloe.job.${jobId}.state`;

export interface LakehouseSinkOptions {
  /** The table when the endpoint names one (`dataos://lake:collection/dataset`); else `destTable` is used. */
  table?: TableIdentifier;
}

export class LakehouseSink implements Sink {
  constructor(
    readonly catalog: Catalog,
    private readonly opts: LakehouseSinkOptions = {},
  ) {}

  private id(options: JobOptions): TableIdentifier {
    if (this.opts.table) return this.opts.table;
    if (!options.destTable) throw new InvalidInputError('lakehouse sink: dest-table is required');
    const id = parseIdentifier(options.destTable);
    return id.namespace.length ? id : { namespace: ['default'], name: id.name };
  }

  async prepare(_ctx: RunContext, options: JobOptions, schema: arrow.Schema): Promise<void> {
    const strategy = options.incrementalStrategy ?? 'append';
    const pk = options.primaryKey ?? [];
    if (strategy === 'merge' && pk.length === 0)
      throw new InvalidInputError(`table ${options.destTable}: merge needs a primary-key`);
    for (const k of pk)
      if (!schema.fields.some((f) => f.name === k))
        throw new InvalidInputError(`table ${options.destTable}: primary-key column ${k} is not in the source`);
    const properties: Record<string, string> = {};
    if (options.loaderFileSize) properties['write.target-file-size-bytes'] = String(options.loaderFileSize);
    await ensureTable(this.catalog, this.id(options), schema, {
      ...(options.partitionBy ? { partitionBy: options.partitionBy } : {}),
      properties,
      requiredColumns: pk,
    });
  }

  /**
   * Writes a chunk as batches arrive: each batch is conformed to the table's schema, split by partition and
   * streamed into Parquet files rolled at the target file size, so memory holds the open files' compressed
   * bytes, not the chunk. A failure removes the files this attempt stored (a crash leaves them to `abort`,
   * by their `<runId>-` prefix); nothing is committed before `commit`. Merge-on-read merges still gather the
   * chunk (the keys are deduplicated across it before equality deletes are written).
   */
  async stage(
    ctx: RunContext,
    options: JobOptions,
    chunkId: string,
    batches: AsyncIterable<arrow.RecordBatch>,
  ): Promise<StagedChunk> {
    const id = this.id(options);
    const { metadata: m } = await this.catalog.loadTable(id);
    const schema = currentSchema(m);
    const spec = specById(m, m['default-spec-id']);
    const target = arrowSchemaOf(schema);
    const name = `table ${[...id.namespace, id.name].join('.')}`;
    const conform = (b: arrow.RecordBatch) => {
      try {
        return conformBatch(b, schema, target);
      } catch (err) {
        if (err instanceof InvalidInputError) throw new InvalidInputError(`${name}: ${err.message}`, { cause: err });
        throw err;
      }
    };
    const prefix = `${safe(ctx.runId)}-${safe(chunkId)}`;
    const size = options.loaderFileSize ? { targetFileSizeBytes: options.loaderFileSize } : {};
    if (options.incrementalStrategy === 'merge' && mergeMode(m.properties) === 'merge-on-read') {
      const list: arrow.RecordBatch[] = [];
      for await (const b of batches) if (b.numRows > 0) list.push(conform(b));
      if (list.length === 0) return { chunkId, rows: 0, bytes: 0, detail: { files: [] } };
      const keyIds = keyFieldIds(schema, options.primaryKey ?? []);
      const table = dedupeByKey(new arrow.Table(target, list), schema, keyIds);
      const files = await writeMergeOnRead(table, {
        io: this.catalog.io,
        metadata: m,
        schema,
        spec,
        keyIds,
        prefix,
        ...size,
      });
      return staged(chunkId, table.numRows, files);
    }
    const writer = new DataFileStreamWriter({
      io: this.catalog.io,
      location: m.location,
      schema,
      spec,
      properties: m.properties,
      prefix,
      ...size,
    });
    let files: DataFile[];
    try {
      for await (const b of batches) if (b.numRows > 0) await writer.write(conform(b));
      files = await writer.close();
    } catch (err) {
      await writer.abort();
      throw err;
    }
    return staged(chunkId, writer.rows, files);
  }

  /** Keys the source reports deleted, as equality delete files (v2+ tables). */
  async stageDeletes(
    ctx: RunContext,
    options: JobOptions,
    chunkId: string,
    batches: AsyncIterable<arrow.RecordBatch>,
  ): Promise<StagedChunk> {
    const { metadata: m } = await this.catalog.loadTable(this.id(options));
    if (m['format-version'] < 2)
      throw new InvalidInputError(`table ${options.destTable}: deleting rows needs a format-version 2 table`);
    const schema = currentSchema(m);
    const spec = specById(m, m['default-spec-id']);
    const list: arrow.RecordBatch[] = [];
    for await (const b of batches) list.push(b);
    if (list.length === 0) return { chunkId, rows: 0, bytes: 0, detail: { files: [] } };
    const keyIds = keyFieldIds(schema, options.primaryKey ?? []);
    const prefix = `${safe(ctx.runId)}-${safe(chunkId)}`;
    const files = await writeKeyDeletes(new arrow.Table(list), {
      io: this.catalog.io,
      metadata: m,
      schema,
      spec,
      keyIds,
      prefix,
    });
    const rows = files.reduce((n, f) => n + f.recordCount, 0);
    return {
      chunkId,
      rows: 0,
      bytes: files.reduce((n, f) => n + f.fileSizeInBytes, 0),
      detail: { files: files.map(dataFileToJson), deletedKeys: rows },
    };
  }

  async commit(ctx: RunContext, options: JobOptions, chunks: StagedChunk[], state: JobState): Promise<CommitResult> {
    const id = this.id(options);
    const loaded = await this.catalog.loadTable(id);
    const done = loaded.metadata.snapshots.find((s) => s.summary[`icefloe.job.${ctx.jobId}.run`] === ctx.runId);
    const files = chunks.flatMap(stagedFiles);
    const rows = chunks.reduce((n, c) => n + c.rows, 0);
    const keyDeletes = chunks.reduce(
      (n, c) => n + Number((c.detail as { deletedKeys?: number } | undefined)?.deletedKeys ?? 0),
      0,
    );
    if (done) return { rowsWritten: rows, rowsDeleted: 0, sinkVersion: String(done['snapshot-id']) };
    const summary: Record<string, string> = { [`icefloe.job.${ctx.jobId}.run`]: ctx.runId };
    if (state.cursor !== undefined) summary[`icefloe.job.${ctx.jobId}.cursor`] = state.cursor;
    const extraUpdates = [
      { action: 'set-properties' as const, updates: { [stateKey(ctx.jobId)]: JSON.stringify(state) } },
    ];
    // every attempt (also after a conflict refresh) checks that no other run of this job committed meanwhile
    const validate = (m: { properties: Record<string, string> }) =>
      assertStateUnmoved(
        `table ${id.namespace.join('.')}.${id.name}`,
        { ...state, jobId: ctx.jobId },
        stateRunId(m.properties, ctx.jobId),
      );
    const opts = { summary, extraUpdates, validate };
    const strategy = options.incrementalStrategy ?? 'append';
    let out: Awaited<ReturnType<typeof appendFiles>>;
    if (options.fullRefresh || strategy === 'replace') out = await replaceAll(this.catalog, id, files, opts);
    else if (strategy === 'merge' && mergeMode(loaded.metadata.properties) === 'merge-on-read')
      out = await this.commitMergeOnRead(id, loaded.metadata, options, chunks, opts);
    else if (strategy === 'merge') out = await this.commitCopyOnWrite(id, loaded.metadata, options, files, opts);
    else out = await appendFiles(this.catalog, id, files, opts);
    const deleted = Number(out.snapshot.summary['deleted-records'] ?? 0) + keyDeletes;
    return { rowsWritten: rows, rowsDeleted: deleted, sinkVersion: String(out.snapshot['snapshot-id']) };
  }

  /** Merge-on-read commit: one row delta, after removing keys that a later chunk of the run restages. */
  private async commitMergeOnRead(
    id: TableIdentifier,
    m: TableMetadata,
    options: JobOptions,
    chunks: StagedChunk[],
    opts: Parameters<typeof appendFiles>[3],
  ) {
    const { schema, spec, keyIds } = keyedLayout(m, options);
    const perChunk = chunks.map(stagedFiles);
    const { files, replaced } = await dedupeAcrossChunks(
      { io: this.catalog.io, metadata: m, schema, spec, keyIds },
      perChunk,
    );
    const out = await rowDelta(this.catalog, id, files, opts);
    await Promise.all(replaced.map((p) => this.catalog.io.delete(p).catch(() => undefined)));
    return out;
  }

  /** Copy-on-write merge at commit: the staged rows decide which existing files are rewritten. */
  private async commitCopyOnWrite(
    id: TableIdentifier,
    m: TableMetadata,
    options: JobOptions,
    staged: DataFile[],
    opts: Parameters<typeof appendFiles>[3],
  ) {
    const { schema, spec, keyIds } = keyedLayout(m, options);
    const deletes = staged.filter((f) => f.content === DataFileContent.EqualityDeletes);
    const deleteKeys = new Set<string>();
    const delSchema: Schema = { ...schema, fields: schema.fields.filter((f) => keyIds.includes(f.id)) };
    for (const f of deletes) {
      const t = arrow.tableFromIPC(pw.readParquet(await this.catalog.io.read(f.filePath)).intoIPCStream());
      for (const k of rowKeys(conformTable(t, delSchema), delSchema, keyIds)) deleteKeys.add(k);
    }
    const parts: arrow.RecordBatch[] = [];
    for (const f of staged.filter((x) => x.content === DataFileContent.Data)) {
      const t = arrow.tableFromIPC(pw.readParquet(await this.catalog.io.read(f.filePath)).intoIPCStream());
      parts.push(...conformTable(t, schema).batches);
    }
    const incoming = dedupeByKey(
      parts.length ? new arrow.Table(parts) : conformTable(new arrow.Table(arrowSchemaOf(schema), []), schema),
      schema,
      keyIds,
    );
    const prefix = `${staged[0]?.filePath.split('/').pop()?.split('-')[0] ?? 'cow'}-cow-${Date.now()}`;
    const { remove, add } = await writeCopyOnWrite(
      incoming,
      {
        io: this.catalog.io,
        metadata: m,
        schema,
        spec,
        keyIds,
        prefix,
      },
      deleteKeys,
    );
    const out = await replaceFiles(this.catalog, id, remove, add, {
      ...opts,
      operation: remove.length ? 'overwrite' : 'append',
    });
    await Promise.all(staged.map((f) => this.catalog.io.delete(f.filePath).catch(() => undefined)));
    return out;
  }

  async abort(ctx: RunContext, options: JobOptions): Promise<void> {
    const { metadata: m } = await this.catalog.loadTable(this.id(options));
    const base = (m.properties['write.data.path'] ?? `${m.location}/data`).replace(/\/+$/, '');
    const prefix = `${safe(ctx.runId)}-`;
    const doomed: string[] = [];
    for await (const f of this.catalog.io.list(`${base}/`))
      if (f.path.slice(f.path.lastIndexOf('/') + 1).startsWith(prefix)) doomed.push(f.path);
    await Promise.all(doomed.map((p) => this.catalog.io.delete(p).catch(() => undefined)));
  }

  async readState(jobId: string, options: JobOptions): Promise<JobState | undefined> {
    const id = this.id(options);
    if (!(await this.catalog.tableExists(id))) return undefined;
    const text = (await this.catalog.loadTable(id)).metadata.properties[stateKey(jobId)];
    return text ? (JSON.parse(text) as JobState) : undefined;
  }
}

/** A chunk's staged result: its rows and the files written, as JSON. */
function staged(chunkId: string, rows: number, files: DataFile[]): StagedChunk {
  const bytes = files.reduce((n, f) => n + f.fileSizeInBytes, 0);
  return { chunkId, rows, bytes, detail: { files: files.map(dataFileToJson) } };
}

/** The current schema, default partition spec and primary-key field ids a merge works with. */
function keyedLayout(m: TableMetadata, options: JobOptions) {
  const schema = currentSchema(m);
  return { schema, spec: specById(m, m['default-spec-id']), keyIds: keyFieldIds(schema, options.primaryKey ?? []) };
}

/** The data and delete files a chunk staged (StagedChunk.detail.files, as JSON). */
function stagedFiles(c: StagedChunk): DataFile[] {
  return ((c.detail as { files?: unknown[] } | undefined)?.files ?? []).map(dataFileFromJson);
}

/** The run id of a job's committed state in the table properties (undefined: never committed). */
function stateRunId(props: Record<string, string>, jobId: string): string | undefined {
  const text = props[stateKey(jobId)];
  return text ? (JSON.parse(text) as JobState).runId : undefined;
}

function mergeMode(props: Record<string, string>): string {
  return props['write.merge.mode'] ?? 'merge-on-read';
}

/** File-name-safe form of a run or chunk id. */
function safe(s: string): string {
  return s.replace(/[^A-Za-z0-9_.]/g, '_');
}
