/**
 * The staging area of task payloads: chunk lists, staged-chunk results, offloaded outputs. Keys are relative
 * to a root location; on AWS the root is `s3://<StagingBucket>` (so a key is what the Distributed Map's
 * ItemReader reads), locally a folder such as `<cwd>/.icefloe`. Everything lives under `staging/`, the prefix
 * the bucket's lifecycle rule expires.
 */
import type { FileIO } from '../iceberg/io/file-io';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** JSON with bigint written as strings (64-bit ids travel as strings, STYLE.md §4). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/** The keys of one run of one job. */
export function runKeys(jobId: string, runId: string) {
  const base = `staging/${safeSegment(jobId)}/${safeSegment(runId)}`;
  return {
    base,
    chunks: `${base}/chunks.json`,
    staged: `${base}/staged/`,
    outputs: `${base}/outputs/`,
    failed: `${base}/failed/`,
  };
}

/** A path segment safe on every store (ids may hold `/` or spaces). */
export function safeSegment(s: string): string {
  return s.replace(/[^A-Za-z0-9._=-]/g, (c) => `~${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** JSON objects in a FileIO under a root location. */
export class Staging {
  /**
   * @param io the store
   * @param root a location without trailing slash: `/abs/.icefloe`, `s3://bucket`, `memory://staging`
   */
  constructor(
    readonly io: FileIO,
    readonly root: string,
  ) {}

  /** The full location of a key. */
  location(key: string): string {
    return `${this.root.replace(/\/+$/, '')}/${key}`;
  }

  async putJson(key: string, value: unknown): Promise<number> {
    const bytes = encoder.encode(toJson(value));
    await this.io.write(this.location(key), bytes);
    return bytes.byteLength;
  }

  async getJson<T>(key: string): Promise<T> {
    return JSON.parse(decoder.decode(await this.io.read(this.location(key)))) as T;
  }

  /** Keys (relative to the root) below a key prefix, sorted. */
  async listKeys(prefix: string): Promise<string[]> {
    const root = this.location('');
    const keys: string[] = [];
    for await (const f of this.io.list(this.location(prefix))) {
      keys.push(f.path.startsWith(root) ? f.path.slice(root.length) : f.path);
    }
    return keys.sort();
  }

  /** Deletes every object below a key prefix. */
  async deletePrefix(prefix: string): Promise<number> {
    const keys = await this.listKeys(prefix);
    for (const k of keys) await this.io.delete(this.location(k));
    return keys.length;
  }
}
