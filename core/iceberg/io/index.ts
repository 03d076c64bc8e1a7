import { InvalidInputError } from '../../errors';
import type { FileIO } from './file-io';
import { LocalFileIO } from './local';
import { MemoryFileIO } from './memory';
import { type S3Config, S3FileIO } from './s3';

export { AlreadyExistsError } from './errors';
export type { ByteRange, FileInfo, FileIO, WriteOptions } from './file-io';
export { LocalFileIO, localPathOf } from './local';
export { MemoryFileIO } from './memory';
export { isTransient, type RetryOptions, withRetry } from './retry';
export { parseS3Uri, type S3Config, S3FileIO } from './s3';

/** Settings for `fileIOFor`. */
export interface FileIOConfig {
  s3?: S3Config;
  /** The memory store to use for `memory://` locations (one per process by default). */
  memory?: MemoryFileIO;
}

const sharedMemory = new MemoryFileIO();

/** The URI scheme of a location (`s3`, `file`, `memory`, …), or `''` for a plain path. */
export function schemeOf(location: string): string {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(location);
  return m?.[1]?.toLowerCase() ?? '';
}

/**
 * The FileIO for a location, chosen by its scheme: `s3://`/`s3a://`/`s3n://` → S3, `memory://` →
 * memory, `file:` or a plain path → local.
 * @example const io = fileIOFor('s3://bucket/warehouse/t', { s3: { region: 'eu-west-1' } });
 */
export function fileIOFor(location: string, config: FileIOConfig = {}): FileIO {
  const scheme = schemeOf(location);
  if (scheme === 's3' || scheme === 's3a' || scheme === 's3n') return new S3FileIO(config.s3);
  if (scheme === 'memory') return config.memory ?? sharedMemory;
  if (scheme === '' || scheme === 'file') return new LocalFileIO();
  throw new InvalidInputError(`unsupported storage scheme '${scheme}' in ${location}`);
}
