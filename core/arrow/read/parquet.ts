/**
 * Parquet → Arrow with parquet-wasm (node CJS build) and apache-arrow's IPC reader. The footer is
 * read from the real bytes, never from a manifest's `file_size_in_bytes` (writers and copies get
 * it wrong: see shared/fixtures/iceberg/INDEX.md). Large files are read by byte ranges and row
 * groups are decoded a few at a time, so memory stays bounded by a batch of row groups.
 */
import { type Schema as ArrowSchema, type Table, tableFromIPC } from 'apache-arrow';
import { InvalidInputError } from '../../errors';
import type { FileIO } from '../../iceberg/io/file-io';

// The node build of parquet-wasm is CommonJS and loads its .wasm synchronously.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const wasm = require('parquet-wasm') as typeof import('parquet-wasm');

/** An error of a data file that cannot be decoded (truncated, corrupt, not Parquet). */
export class CorruptFileError extends InvalidInputError {
  override readonly name: string = 'CorruptFileError';
}

/** Reads below this size fetch the whole file at once; larger files are read by byte ranges. */
export const WHOLE_FILE_BELOW = 16 * 1024 * 1024;

/** An open Parquet file with its footer facts. */
export interface ParquetSource {
  path: string;
  /** Real size in bytes (from the storage, never from a manifest). */
  size: number;
  file: ParquetFile;
  /** Arrow schema of the file, fields carrying `PARQUET:field_id` when the writer set them. */
  schema: ArrowSchema;
  /** Rows per row group, in file order. */
  rowGroupRows: number[];
  /** Compressed bytes per row group (to size read batches). */
  rowGroupBytes: number[];
}

type ParquetFile = import('parquet-wasm').ParquetFile;

function corrupt(path: string, err: unknown): CorruptFileError {
  const reason = String((err as Error)?.message ?? err)
    .split('\n')[0]
    ?.replace(/^Error: /, '')
    .toLowerCase();
  return new CorruptFileError(`cannot read parquet file ${path}: ${reason}`, { cause: err });
}

/**
 * A Blob look-alike over byte ranges: parquet-wasm's async reader only calls `size`,
 * `slice(start, end)` and `arrayBuffer()`, so the footer and each row group are fetched as ranged
 * reads (S3 `Range` GETs) instead of the whole object.
 */
function rangeBlob(read: (offset: number, length: number) => Promise<Uint8Array>, start: number, end: number): Blob {
  const blob = {
    size: end - start,
    slice(a = 0, b = end - start) {
      const from = start + Math.max(0, a);
      return rangeBlob(read, from, Math.max(from, Math.min(end, start + b)));
    },
    async arrayBuffer() {
      const bytes = await read(start, end - start);
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    },
  };
  return blob as unknown as Blob;
}

function isMagic(b: Uint8Array, at: number): boolean {
  return b[at] === 0x50 && b[at + 1] === 0x41 && b[at + 2] === 0x52 && b[at + 3] === 0x31; // "PAR1"
}

/**
 * Opens a Parquet file through a FileIO: small files are fetched whole, large ones by ranges.
 * @param path the location to read (already resolved)
 */
export async function openParquet(path: string, io: FileIO, wholeFileBelow = WHOLE_FILE_BELOW): Promise<ParquetSource> {
  const size = (await io.stat(path)).size;
  let blob: Blob;
  if (size < wholeFileBelow) {
    const bytes = await io.read(path);
    if (bytes.length < 12 || !isMagic(bytes, 0) || !isMagic(bytes, bytes.length - 4)) {
      throw new CorruptFileError(
        `cannot read parquet file ${path}: not a parquet file or truncated (${bytes.length} bytes)`,
      );
    }
    blob = rangeBlob(async (o, l) => bytes.subarray(o, o + l), 0, bytes.length);
  } else {
    blob = rangeBlob((offset, length) => io.read(path, { offset, length }), 0, size);
  }
  let file: ParquetFile | undefined;
  try {
    file = await wasm.ParquetFile.fromFile(blob);
    const groups = file.metadata().rowGroups();
    const schema = tableFromIPC(file.schema().intoIPCStream()).schema;
    return {
      path,
      size,
      file,
      schema,
      rowGroupRows: groups.map((g) => g.numRows()),
      rowGroupBytes: groups.map((g) => g.compressedSize()),
    };
  } catch (err) {
    file?.free();
    throw corrupt(path, err);
  }
}

/** Releases the file's WebAssembly memory. */
export function closeParquet(source: ParquetSource): void {
  source.file.free();
}

/** Decodes the given row groups into one Arrow table. */
export async function readRowGroups(source: ParquetSource, rowGroups: number[]): Promise<Table> {
  try {
    // One Arrow batch per call (the row groups are already a bounded batch): columns come out
    // as single chunks, which lets unchanged columns pass through without copying.
    const rows = rowGroups.reduce((n, g) => n + (source.rowGroupRows[g] ?? 0), 0);
    const table = await source.file.read({ rowGroups, batchSize: Math.max(1, rows) });
    return tableFromIPC(table.intoIPCStream());
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
