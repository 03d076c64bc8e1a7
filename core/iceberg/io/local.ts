import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IcefloeError, NotFoundError } from '../../errors';
import { AlreadyExistsError } from './errors';
import type { ByteRange, FileInfo, FileIO, WriteOptions } from './file-io';

/** `file:///abs`, `file:/abs` or `/abs` → `/abs`. Other forms are returned unchanged. */
export function localPathOf(location: string): string {
  if (location.startsWith('file://')) return fileURLToPath(location);
  if (location.startsWith('file:/')) return location.slice('file:'.length);
  return location;
}

function isNotFound(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function wrap(err: unknown, path: string, action: string): Error {
  // No cause: "ENOENT: no such file…" would only repeat the message on the error line.
  if (isNotFound(err)) return new NotFoundError(`file not found: ${path}`);
  return new IcefloeError(`cannot ${action} ${path}: ${(err as Error).message}`, { cause: err });
}

/**
 * FileIO over the local filesystem. Writes go to a temporary file first and are renamed (or
 * hard-linked for `ifNoneMatch: '*'`, which fails atomically with EEXIST), so readers never see
 * a partial file.
 */
export class LocalFileIO implements FileIO {
  async read(location: string, range?: ByteRange): Promise<Uint8Array> {
    const path = localPathOf(location);
    try {
      if (!range) return new Uint8Array(await fs.readFile(path));
      const handle = await fs.open(path, 'r');
      try {
        const buf = new Uint8Array(range.length);
        const { bytesRead } = await handle.read(buf, 0, range.length, range.offset);
        return buf.subarray(0, bytesRead);
      } finally {
        await handle.close();
      }
    } catch (err) {
      throw wrap(err, location, 'read');
    }
  }

  async stat(location: string): Promise<FileInfo> {
    try {
      const st = await fs.stat(localPathOf(location));
      if (!st.isFile()) throw new NotFoundError(`not a file: ${location}`);
      return { path: location, size: st.size, lastModified: st.mtime };
    } catch (err) {
      if (err instanceof IcefloeError) throw err;
      throw wrap(err, location, 'stat');
    }
  }

  async exists(location: string): Promise<boolean> {
    try {
      return (await fs.stat(localPathOf(location))).isFile();
    } catch (err) {
      if (isNotFound(err)) return false;
      throw wrap(err, location, 'stat');
    }
  }

  async write(location: string, body: Uint8Array, options: WriteOptions = {}): Promise<void> {
    const path = localPathOf(location);
    const tmp = join(dirname(path), `.${randomBytes(8).toString('hex')}.tmp`);
    try {
      await fs.mkdir(dirname(path), { recursive: true });
      await fs.writeFile(tmp, body, { flag: 'wx' });
      if (options.ifNoneMatch === '*') {
        // link(2) fails with EEXIST when the target exists: an atomic create-if-absent.
        await fs.link(tmp, path);
      } else {
        await fs.rename(tmp, path);
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new AlreadyExistsError(`file already exists: ${location}`, { cause: err });
      }
      throw wrap(err, location, 'write');
    } finally {
      await fs.rm(tmp, { force: true });
    }
  }

  async delete(location: string): Promise<void> {
    await fs.rm(localPathOf(location), { force: true });
  }

  async *list(prefix: string): AsyncIterable<FileInfo> {
    const root = localPathOf(prefix);
    const base = prefix.endsWith('/') ? prefix : `${prefix}/`;
    const rootDir = root.endsWith('/') ? root : `${root}/`;
    let entries: string[];
    try {
      entries = (await fs.readdir(root, { recursive: true })) as string[];
    } catch (err) {
      if (isNotFound(err)) return;
      throw wrap(err, prefix, 'list');
    }
    for (const rel of entries.sort()) {
      const st = await fs.stat(join(rootDir, rel)).catch(() => undefined);
      if (st?.isFile()) yield { path: `${base}${rel}`, size: st.size, lastModified: st.mtime };
    }
  }
}
