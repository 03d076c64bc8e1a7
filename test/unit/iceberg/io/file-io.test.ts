import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NotFoundError, TransientError } from '../../../../core/errors';
import {
  AlreadyExistsError,
  type FileIO,
  fileIOFor,
  LocalFileIO,
  MemoryFileIO,
  S3FileIO,
  withRetry,
} from '../../../../core/iceberg/io';
import { type S3Server, s3ConfigFor, startS3Server } from '../../../helpers/s3-server';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

async function collect(it: AsyncIterable<{ path: string }>): Promise<string[]> {
  const out: string[] = [];
  for await (const f of it) out.push(f.path);
  return out.sort();
}

function contract(name: string, make: () => Promise<{ io: FileIO; root: string }>) {
  describe(`FileIO contract: ${name}`, () => {
    it('writes, reads whole and ranged, stats, lists and deletes', async () => {
      const { io, root } = await make();
      await io.write(`${root}/a/b.txt`, enc('hello world'));
      await io.write(`${root}/a/c/d.txt`, enc('x'));
      expect(dec(await io.read(`${root}/a/b.txt`))).toBe('hello world');
      expect(dec(await io.read(`${root}/a/b.txt`, { offset: 6, length: 5 }))).toBe('world');
      expect((await io.stat(`${root}/a/b.txt`)).size).toBe(11);
      expect(await io.exists(`${root}/a/b.txt`)).toBe(true);
      expect(await io.exists(`${root}/a/nope.txt`)).toBe(false);
      expect(await collect(io.list(`${root}/a/`))).toEqual([`${root}/a/b.txt`, `${root}/a/c/d.txt`]);
      await io.delete(`${root}/a/b.txt`);
      expect(await io.exists(`${root}/a/b.txt`)).toBe(false);
    });

    it('names the missing file in NotFoundError', async () => {
      const { io, root } = await make();
      const err = await io.read(`${root}/missing.bin`).catch((e) => e);
      expect(err).toBeInstanceOf(NotFoundError);
      expect(err.message).toContain(`${root}/missing.bin`);
    });

    it('creates atomically with ifNoneMatch: * and refuses the second writer', async () => {
      const { io, root } = await make();
      const path = `${root}/v1.metadata.json`;
      const results = await Promise.allSettled(
        [1, 2, 3].map((i) => io.write(path, enc(`writer ${i}`), { ifNoneMatch: '*' })),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(AlreadyExistsError);
      expect(dec(await io.read(path))).toMatch(/^writer \d$/);
    });
  });
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'fileio-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

contract('local', async () => ({ io: new LocalFileIO(), root: join(tmp, Math.random().toString(36).slice(2)) }));
contract('local file:// uri', async () => ({
  io: new LocalFileIO(),
  root: `file://${join(tmp, Math.random().toString(36).slice(2))}`,
}));
contract('memory', async () => ({ io: new MemoryFileIO(), root: 'memory://t' }));

describe('S3 FileIO against s3rver', () => {
  let server: S3Server;
  beforeAll(async () => {
    server = await startS3Server();
  }, 30_000);
  afterAll(async () => server?.stop());
  contract('s3', async () => ({
    io: new S3FileIO(s3ConfigFor(server.endpoint)),
    root: `s3://${server.bucket}/${Math.random().toString(36).slice(2)}`,
  }));

  it('lists more than one page (continuation tokens)', async () => {
    const io = new S3FileIO(s3ConfigFor(server.endpoint));
    const root = `s3://${server.bucket}/many`;
    await Promise.all(Array.from({ length: 1005 }, (_, i) => io.write(`${root}/f${i}`, enc('x'))));
    expect(await collect(io.list(`${root}/`))).toHaveLength(1005);
  }, 60_000);

  it('treats a retried conditional PUT as done when its lost first reply had applied our bytes', async () => {
    const io = new S3FileIO(s3ConfigFor(server.endpoint));
    const path = `s3://${server.bucket}/lost/v1.metadata.json`;
    const send = io.client.send.bind(io.client) as (c: unknown) => Promise<unknown>;
    let calls = 0;
    (io.client as unknown as { send: (c: unknown) => Promise<unknown> }).send = async (command) => {
      calls++;
      const out = await send(command);
      if (calls === 1) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }); // applied, reply lost
      return out;
    };
    await io.write(path, enc('ours'), { ifNoneMatch: '*' });
    expect(dec(await io.read(path))).toBe('ours');
    // someone else's bytes at the key stay a conflict
    const other = new S3FileIO(s3ConfigFor(server.endpoint));
    await expect(other.write(path, enc('theirs'), { ifNoneMatch: '*' })).rejects.toBeInstanceOf(AlreadyExistsError);
  });

  it('gives up on an unreachable endpoint with a TransientError after retries', async () => {
    const io = new S3FileIO({ ...s3ConfigFor('http://127.0.0.1:1'), maxAttempts: 3, baseDelayMs: 1 });
    await expect(io.read('s3://b/k')).rejects.toBeInstanceOf(TransientError);
  });
});

describe('withRetry', () => {
  it('retries 503 and throttling, then succeeds', async () => {
    let calls = 0;
    const result = await withRetry(
      'op',
      async () => {
        calls++;
        if (calls < 3)
          throw Object.assign(new Error('slow down'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } });
        return 'ok';
      },
      { baseDelayMs: 1 },
    );
    expect([result, calls]).toEqual(['ok', 3]);
  });

  it('does not retry a 403', async () => {
    let calls = 0;
    const err = await withRetry('op', async () => {
      calls++;
      throw Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    }).catch((e) => e);
    expect([err.name, calls]).toEqual(['AccessDenied', 1]);
  });
});

describe('fileIOFor', () => {
  it('chooses by scheme', () => {
    expect(fileIOFor('/tmp/x')).toBeInstanceOf(LocalFileIO);
    expect(fileIOFor('file:///tmp/x')).toBeInstanceOf(LocalFileIO);
    expect(fileIOFor('memory://a/b')).toBeInstanceOf(MemoryFileIO);
    expect(fileIOFor('s3://bucket/key')).toBeInstanceOf(S3FileIO);
    expect(() => fileIOFor('gs://bucket/key')).toThrow(/unsupported storage scheme 'gs'/);
  });
});
