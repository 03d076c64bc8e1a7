import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { IcefloeError, InvalidInputError, NotFoundError } from '../../errors';
import { AlreadyExistsError } from './errors';
import type { ByteRange, FileInfo, FileIO, WriteOptions } from './file-io';
import { type RetryOptions, withRetry } from './retry';

/** How to reach S3 or an S3-compatible server. Unset fields fall back to the SDK's env/profile chain. */
export interface S3Config extends RetryOptions {
  region?: string;
  /** Custom endpoint (MinIO, s3rver, LocalStack), e.g. `http://127.0.0.1:4568`. */
  endpoint?: string;
  /** Path-style addressing (`endpoint/bucket/key`); defaults to true when `endpoint` is set. */
  forcePathStyle?: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** `s3://bucket/key` (also `s3a://`, `s3n://`) → bucket and key. */
export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const m = /^s3[an]?:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!m?.[1]) throw new InvalidInputError(`not an s3 uri: ${uri}`);
  return { bucket: m[1], key: m[2] ?? '' };
}

function httpStatus(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

function isMissing(err: unknown): boolean {
  const name = (err as Error).name;
  return httpStatus(err) === 404 || name === 'NoSuchKey' || name === 'NotFound' || name === 'NoSuchBucket';
}

function isPreconditionFailed(err: unknown): boolean {
  return httpStatus(err) === 412 || (err as Error).name === 'PreconditionFailed';
}

/**
 * FileIO over S3 and S3-compatible servers. Ranged GETs for footers and blobs, `If-None-Match: *`
 * on conditional puts, retries with jittered backoff on throttling, 5xx and connection resets.
 */
export class S3FileIO implements FileIO {
  readonly client: S3Client;
  private readonly retry: RetryOptions;

  constructor(config: S3Config = {}) {
    this.retry = config;
    this.client = new S3Client({
      region: config.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      forcePathStyle: config.forcePathStyle ?? config.endpoint !== undefined,
      ...(config.credentials ? { credentials: config.credentials } : {}),
      // Our own retry loop decides (and reports TransientError); the SDK's would double the attempts.
      maxAttempts: 1,
      // S3-compatible servers often reject the SDK's default trailing CRC32 checksums.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async read(path: string, range?: ByteRange): Promise<Uint8Array> {
    const { bucket, key } = parseS3Uri(path);
    if (range && range.length <= 0) return new Uint8Array(0);
    const Range = range ? `bytes=${range.offset}-${range.offset + range.length - 1}` : undefined;
    return this.call(path, 'read', async () => {
      const out = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range }));
      if (!out.Body) return new Uint8Array(0);
      return out.Body.transformToByteArray();
    });
  }

  async stat(path: string): Promise<FileInfo> {
    const { bucket, key } = parseS3Uri(path);
    return this.call(path, 'stat', async () => {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return { path, size: out.ContentLength ?? 0, ...(out.LastModified ? { lastModified: out.LastModified } : {}) };
    });
  }

  async exists(path: string): Promise<boolean> {
    try {
      await this.stat(path);
      return true;
    } catch (err) {
      if (err instanceof NotFoundError) return false;
      throw err;
    }
  }

  async write(path: string, body: Uint8Array, options: WriteOptions = {}): Promise<void> {
    const { bucket, key } = parseS3Uri(path);
    const IfNoneMatch = options.ifNoneMatch;
    let attempts = 0;
    await this.call(path, 'write', async () => {
      attempts++;
      try {
        await this.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, IfNoneMatch }));
      } catch (err) {
        // A retried conditional PUT whose first try was applied but whose reply was lost sees 412:
        // when the object holds exactly our bytes, that write was ours and it succeeded.
        if (IfNoneMatch && attempts > 1 && isPreconditionFailed(err) && (await this.holds(bucket, key, body))) return;
        throw err;
      }
    });
  }

  /**
   * True when the object exists with exactly these bytes (read back with retries). A read-back that keeps
   * failing must not pass for "someone else's object": that error is thrown instead (known failure 7).
   */
  private async holds(bucket: string, key: string, body: Uint8Array): Promise<boolean> {
    try {
      const bytes = await this.read(`s3://${bucket}/${key}`);
      return Buffer.from(bytes).equals(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
    } catch (err) {
      if (err instanceof NotFoundError) return false;
      throw new IcefloeError(`cannot tell whether the conditional write of s3://${bucket}/${key} was applied`, {
        cause: err,
      });
    }
  }

  async delete(path: string): Promise<void> {
    const { bucket, key } = parseS3Uri(path);
    await this.call(path, 'delete', async () => {
      await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    });
  }

  async *list(prefix: string): AsyncIterable<FileInfo> {
    const { bucket, key } = parseS3Uri(prefix);
    let token: string | undefined;
    do {
      const page = await this.call(prefix, 'list', () =>
        this.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, ContinuationToken: token })),
      );
      for (const obj of page.Contents ?? []) {
        if (obj.Key === undefined) continue;
        const info: FileInfo = { path: `s3://${bucket}/${obj.Key}`, size: obj.Size ?? 0 };
        if (obj.LastModified) info.lastModified = obj.LastModified;
        yield info;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** Runs one request with retries and maps S3 failures to icefloe errors naming the URI. */
  private async call<T>(path: string, action: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await withRetry(`${action} ${path}`, fn, this.retry);
    } catch (err) {
      if (err instanceof IcefloeError) throw err;
      if (isMissing(err)) throw new NotFoundError(`file not found: ${path}`);
      if (isPreconditionFailed(err)) {
        throw new AlreadyExistsError(`file already exists: ${path}`, { cause: err });
      }
      const reason = (err as Error).message || (err as Error).name;
      throw new IcefloeError(`cannot ${action} ${path}: ${reason}`, { cause: err });
    }
  }
}
