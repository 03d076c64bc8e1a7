/**
 * An Iceberg table as a Source, over a catalog (`core/iceberg/catalog`) and the read path (`core/iceberg/scan`,
 * `core/arrow/read`). A chunk names data files of one snapshot (packed to about `loader-file-size` bytes, by
 * file size); any process re-plans that snapshot once and reads only its files, with their delete files.
 *
 * Incremental: the cursor is the snapshot id. When every snapshot since the previous cursor is an `append`
 * (and the previous one is an ancestor), only data files of a later sequence number are read; any other
 * history (overwrite, delete, expired snapshots) is a full read, said in the plan's notes.
 */
import type * as arrow from 'apache-arrow';
import { DeleteLoader } from '../../arrow/read/deletes';
import { type ReadContext, type ReadState, readDataFile } from '../../arrow/read/read-file';
import { arrowSchemaOf } from '../../arrow/write/arrow-schema';
import type { ChunkPointer, JobState, RunContext, Source, SourcePlan } from '../../connectors/types';
import { InvalidInputError } from '../../errors';
import type { Catalog } from '../../iceberg/catalog/catalog';
import { parseIdentifier, type TableIdentifier } from '../../iceberg/catalog/updates';
import type { FileScanTask, ScanPlan } from '../../iceberg/scan/plan';
import { planFiles } from '../../iceberg/scan/plan';
import { currentSchema } from '../../iceberg/spec/snapshot-select';
import type { TableMetadata } from '../../iceberg/spec/table-metadata';
import type { NestedField } from '../../iceberg/spec/types';
import { identityPaths } from '../../iceberg/table/moved-paths';
import type { LoadedTable } from '../../iceberg/table/open';
import { planScanFiles } from '../../iceberg/table/plan-adapter';
import { emptyScanStats } from '../../iceberg/table/table';
import type { JobOptions } from '../../manifest/types';
import { schemaToJson } from '../schema-json';
import { changedFiles, type DeletedKeysSpec, deletedRows, liveKeys } from './lakehouse-diff';

/** One chunk: data files of a snapshot. */
export interface LakehouseChunkSpec {
  table: string;
  snapshotId: string;
  files: string[];
}

const MAX_CHUNK_BYTES = 128 * 1024 * 1024;
const MIN_CHUNK_BYTES = 1024 * 1024;

/**
 * Bytes per chunk: about two chunks per reader of `extract-parallelism` (default 4), so every worker gets work,
 * between 1 MiB and 128 MiB (a Lambda's comfortable share); `loader-file-size` overrides it.
 */
function chunkTarget(tasks: FileScanTask[], options: JobOptions): number {
  if (options.loaderFileSize) return options.loaderFileSize;
  const total = tasks.reduce((n, t) => n + t.dataFile.fileSizeInBytes, 0);
  const share = Math.ceil(total / (2 * (options.extractParallelism ?? 4)));
  return Math.min(MAX_CHUNK_BYTES, Math.max(MIN_CHUNK_BYTES, share));
}

/** Whether `to` descends from `from` through appends only (so files with a later sequence number are the change). */
function appendsSince(m: TableMetadata, from: bigint, to: bigint): { ok: boolean; why?: string } {
  const byId = new Map(m.snapshots.map((s) => [s['snapshot-id'], s]));
  for (
    let s = byId.get(to);
    s;
    s = s['parent-snapshot-id'] === undefined ? undefined : byId.get(s['parent-snapshot-id'])
  ) {
    if (s['snapshot-id'] === from) return { ok: true };
    const op = s.summary.operation ?? 'append';
    if (op !== 'append') return { ok: false, why: `snapshot ${s['snapshot-id']} is a ${op}` };
  }
  return { ok: false, why: `snapshot ${from} is not in the table's history (expired or rolled back)` };
}

/** Packs scan tasks into chunks of about `target` bytes (greedy, largest first). */
function pack(tasks: FileScanTask[], target: number): FileScanTask[][] {
  const sorted = [...tasks].sort((a, b) => b.dataFile.fileSizeInBytes - a.dataFile.fileSizeInBytes);
  const bins: { size: number; tasks: FileScanTask[] }[] = [];
  for (const t of sorted) {
    const bin = bins.find((b) => b.size + t.dataFile.fileSizeInBytes <= target);
    if (bin) {
      bin.tasks.push(t);
      bin.size += t.dataFile.fileSizeInBytes;
    } else bins.push({ size: t.dataFile.fileSizeInBytes, tasks: [t] });
  }
  return bins.map((b) => b.tasks);
}

export interface LakehouseSourceOptions {
  /** The table when the endpoint names one; else `source-table`. */
  table?: TableIdentifier;
}

export class LakehouseSource implements Source {
  private readonly plans = new Map<string, Promise<{ loaded: LoadedTable; tasks: Map<string, unknown> }>>();

  constructor(
    readonly catalog: Catalog,
    private readonly opts: LakehouseSourceOptions = {},
  ) {}

  private id(options: JobOptions): TableIdentifier {
    if (this.opts.table) return this.opts.table;
    if (!options.sourceTable) throw new InvalidInputError('lakehouse source: source-table is required');
    return parseIdentifier(options.sourceTable);
  }

  private async load(options: JobOptions): Promise<LoadedTable> {
    const t = await this.catalog.loadTable(this.id(options));
    const io = this.catalog.io;
    return {
      metadataLocation: t.metadataLocation,
      metadata: t.metadata,
      root: t.metadata.location,
      io,
      fileIO: io,
      resolve: identityPaths,
    };
  }

  async plan(_ctx: RunContext, options: JobOptions, previous: JobState | undefined): Promise<SourcePlan> {
    const loaded = await this.load(options);
    const m = loaded.metadata;
    const schemaJson = schemaToJson(arrowSchemaOf(currentSchema(m)));
    const snap = m['current-snapshot-id'];
    if (snap === undefined || snap === null || snap < 0n)
      return { schemaJson, chunks: [], incremental: false, notes: ['table has no snapshot'] };
    const read = (p: string) => loaded.io.read(p);
    const cur = await planFiles(m, read, { snapshotId: BigInt(snap) });
    const since = previous?.cursor ? await this.since(m, read, cur, BigInt(previous.cursor), options) : undefined;
    const notes = since?.note ? [since.note] : [];
    const tasks = since?.tasks ?? cur.tasks;
    const table = this.id(options);
    const name = [...table.namespace, table.name].join('.');
    const chunks: ChunkPointer[] = pack(tasks, chunkTarget(tasks, options)).map((group, i) => {
      const spec: LakehouseChunkSpec = {
        table: name,
        snapshotId: String(snap),
        files: group.map((t) => t.dataFile.filePath),
      };
      return { chunkId: `s${snap}-${i}`, weight: group.reduce((n, t) => n + t.dataFile.fileSizeInBytes, 0), spec };
    });
    const deletes = since?.deleted ? [{ ...since.deleted, table: name }] : [];
    return {
      schemaJson,
      chunks,
      deletes: deletes.map((spec) => ({ chunkId: `s${snap}-deleted-keys`, weight: spec.prevFiles.length, spec })),
      cursor: String(snap),
      incremental: since?.tasks !== undefined,
      notes,
    };
  }

  /** The change since snapshot `from`: files to read and, for a merge, deleted keys; or a note why it is a full read. */
  private async since(
    m: TableMetadata,
    read: (p: string) => Promise<Uint8Array>,
    cur: ScanPlan,
    from: bigint,
    options: JobOptions,
  ) {
    const prevSnap = m.snapshots.find((s) => s['snapshot-id'] === from);
    if (!prevSnap) return { note: `snapshot ${from} is not in the table's history (expired): full read` };
    const appends = appendsSince(m, from, cur.snapshot?.['snapshot-id'] ?? from);
    if (appends.ok) {
      const minSeq = prevSnap['sequence-number'] ?? 0n;
      return { tasks: cur.tasks.filter((t) => t.dataSequenceNumber > minSeq) };
    }
    const key = options.primaryKey ?? [];
    if (!prevSnap || key.length === 0)
      return { note: `${appends.why ?? 'history changed'} since the previous run: full read` };
    const prev = await planFiles(m, read, { snapshotId: from });
    const c = changedFiles(prev, cur);
    const deleted: Omit<DeletedKeysSpec, 'table'> | undefined =
      c.prevChanged.length === 0
        ? undefined
        : {
            kind: 'deleted-keys',
            key,
            prevSnapshot: String(from),
            curSnapshot: String(cur.snapshot?.['snapshot-id']),
            prevFiles: c.prevChanged,
            curFiles: c.curChanged,
          };
    return { tasks: c.added, deleted };
  }

  /** The read tasks of a snapshot, planned once per process. */
  private snapshotTasks(options: JobOptions, snapshotId: string) {
    let p = this.plans.get(snapshotId);
    if (!p) {
      p = (async () => {
        const loaded = await this.load(options);
        const plan = await planScanFiles(loaded, { snapshotId: BigInt(snapshotId) }, undefined, emptyScanStats());
        return { loaded, tasks: new Map(plan.tasks.map((t) => [t.dataFile.filePath, t as unknown])) };
      })();
      this.plans.set(snapshotId, p);
      p.catch(() => this.plans.delete(snapshotId));
    }
    return p;
  }

  /** Reads `files` of a snapshot, `fields` only (all columns when absent). */
  private async *readFiles(options: JobOptions, snapshotId: string, files: string[], fields?: NestedField[]) {
    const { loaded, tasks } = await this.snapshotTasks(options, snapshotId);
    const schema = currentSchema(loaded.metadata);
    const ctx: ReadContext = {
      io: loaded.fileIO,
      resolve: loaded.resolve,
      output: fields ?? schema.fields,
      extra: [],
      schema,
      deletes: new DeleteLoader(loaded.fileIO, loaded.resolve, schema, undefined),
    };
    const state: ReadState = { rowsOut: 0 };
    for (const file of files) {
      const task = tasks.get(file);
      if (!task) throw new InvalidInputError(`snapshot ${snapshotId}: data file ${file} is not in the snapshot`);
      yield* readDataFile(task as Parameters<typeof readDataFile>[0], ctx, state);
    }
  }

  async *read(_ctx: RunContext, options: JobOptions, chunk: ChunkPointer): AsyncIterable<arrow.RecordBatch> {
    const spec = chunk.spec as LakehouseChunkSpec | DeletedKeysSpec;
    if (!('kind' in spec)) {
      yield* this.readFiles(options, spec.snapshotId, spec.files);
      return;
    }
    const { metadata } = await this.load(options);
    const fields = spec.key.map((k) => {
      const f = currentSchema(metadata).fields.find((x) => x.name === k);
      if (!f) throw new InvalidInputError(`table ${spec.table}: primary-key column ${k} is not in the table`);
      return f;
    });
    const live = await liveKeys(this.readFiles(options, spec.curSnapshot, spec.curFiles, fields), spec.key);
    yield* deletedRows(this.readFiles(options, spec.prevSnapshot, spec.prevFiles, fields), live, spec.key);
  }
}
