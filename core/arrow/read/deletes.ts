/**
 * Row-level deletes (format/spec.md "Row-level Deletes"): position deletes (`file_path`, `pos`),
 * equality deletes (rows whose equality columns equal a deleted tuple, nulls equal to nulls) and
 * v3 deletion vectors (Puffin). Which delete files apply to a data file is decided by the planner
 * (sequence numbers, partitions); this module loads them and answers "is row i deleted".
 * `file_path` values are resolved like every other path: Impala fixtures keep `hdfs://…` paths
 * inside delete files while their manifests say `/test-warehouse/…`.
 */
import type { Field as ArrowField } from 'apache-arrow';
import { InvalidInputError } from '../../errors';
import type { FileIO } from '../../iceberg/io/file-io';
import { type DataFile, DataFileContent } from '../../iceberg/spec/manifest';
import type { NameMapping } from '../../iceberg/spec/name-mapping';
import { findFieldById } from '../../iceberg/spec/schema';
import type { NestedField, StructType } from '../../iceberg/spec/types';
import type { PathResolver } from '../../iceberg/table/moved-paths';
import { readDeletionVector } from './deletion-vector';
import { closeParquet, openParquet, readRowGroups } from './parquet';
import { fileHasFieldIds, planColumns } from './project';
import { vectorGetter } from './raw-values';

/** Reserved field ids of position delete files (format/spec.md "Reserved Field IDs"). */
export const FILE_PATH_ID = 2147483546;
export const POS_ID = 2147483545;

/** One set of equality deletes: rows whose `fieldIds` values form a key in `keys` are deleted. */
export interface EqualityDeleteSet {
  fieldIds: number[];
  keys: Set<string>;
}

/** A stable string key of a tuple of in-memory values; null is its own value (null-safe equality). */
export function tupleKey(values: readonly unknown[]): string {
  return values
    .map((v) => {
      if (v === null || v === undefined) return '\u0000';
      if (typeof v === 'bigint') return `i${v}`;
      if (typeof v === 'number') return Number.isInteger(v) ? `i${v}` : `f${v}`;
      if (v instanceof Uint8Array) return `x${Buffer.from(v).toString('hex')}`;
      return `${typeof v}:${JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? String(x) : x))}`;
    })
    .join('\u0001');
}

/** Reads every row group of a delete file into one table. */
async function readWhole(io: FileIO, path: string) {
  const source = await openParquet(path, io);
  try {
    const table = await readRowGroups(
      source,
      source.rowGroupRows.map((_, i) => i),
    );
    return { source, table };
  } finally {
    closeParquet(source);
  }
}

/** Loads and caches delete files for one scan. */
export class DeleteLoader {
  private readonly positionFiles = new Map<string, Promise<Map<string, number[]>>>();
  private readonly equalityFiles = new Map<string, Promise<EqualityDeleteSet>>();

  constructor(
    private readonly io: FileIO,
    private readonly resolve: PathResolver,
    private readonly schema: StructType,
    private readonly nameMapping?: NameMapping,
  ) {}

  /** Deleted positions of one data file (its resolved path), from position delete files and DVs. */
  async deletedPositions(dataPath: string, deletes: DataFile[]): Promise<Set<number>> {
    const out = new Set<number>();
    for (const d of deletes) {
      if (d.content !== DataFileContent.PositionDeletes) continue;
      if (d.fileFormat.toUpperCase() === 'PUFFIN') {
        for (const pos of await this.deletionVector(d)) out.add(Number(pos));
        continue;
      }
      const byFile = await this.positionFile(this.resolve(d.filePath));
      for (const pos of byFile.get(dataPath) ?? []) out.add(pos);
    }
    return out;
  }

  /** The equality delete sets among `deletes`. */
  async equalitySets(deletes: DataFile[]): Promise<EqualityDeleteSet[]> {
    const sets: EqualityDeleteSet[] = [];
    for (const d of deletes) {
      // Without equality ids a delete file matches no column; the spec requires them.
      if (d.content !== DataFileContent.EqualityDeletes || (d.equalityIds ?? []).length === 0) continue;
      const path = this.resolve(d.filePath);
      let p = this.equalityFiles.get(path);
      if (!p) {
        p = this.loadEquality(path, d.equalityIds ?? []);
        this.equalityFiles.set(path, p);
      }
      sets.push(await p);
    }
    return sets;
  }

  private async deletionVector(d: DataFile): Promise<bigint[]> {
    const path = this.resolve(d.filePath);
    if (d.contentOffset === undefined || d.contentSizeInBytes === undefined) {
      throw new InvalidInputError(`deletion vector entry for ${path} has no content offset or size`);
    }
    const blob = await this.io.read(path, { offset: d.contentOffset, length: d.contentSizeInBytes });
    return readDeletionVector(blob, path);
  }

  private positionFile(path: string): Promise<Map<string, number[]>> {
    let p = this.positionFiles.get(path);
    if (!p) {
      p = this.loadPositions(path);
      this.positionFiles.set(path, p);
    }
    return p;
  }

  private async loadPositions(path: string): Promise<Map<string, number[]>> {
    const { source, table } = await readWhole(this.io, path);
    const fields = source.schema.fields;
    const find = (id: number, name: string) => {
      const i = fields.findIndex((f) => f.metadata.get('PARQUET:field_id') === String(id));
      return i >= 0 ? i : fields.findIndex((f) => f.name === name);
    };
    const fp = find(FILE_PATH_ID, 'file_path');
    const pos = find(POS_ID, 'pos');
    if (fp < 0 || pos < 0) throw new InvalidInputError(`position delete file ${path} has no file_path/pos columns`);
    const getPath = vectorGetter(table.getChildAt(fp) as never);
    const getPos = vectorGetter(table.getChildAt(pos) as never);
    const out = new Map<string, number[]>();
    for (let i = 0; i < table.numRows; i++) {
      const target = this.resolve(String(getPath(i)));
      const list = out.get(target) ?? [];
      if (list.length === 0) out.set(target, list);
      list.push(Number(getPos(i)));
    }
    return out;
  }

  private async loadEquality(path: string, fieldIds: number[]): Promise<EqualityDeleteSet> {
    const { source, table } = await readWhole(this.io, path);
    const read: NestedField[] = fieldIds.map(
      (id) => findFieldById(this.schema, id) ?? { id, name: `_${id}`, required: false, type: 'string' },
    );
    const fields = source.schema.fields as ArrowField[];
    const ids = fileHasFieldIds(fields)
      ? { hasIds: true }
      : { hasIds: false, ...(this.nameMapping ? { mapping: this.nameMapping } : {}) };
    const plan = planColumns(fields, read, ids, new Map());
    const getters = plan.map((c) => {
      if (c.kind === 'constant') return () => c.value;
      const g = vectorGetter(table.getChildAt(c.index) as never);
      return (i: number) => c.convert(g(i));
    });
    const keys = new Set<string>();
    for (let i = 0; i < table.numRows; i++) keys.add(tupleKey(getters.map((g) => g(i))));
    return { fieldIds, keys };
  }
}
