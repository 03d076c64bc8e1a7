/**
 * Scan planning (format/spec.md "Scan Planning"): snapshot → manifest list → manifests pruned by
 * partition summaries → entries pruned by partition tuple and column metrics → data files with
 * their delete files and residual filter. FileIO-agnostic: files are read through `readFile`.
 */

import { readManifestList } from '../avro/manifest-list';
import { readManifest } from '../avro/manifest-read';
import type { DataFile, ManifestFile, PartitionValues } from '../spec/manifest';
import { DataFileContent, ManifestContent, ManifestEntryStatus } from '../spec/manifest';
import type { PartitionSpec } from '../spec/partition-spec';
import { findFieldById, type Schema } from '../spec/schema';
import type { Snapshot } from '../spec/snapshot';
import { currentSchema, type SnapshotSelector, schemaForSnapshot, selectSnapshot } from '../spec/snapshot-select';
import type { TableMetadata } from '../spec/table-metadata';
import type { NestedField } from '../spec/types';
import { type PartitionRef, partitionRefs, projectInclusive } from '../transform/project';
import { bindExpression } from './bind';
import { DeleteFileIndex, type DeleteFileRef } from './delete-index';
import { evaluate } from './evaluator';
import type { BoundExpression, Expression } from './expression';
import { rewriteNot, TRUE } from './expression';
import { manifestMightMatch } from './manifest-evaluator';
import { fileMightMatch } from './metrics-evaluator';
import { parseExpression } from './parse-expression';
import { residualFor } from './residual';

export type { DeleteFileRef } from './delete-index';

/** One data file to read, with what to delete from it and what of the filter remains. */
export interface FileScanTask {
  dataFile: DataFile;
  specId: number;
  /** The schema the filter was bound to (the snapshot's schema when time travelling by id, time or tag). */
  schemaId: number;
  partition: PartitionValues;
  dataSequenceNumber: bigint;
  deletes: DeleteFileRef[];
  /** The filter still to apply to rows; `{type: 'true'}` when the partition decides it. */
  residual: BoundExpression;
}

export interface ScanMetrics {
  manifests: number;
  manifestsSkipped: number;
  dataFiles: number;
  skippedByPartition: number;
  skippedByBounds: number;
  deleteFiles: number;
  /** Delete files attached to no planned data file (dangling, or of pruned files). */
  deleteFilesUnused: number;
  resultFiles: number;
  resultRecords: number;
}

export interface PlanOptions extends SnapshotSelector {
  /** A filter: text in the `--where` language, or an expression (unbound or bound). */
  filter?: string | Expression | BoundExpression;
  /** @default true */
  caseSensitive?: boolean;
  /** Manifests read at once. @default 8 */
  concurrency?: number;
}

export interface ScanPlan {
  snapshot: Snapshot | undefined;
  schema: Schema;
  filter: BoundExpression;
  tasks: FileScanTask[];
  metrics: ScanMetrics;
}

/** Reads a whole file; FileIO.read fits. */
export type ReadFile = (path: string) => Promise<Uint8Array>;

/**
 * Plans a scan.
 * @example const plan = await planFiles(meta, (p) => io.read(p), { filter: 'id > 3', snapshotId: 1n });
 */
export async function planFiles(meta: TableMetadata, readFile: ReadFile, opts: PlanOptions = {}): Promise<ScanPlan> {
  const snapshot = selectSnapshot(meta, opts);
  // Time travel (an id, a time, a tag) reads with the snapshot's schema; a branch head with the table's.
  const tag = opts.ref !== undefined && meta.refs[opts.ref]?.type === 'tag';
  const travelling = opts.snapshotId !== undefined || opts.asOf !== undefined || tag;
  const schema = travelling ? schemaForSnapshot(meta, snapshot) : currentSchema(meta);
  const filter = bindFilter(opts.filter, schema, opts.caseSensitive ?? true);
  const metrics: ScanMetrics = {
    manifests: 0,
    manifestsSkipped: 0,
    dataFiles: 0,
    skippedByPartition: 0,
    skippedByBounds: 0,
    deleteFiles: 0,
    deleteFilesUnused: 0,
    resultFiles: 0,
    resultRecords: 0,
  };
  if (!snapshot) return { snapshot, schema, filter, tasks: [], metrics };
  const ctx = new PlanContext(meta, schema, filter);
  const manifests = await manifestFiles(meta, snapshot, readFile);
  metrics.manifests = manifests.length;
  const kept = manifests.filter((m) => manifestMightMatch(ctx.partitionFilter(m.partitionSpecId), m.partitions));
  metrics.manifestsSkipped = manifests.length - kept.length;
  const { data, deletes } = await readEntries(kept, readFile, ctx, metrics, opts.concurrency ?? 8);
  const index = new DeleteFileIndex(deletes, ctx.specs, (id) => {
    const f = findFieldById(ctx.typeSchema, id);
    return f && typeof f.type === 'string' ? f.type : undefined;
  });
  const tasks = data.map(({ file, specId, seq }) => ({
    dataFile: file,
    specId,
    schemaId: schema['schema-id'],
    partition: file.partition,
    dataSequenceNumber: seq,
    deletes: index.forDataFile(file, specId, seq),
    residual: ctx.residual(specId, file.partition),
  }));
  metrics.deleteFilesUnused = metrics.deleteFiles - (deletes.length - index.unused());
  metrics.resultFiles = tasks.length;
  metrics.resultRecords = tasks.reduce((n, t) => n + t.dataFile.recordCount, 0);
  return { snapshot, schema, filter, tasks, metrics };
}

interface LiveFile {
  file: DataFile;
  specId: number;
  seq: bigint;
}

/**
 * Reads the kept manifests (a few at once) and sorts live entries into data files that survive
 * pruning and delete files of matching partitions. Results keep manifest order whatever the read order.
 */
async function readEntries(
  kept: ManifestFile[],
  readFile: ReadFile,
  ctx: PlanContext,
  metrics: ScanMetrics,
  concurrency: number,
): Promise<{ data: LiveFile[]; deletes: DeleteFileRef[] }> {
  const data: LiveFile[][] = kept.map(() => []);
  const deletes: DeleteFileRef[][] = kept.map(() => []);
  await forEachLimited(kept, concurrency, async (m, mi) => {
    const manifest = readManifest(await readFile(m.manifestPath), {
      path: m.manifestPath,
      manifestFile: m.partitionSpecId >= 0 ? m : undefined,
      specs: ctx.specs,
      schema: ctx.typeSchema,
    });
    const specId = manifest.spec['spec-id'];
    for (const e of manifest.entries) {
      if (e.status === ManifestEntryStatus.Deleted) continue;
      const seq = e.sequenceNumber ?? 0n;
      const f = e.dataFile;
      if (f.content !== DataFileContent.Data || m.content === ManifestContent.Deletes) {
        metrics.deleteFiles++;
        if (ctx.partitionMatches(specId, f.partition)) deletes[mi]?.push({ file: f, specId, dataSequenceNumber: seq });
        continue;
      }
      metrics.dataFiles++;
      if (!ctx.partitionMatches(specId, f.partition)) metrics.skippedByPartition++;
      else if (!fileMightMatch(ctx.filter, f)) metrics.skippedByBounds++;
      else data[mi]?.push({ file: f, specId, seq });
    }
  });
  return { data: data.flat(), deletes: deletes.flat() };
}

function bindFilter(f: PlanOptions['filter'], schema: Schema, caseSensitive: boolean): BoundExpression {
  if (f === undefined) return TRUE;
  const e = typeof f === 'string' ? parseExpression(f) : f;
  if (isBound(e)) return e;
  return bindExpression(e as Expression, schema, { caseSensitive });
}

function isBound(e: Expression | BoundExpression): e is BoundExpression {
  if (e.type === 'and' || e.type === 'or') return isBound(e.left as Expression);
  if (e.type === 'not') return isBound(e.child as Expression);
  return !('term' in e) || typeof e.term !== 'string';
}

/** The snapshot's manifests: from its manifest list, or v1's inline `manifests` list. */
async function manifestFiles(meta: TableMetadata, s: Snapshot, readFile: ReadFile): Promise<ManifestFile[]> {
  const list = s['manifest-list'];
  if (list !== undefined) return readManifestList(await readFile(list), { path: list, snapshotId: s['snapshot-id'] });
  // v1 without a manifest list: spec ids come from each manifest's header (-1 = unknown here).
  return (s.manifests ?? []).map((path) => ({
    manifestPath: path,
    manifestLength: 0,
    partitionSpecId:
      meta['format-version'] === 1 && meta['partition-specs'].length === 1 ? meta['default-spec-id'] : -1,
    content: ManifestContent.Data,
    sequenceNumber: 0n,
    minSequenceNumber: 0n,
    addedSnapshotId: s['snapshot-id'],
  }));
}

/** Per-spec projections and partition-field references, computed once per plan. */
class PlanContext {
  readonly specs: Map<number, PartitionSpec>;
  /** Every field of every schema, so partition values of dropped source columns keep their type. */
  readonly typeSchema: Schema;
  private readonly projections = new Map<number, BoundExpression>();
  private readonly refs = new Map<number, PartitionRef[]>();

  constructor(
    meta: TableMetadata,
    readonly schema: Schema,
    readonly filter: BoundExpression,
  ) {
    this.specs = new Map(meta['partition-specs'].map((s) => [s['spec-id'], s]));
    this.typeSchema = unionSchema(meta, schema);
  }

  partitionFilter(specId: number): BoundExpression {
    if (this.filter.type === 'true') return TRUE;
    let p = this.projections.get(specId);
    if (!p) {
      const spec = this.specs.get(specId);
      p = spec ? rewriteNot(projectInclusive(this.filter, spec, this.typeSchema)) : TRUE;
      this.projections.set(specId, p);
    }
    return p;
  }

  partitionRefs(specId: number): PartitionRef[] {
    let r = this.refs.get(specId);
    if (!r) {
      const spec = this.specs.get(specId);
      r = spec ? partitionRefs(spec, this.typeSchema) : [];
      this.refs.set(specId, r);
    }
    return r;
  }

  partitionMatches(specId: number, values: PartitionValues): boolean {
    const p = this.partitionFilter(specId);
    if (p.type === 'true') return true;
    return evaluate(p, (ref) => values[(ref as PartitionRef).index] ?? null) === true;
  }

  residual(specId: number, values: PartitionValues): BoundExpression {
    const spec = this.specs.get(specId);
    if (!spec || this.filter.type === 'true') return this.filter;
    return residualFor(this.filter, spec, this.partitionRefs(specId), values);
  }
}

function unionSchema(meta: TableMetadata, first: Schema): Schema {
  const byId = new Map<number, NestedField>();
  for (const s of [...meta.schemas].reverse()) for (const f of s.fields) if (!byId.has(f.id)) byId.set(f.id, f);
  for (const f of first.fields) byId.set(f.id, f);
  return { type: 'struct', 'schema-id': first['schema-id'], fields: [...byId.values()] };
}

async function forEachLimited<T>(items: T[], limit: number, fn: (t: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
