/**
 * A FileIO that picks the implementation per path by scheme (`s3://` → S3, `memory://`, else local):
 * REST and Glue catalogs hand out tables whose files may live anywhere, whatever the warehouse name is.
 */
import { type FileIOConfig, fileIOFor, schemeOf } from '../io';
import type { ByteRange, FileInfo, FileIO, WriteOptions } from '../io/file-io';

export class RoutingFileIO implements FileIO {
  private readonly byScheme = new Map<string, FileIO>();

  constructor(private readonly config: FileIOConfig = {}) {}

  private io(path: string): FileIO {
    const scheme = schemeOf(path).replace(/^s3[an]$/, 's3') || 'file';
    let io = this.byScheme.get(scheme);
    if (!io) {
      io = fileIOFor(path, this.config);
      this.byScheme.set(scheme, io);
    }
    return io;
  }

  read(path: string, range?: ByteRange): Promise<Uint8Array> {
    return this.io(path).read(path, range);
  }
  stat(path: string): Promise<FileInfo> {
    return this.io(path).stat(path);
  }
  exists(path: string): Promise<boolean> {
    return this.io(path).exists(path);
  }
  write(path: string, body: Uint8Array, options?: WriteOptions): Promise<void> {
    return this.io(path).write(path, body, options);
  }
  delete(path: string): Promise<void> {
    return this.io(path).delete(path);
  }
  list(prefix: string): AsyncIterable<FileInfo> {
    return this.io(prefix).list(prefix);
  }
}
