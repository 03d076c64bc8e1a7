/**
 * FileIO: the one storage interface of icefloe (local folders, S3 and S3-compatible servers, memory).
 * Paths are full locations: `/abs/path`, `file:///abs/path`, `s3://bucket/key`, `memory://name/key`.
 */
export interface ByteRange {
  /** First byte, inclusive. */
  offset: number;
  /** Number of bytes. */
  length: number;
}

export interface FileInfo {
  path: string;
  size: number;
  lastModified?: Date;
}

export interface WriteOptions {
  /** `'*'`: fail with AlreadyExistsError when the object exists (atomic create; the commit point of the file catalog). */
  ifNoneMatch?: '*';
}

export interface FileIO {
  read(path: string, range?: ByteRange): Promise<Uint8Array>;
  /** Size in bytes; NotFoundError when missing. */
  stat(path: string): Promise<FileInfo>;
  exists(path: string): Promise<boolean>;
  write(path: string, body: Uint8Array, options?: WriteOptions): Promise<void>;
  delete(path: string): Promise<void>;
  /** Every file below a prefix (recursive). */
  list(prefix: string): AsyncIterable<FileInfo>;
}
