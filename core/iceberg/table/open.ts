/**
 * Opening a table from a location: find the current metadata file, parse it, and set up the
 * FileIO that reads its files (re-rooting moved paths when asked).
 */

import { resolve as resolvePath } from 'node:path';
import { InvalidInputError, NotFoundError } from '../../errors';
import { type FileIOConfig, fileIOFor, schemeOf } from '../io';
import type { ByteRange, FileInfo, FileIO, WriteOptions } from '../io/file-io';
import { parseTableMetadata } from '../spec/metadata-parse';
import type { TableMetadata } from '../spec/table-metadata';
import { isMetadataFile, locateMetadataFile } from './locate';
import { identityPaths, movedPathResolver, type PathResolver } from './moved-paths';
import { baseName, parentOf } from './paths';

/** Options of {@link openTable}. */
export interface OpenTableOptions {
  /** The FileIO to use; by default chosen from the location's scheme. */
  io?: FileIO;
  /** Settings for the default FileIO (S3 region, endpoint, credentials). */
  ioConfig?: FileIOConfig;
  /** Re-root paths written on another machine onto the table folder (`--allow-moved-paths`). */
  allowMovedPaths?: boolean;
}

/** A loaded table: metadata plus how to reach its files. */
export interface LoadedTable {
  metadataLocation: string;
  metadata: TableMetadata;
  /** The folder the table was read from (parent of `metadata/`). */
  root: string;
  /** Reads files by the paths written in metadata (resolved with `resolve` on the way). */
  io: FileIO;
  /** The FileIO underneath, for paths already resolved. */
  fileIO: FileIO;
  resolve: PathResolver;
}

/**
 * A FileIO that resolves every path first; metadata readers (manifest lists, manifests) and data
 * readers then see the written paths and still reach the moved files.
 */
export class ResolvingFileIO implements FileIO {
  constructor(
    readonly inner: FileIO,
    readonly resolve: PathResolver,
  ) {}
  read(path: string, range?: ByteRange): Promise<Uint8Array> {
    return this.inner.read(this.resolve(path), range);
  }
  stat(path: string): Promise<FileInfo> {
    return this.inner.stat(this.resolve(path));
  }
  exists(path: string): Promise<boolean> {
    return this.inner.exists(this.resolve(path));
  }
  write(path: string, body: Uint8Array, options?: WriteOptions): Promise<void> {
    return this.inner.write(this.resolve(path), body, options);
  }
  delete(path: string): Promise<void> {
    return this.inner.delete(this.resolve(path));
  }
  list(prefix: string): AsyncIterable<FileInfo> {
    return this.inner.list(this.resolve(prefix));
  }
}

function tableRootOf(metadataLocation: string): string {
  const dir = parentOf(metadataLocation);
  return baseName(dir) === 'metadata' ? parentOf(dir) : dir;
}

/**
 * Loads a table from a metadata file, a table folder or an `s3://` URI of either.
 * @example const t = await loadTable('../shared/fixtures/iceberg/icebird-spark-bunnies', { allowMovedPaths: true });
 */
export async function loadTable(location: string, options: OpenTableOptions = {}): Promise<LoadedTable> {
  if (location.trim() === '') throw new InvalidInputError('table location is empty');
  // Local folders become absolute so resolved paths are stable (resolving one twice is a no-op).
  if (schemeOf(location) === '') location = resolvePath(location);
  const base = options.io ?? fileIOFor(location, options.ioConfig);
  const metadataLocation = await locateMetadataFile(location, base);
  let bytes: Uint8Array;
  try {
    bytes = await base.read(metadataLocation);
  } catch (err) {
    if (err instanceof NotFoundError && isMetadataFile(location)) {
      throw new NotFoundError(`metadata file not found: ${metadataLocation}`, { cause: err });
    }
    throw err;
  }
  const metadata = parseTableMetadata(bytes, { source: metadataLocation });
  return loadedTable(metadataLocation, metadata, base, options.allowMovedPaths === true);
}

/**
 * A LoadedTable from metadata already read (e.g. by a catalog's `loadTable`), with the moved-path
 * resolver when asked for.
 */
export function loadedTable(
  metadataLocation: string,
  metadata: TableMetadata,
  base: FileIO,
  allowMovedPaths: boolean,
): LoadedTable {
  const root = tableRootOf(metadataLocation);
  const resolve = allowMovedPaths ? movedPathResolver(root, metadata.location) : identityPaths;
  const io = allowMovedPaths ? new ResolvingFileIO(base, resolve) : base;
  return { metadataLocation, metadata, root, io, fileIO: base, resolve };
}
