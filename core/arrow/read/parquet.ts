/**
 * Parquet → Arrow with parquet-wasm (node CJS build) and apache-arrow's IPC reader. The footer is
 * read from the real bytes, never from a manifest's `file_size_in_bytes` (writers and copies get
 * it wrong: see shared/fixtures/iceberg/INDEX.md). Row groups are decoded a few at a time so a
 * large file never sits decoded in memory all at once.
 */
import { type Schema as ArrowSchema, type Table, tableFromIPC } from 'apache-arrow';
import { InvalidInputError } from '../../errors';

// The node build of parquet-wasm is CommonJS and loads its .wasm synchronously.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const wasm = require('parquet-wasm') as typeof import('parquet-wasm');

/** An error of a data file that cannot be decoded (truncated, corrupt, not Parquet). */
export class CorruptFileError extends InvalidInputError {
  override readonly name: string = 'CorruptFileError';
}

/** A Parquet file held in memory with its footer facts. */
export interface ParquetSource {
  path: string;
  bytes: Uint8Array;
  /** Arrow schema of the file, fields carrying `PARQUET:field_id` when the writer set them. */
  schema: ArrowSchema;
  /** Rows per row group, in file order. */
  rowGroupRows: number[];
  /** Compressed bytes per row group (to size read batches). */
  rowGroupBytes: number[];
  createdBy?: string;
}

function corrupt(path: string, err: unknown): CorruptFileError {
  const reason = String((err as Error)?.message ?? err)
    .split('\n')[0]
    ?.replace(/^Error: /, '')
    .toLowerCase();
  return new CorruptFileError(`cannot read parquet file ${path}: ${reason}`, { cause: err });
}

/** Reads the footer of a Parquet file held in `bytes`. */
export async function openParquet(path: string, bytes: Uint8Array): Promise<ParquetSource> {
  if (bytes.length < 12 || !isMagic(bytes, 0) || !isMagic(bytes, bytes.length - 4)) {
    throw new CorruptFileError(
      `cannot read parquet file ${path}: not a parquet file or truncated (${bytes.length} bytes)`,
    );
  }
  try {
    const schema = tableFromIPC(wasm.readSchema(bytes).intoIPCStream()).schema;
    const file = await wasm.ParquetFile.fromFile(new Blob([bytes]));
    const groups = file.metadata().rowGroups();
    const source: ParquetSource = {
      path,
      bytes,
      schema,
      rowGroupRows: groups.map((g) => g.numRows()),
      rowGroupBytes: groups.map((g) => g.compressedSize()),
    };
    const createdBy = file.metadata().fileMetadata().createdBy();
    if (createdBy) source.createdBy = createdBy;
    file.free();
    return source;
  } catch (err) {
    throw corrupt(path, err);
  }
}

function isMagic(b: Uint8Array, at: number): boolean {
  return b[at] === 0x50 && b[at + 1] === 0x41 && b[at + 2] === 0x52 && b[at + 3] === 0x31; // "PAR1"
}

/** Decodes the given row groups into one Arrow table. */
export function readRowGroups(source: ParquetSource, rowGroups: number[]): Table {
  try {
    return tableFromIPC(wasm.readParquet(source.bytes, { rowGroups, batchSize: 65_536 }).intoIPCStream());
  } catch (err) {
    throw corrupt(source.path, err);
  }
}

/**
 * Splits row groups into reading batches of about `maxBytes` compressed bytes (at least one group
 * each), keeping file order.
 */
export function rowGroupBatches(source: ParquetSource, maxBytes = 32 * 1024 * 1024): number[][] {
  const batches: number[][] = [];
  let current: number[] = [];
  let size = 0;
  source.rowGroupBytes.forEach((bytes, i) => {
    if (current.length > 0 && size + bytes > maxBytes) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push(i);
    size += bytes;
  });
  if (current.length > 0) batches.push(current);
  return batches;
}
