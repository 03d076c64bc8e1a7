import { TransientError } from '../../errors';

/** Backoff settings for remote calls. */
export interface RetryOptions {
  /** Total attempts, the first included. @default 5 */
  maxAttempts?: number;
  /** Delay before the second attempt; doubles each time. @default 100 */
  baseDelayMs?: number;
  /** Cap of a single delay. @default 5000 */
  maxDelayMs?: number;
}

const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const TRANSIENT_NAMES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'RequestTimeout',
  'RequestTimeTooSkewed',
  'InternalError',
  'ServiceUnavailable',
  'TimeoutError',
]);

/** True for throttling, 5xx and dropped connections: the same request may succeed later. */
export function isTransient(err: unknown): boolean {
  const e = err as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; cause?: unknown };
  const status = e?.$metadata?.httpStatusCode;
  if (status !== undefined && (status === 429 || status >= 500)) return true;
  if (e?.name && TRANSIENT_NAMES.has(e.name)) return true;
  if (e?.code && TRANSIENT_CODES.has(e.code)) return true;
  // The SDK sometimes wraps non-Error rejections ("AWS SDK error wrapper for …"): match the text.
  if (/ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|socket hang up/.test((err as Error)?.message ?? '')) return true;
  return e?.cause !== undefined && e.cause !== err && isTransient(e.cause);
}

/** Full-jitter exponential backoff (AWS architecture blog): uniform in [0, min(cap, base·2^attempt)]. */
export function backoffMs(attempt: number, options: RetryOptions = {}): number {
  const base = options.baseDelayMs ?? 100;
  const cap = options.maxDelayMs ?? 5000;
  return Math.random() * Math.min(cap, base * 2 ** attempt);
}

/**
 * Runs `fn`, retrying transient failures with backoff; after the last attempt a TransientError
 * naming `what` is thrown. Non-transient errors pass through at once.
 */
export async function withRetry<T>(what: string, fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 5);
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isTransient(err)) throw err;
      if (attempt + 1 >= maxAttempts) {
        const reason = (err as Error).message || (err as Error).name || String(err);
        throw new TransientError(`${what} failed after ${maxAttempts} attempts: ${reason}`, { cause: err });
      }
      await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt, options)));
    }
  }
}
