/**
 * An S3-compatible server for tests: s3rver on 127.0.0.1 (random port, temp dir) behind a small
 * proxy that implements `If-None-Match: *` (s3rver ignores conditional writes: the proxy HEADs the
 * key first, serialized per key, and answers 412 when it exists).
 *
 * s3rver encrypts list continuation tokens with DES, which Node 17+ only allows with
 * `--openssl-legacy-provider`; that flag cannot be turned on inside a running jest worker, so the
 * server runs in a child `node --openssl-legacy-provider` process.
 *
 * @example
 * const s3 = await startS3Server();
 * await uploadDir(s3.endpoint, s3.bucket, 'tables/t1', '/path/to/t1');
 * const io = new S3FileIO(s3ConfigFor(s3.endpoint));
 * await s3.stop();
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3Config } from '../../core/iceberg/io/s3';

/** A running test server. */
export interface S3Server {
  /** `http://127.0.0.1:<port>` (the proxy in front of s3rver). */
  endpoint: string;
  /** A bucket created at start (random name unless one was asked for). */
  bucket: string;
  stop(): Promise<void>;
}

/** Credentials s3rver accepts by default. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** An S3Config for the S3FileIO that talks to the test server. */
export function s3ConfigFor(endpoint: string): S3Config {
  return { endpoint, region: 'us-east-1', forcePathStyle: true, credentials: S3RVER_CREDENTIALS, baseDelayMs: 10 };
}

const CHILD_SOURCE = `
const http = require('node:http');
const S3rver = require(process.env.S3RVER_MODULE);
const dir = process.env.S3RVER_DIR;
const locks = new Map();
function withLock(key, fn) {
  const prev = locks.get(key) || Promise.resolve();
  const next = prev.then(fn, fn);
  const tail = next.catch(() => {});
  locks.set(key, tail);
  tail.then(() => { if (locks.get(key) === tail) locks.delete(key); });
  return next;
}
function head(port, path) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'HEAD' }, (res) => { res.resume(); resolve(res.statusCode); });
    req.on('error', reject);
    req.end();
  });
}
function forward(port, req, res, body) {
  return new Promise((resolve) => {
    const up = http.request({ host: '127.0.0.1', port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
      r.on('end', resolve);
    });
    up.on('error', (e) => { if (!res.headersSent) res.writeHead(502); res.end(String(e)); resolve(); });
    up.end(body);
  });
}
function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
(async () => {
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, allowMismatchedSignatures: true });
  const s3 = await server.run();
  const port = s3.port;
  const proxy = http.createServer(async (req, res) => {
    const body = await readBody(req);
    const path = req.url.split('?')[0];
    if (req.method === 'PUT' && req.headers['if-none-match'] === '*' && !req.url.includes('uploadId=')) {
      await withLock(path, async () => {
        const status = await head(port, path);
        if (status === 200) {
          res.writeHead(412, { 'content-type': 'application/xml' });
          res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message><Condition>If-None-Match</Condition></Error>');
          return;
        }
        await forward(port, req, res, body);
      });
      return;
    }
    await forward(port, req, res, body);
  });
  proxy.listen(0, '127.0.0.1', () => process.stdout.write('READY ' + proxy.address().port + '\\n'));
  process.on('SIGTERM', () => { proxy.close(); server.close(() => process.exit(0)); setTimeout(() => process.exit(0), 500); });
})().catch((e) => { process.stderr.write(String(e && e.stack || e) + '\\n'); process.exit(1); });
`;

function waitForReady(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`s3rver did not start: ${err}`)), 20_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /READY (\d+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited with ${code}: ${err}`));
    });
  });
}

function clientFor(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** Starts s3rver + the conditional-write proxy and creates a bucket. */
export async function startS3Server(options: { bucket?: string } = {}): Promise<S3Server> {
  const dir = mkdtempSync(join(tmpdir(), 's3rver-'));
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', CHILD_SOURCE], {
    env: { ...process.env, S3RVER_MODULE: require.resolve('s3rver'), S3RVER_DIR: dir, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let port: number;
  try {
    port = await waitForReady(child);
  } catch (err) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  // Never leave a server behind if a test file forgets stop() (or the worker is torn down).
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const endpoint = `http://127.0.0.1:${port}`;
  const bucket = options.bucket ?? `test-${randomBytes(4).toString('hex')}`;
  await createBucket(endpoint, bucket);
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    child.removeAllListeners('exit');
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return { endpoint, bucket, stop };
}

/** Creates a bucket on the test server. */
export async function createBucket(endpoint: string, bucket: string): Promise<void> {
  const client = clientFor(endpoint);
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    client.destroy();
  }
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = (await fs.readdir(dir, { recursive: true, withFileTypes: true })) as import('node:fs').Dirent[];
  return entries
    .filter((e) => e.isFile())
    .map((e) => join((e as unknown as { parentPath?: string; path: string }).parentPath ?? e.path, e.name));
}

/** Uploads every file below `dir` to `s3://bucket/prefix/<relative path>` (8 at a time). */
export async function uploadDir(endpoint: string, bucket: string, prefix: string, dir: string): Promise<number> {
  const client = clientFor(endpoint);
  const files = await filesUnder(dir);
  const base = prefix.replace(/^\/+|\/+$/g, '');
  try {
    for (let i = 0; i < files.length; i += 8) {
      await Promise.all(
        files.slice(i, i + 8).map(async (file) => {
          const rel = relative(dir, file).split(sep).join('/');
          const Key = base ? `${base}/${rel}` : rel;
          await client.send(new PutObjectCommand({ Bucket: bucket, Key, Body: await fs.readFile(file) }));
        }),
      );
    }
  } finally {
    client.destroy();
  }
  return files.length;
}
