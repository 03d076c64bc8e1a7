import { NotFoundError } from '../../errors';
import { AlreadyExistsError } from './errors';
import type { ByteRange, FileInfo, FileIO, WriteOptions } from './file-io';

interface Entry {
  bytes: Uint8Array;
  lastModified: Date;
}

/**
 * An in-memory FileIO for tests and staging (`memory://name/key`); paths are kept exactly as given.
 * @example const io = new MemoryFileIO(); await io.write('memory://t/a', bytes);
 */
export class MemoryFileIO implements FileIO {
  private readonly files = new Map<string, Entry>();

  async read(path: string, range?: ByteRange): Promise<Uint8Array> {
    const entry = this.get(path);
    if (!range) return entry.bytes.slice();
    return entry.bytes.slice(range.offset, range.offset + range.length);
  }

  async stat(path: string): Promise<FileInfo> {
    const entry = this.get(path);
    return { path, size: entry.bytes.length, lastModified: entry.lastModified };
  }

  async exists(path: string): Promise<boolean> {
    return this.files.has(path);
  }

  async write(path: string, body: Uint8Array, options: WriteOptions = {}): Promise<void> {
    // A single-threaded map makes check-and-set atomic: nothing can interleave between the two lines.
    if (options.ifNoneMatch === '*' && this.files.has(path)) {
      throw new AlreadyExistsError(`file already exists: ${path}`);
    }
    this.files.set(path, { bytes: body.slice(), lastModified: new Date() });
  }

  async delete(path: string): Promise<void> {
    this.files.delete(path);
  }

  async *list(prefix: string): AsyncIterable<FileInfo> {
    for (const path of [...this.files.keys()].sort()) {
      if (!path.startsWith(prefix)) continue;
      const entry = this.files.get(path);
      if (entry) yield { path, size: entry.bytes.length, lastModified: entry.lastModified };
    }
  }

  private get(path: string): Entry {
    const entry = this.files.get(path);
    if (!entry) throw new NotFoundError(`file not found: ${path}`);
    return entry;
  }
}
