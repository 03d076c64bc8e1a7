/**
 * Which delete files apply to a data file (format/spec.md "Scan Planning"):
 * - position deletes: delete data sequence number ≥ the data file's, same spec and partition, and
 *   when scoped to one file (`referenced_data_file`, or equal `file_path` bounds) that file only;
 * - deletion vectors (v3, Puffin): for their `referenced_data_file`; where one exists, position
 *   delete files for that data file are ignored;
 * - equality deletes: delete data sequence number > the data file's, and same spec and partition,
 *   or the delete file's spec is unpartitioned (global); skipped when the equality columns' bounds
 *   of the two files cannot overlap (as Iceberg Java's DeleteFileIndex does).
 * Deletes that match no live data file (dangling) are never attached.
 */
import type { DataFile, PartitionValues } from '../spec/manifest';
import { DataFileContent } from '../spec/manifest';
import type { PartitionSpec } from '../spec/partition-spec';
import { isUnpartitioned } from '../spec/partition-spec';
import type { PrimitiveType, PrimitiveValue } from '../spec/types';
import { primitiveKind } from '../spec/types';
import { compareStrings, compareValues, fromBytes } from '../spec/values';

/** The reserved field id of `file_path` in position delete files (spec: "Reserved Field IDs"). */
export const DELETE_FILE_PATH_ID = 2147483546;

/** A delete file attached to a scan task. */
export interface DeleteFileRef {
  file: DataFile;
  specId: number;
  dataSequenceNumber: bigint;
}

/** A string key of a partition tuple within a spec. */
export function partitionKey(specId: number, values: PartitionValues): string {
  return `${specId}|${values.map((v) => (v === null ? '\u0000' : v instanceof Uint8Array ? `b:${Buffer.from(v).toString('hex')}` : `${typeof v}:${String(v)}`)).join('|')}`;
}

function pathBounds(f: DataFile): { lo?: string; hi?: string } {
  const lo = f.lowerBounds?.get(DELETE_FILE_PATH_ID);
  const hi = f.upperBounds?.get(DELETE_FILE_PATH_ID);
  return { lo: lo ? String(fromBytes('string', lo)) : undefined, hi: hi ? String(fromBytes('string', hi)) : undefined };
}

/** The delete files of a snapshot, indexed for lookup per data file. */
export class DeleteFileIndex {
  private readonly globalEq: DeleteFileRef[] = [];
  private readonly eqByPartition = new Map<string, DeleteFileRef[]>();
  private readonly posByPartition = new Map<string, DeleteFileRef[]>();
  private readonly posByPath = new Map<string, DeleteFileRef[]>();
  private readonly dvByPath = new Map<string, DeleteFileRef>();
  private readonly used = new Set<DeleteFileRef>();
  readonly size: number;

  /**
   * @param typeOf the type of a field id, so equality deletes can be skipped for data files whose
   *   column ranges cannot overlap theirs; without it every equality delete of the partition applies.
   */
  constructor(
    deletes: DeleteFileRef[],
    specs: Map<number, PartitionSpec>,
    private readonly typeOf?: (fieldId: number) => PrimitiveType | undefined,
  ) {
    for (const d of deletes) this.add(d, specs);
    this.size = deletes.length;
  }

  private add(d: DeleteFileRef, specs: Map<number, PartitionSpec>): void {
    const push = (m: Map<string, DeleteFileRef[]>, k: string) => {
      const list = m.get(k);
      if (list) list.push(d);
      else m.set(k, [d]);
    };
    const f = d.file;
    if (f.content === DataFileContent.EqualityDeletes) {
      const spec = specs.get(d.specId);
      if (!spec || isUnpartitioned(spec)) this.globalEq.push(d);
      else push(this.eqByPartition, partitionKey(d.specId, f.partition));
      return;
    }
    if (f.fileFormat === 'PUFFIN' && f.referencedDataFile !== undefined) {
      this.dvByPath.set(f.referencedDataFile, d);
      return;
    }
    const { lo, hi } = pathBounds(f);
    const target = f.referencedDataFile ?? (lo !== undefined && lo === hi ? lo : undefined);
    if (target !== undefined) push(this.posByPath, target);
    else push(this.posByPartition, partitionKey(d.specId, f.partition));
  }

  /** The delete files that apply to a live data file. */
  forDataFile(file: DataFile, specId: number, dataSeq: bigint): DeleteFileRef[] {
    if (this.size === 0) return [];
    const key = partitionKey(specId, file.partition);
    const out: DeleteFileRef[] = [];
    const dv = this.dvByPath.get(file.filePath);
    if (dv && dv.dataSequenceNumber >= dataSeq) out.push(dv);
    else {
      for (const d of this.posByPath.get(file.filePath) ?? []) if (d.dataSequenceNumber >= dataSeq) out.push(d);
      for (const d of this.posByPartition.get(key) ?? [])
        if (d.dataSequenceNumber >= dataSeq && inPathBounds(d.file, file.filePath)) out.push(d);
    }
    for (const d of this.eqByPartition.get(key) ?? [])
      if (d.dataSequenceNumber > dataSeq && this.ranges(d.file, file)) out.push(d);
    for (const d of this.globalEq) if (d.dataSequenceNumber > dataSeq && this.ranges(d.file, file)) out.push(d);
    for (const d of out) this.used.add(d);
    return out;
  }

  /** False when some equality column's value ranges in the two files cannot overlap (nulls aside). */
  private ranges(del: DataFile, data: DataFile): boolean {
    if (!this.typeOf) return true;
    for (const id of del.equalityIds ?? []) {
      const type = this.typeOf(id);
      const kind = type && primitiveKind(type)?.kind;
      if (!type || kind === 'float' || kind === 'double') continue;
      const bounds = [
        data.lowerBounds?.get(id),
        data.upperBounds?.get(id),
        del.lowerBounds?.get(id),
        del.upperBounds?.get(id),
      ];
      if (bounds.some((b) => b === undefined)) continue;
      // A null in both files can match; the bounds say nothing about nulls.
      if ((data.nullValueCounts?.get(id) ?? 1) > 0 && (del.nullValueCounts?.get(id) ?? 1) > 0) continue;
      try {
        const [dl, du, xl, xu] = bounds.map((b) => fromBytes(type, b as Uint8Array)) as PrimitiveValue[];
        if (
          compareValues(du as PrimitiveValue, xl as PrimitiveValue) < 0 ||
          compareValues(xu as PrimitiveValue, dl as PrimitiveValue) < 0
        )
          return false;
      } catch {
        // unreadable bounds prune nothing
      }
    }
    return true;
  }

  /** Delete files not attached to any data file looked up so far (dangling, or for pruned files). */
  unused(): number {
    return this.size - this.used.size;
  }
}

function inPathBounds(del: DataFile, path: string): boolean {
  const { lo, hi } = pathBounds(del);
  if (lo !== undefined && compareStrings(path, lo) < 0) return false;
  if (hi !== undefined && compareStrings(path, hi) > 0) return false;
  return true;
}
