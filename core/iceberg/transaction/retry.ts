/**
 * Commit retry policy from the table properties Iceberg defines (`commit.retry.num-retries` 4,
 * `commit.retry.min-wait-ms` 100, `commit.retry.max-wait-ms` 60000, `commit.retry.total-timeout-ms`
 * 1800000), exponential backoff with full jitter.
 */
export interface RetryPolicy {
  numRetries: number;
  minWaitMs: number;
  maxWaitMs: number;
  totalTimeoutMs: number;
}

/** The retry policy of a table. */
export function retryPolicyOf(properties: Record<string, string>): RetryPolicy {
  const n = (k: string, d: number) => {
    const v = Number(properties[k]);
    return Number.isFinite(v) && properties[k] !== undefined ? v : d;
  };
  return {
    numRetries: n('commit.retry.num-retries', 4),
    minWaitMs: n('commit.retry.min-wait-ms', 100),
    maxWaitMs: n('commit.retry.max-wait-ms', 60_000),
    totalTimeoutMs: n('commit.retry.total-timeout-ms', 1_800_000),
  };
}

/** Milliseconds to wait before retry `attempt` (0-based). */
export function backoffMs(attempt: number, p: RetryPolicy): number {
  const cap = Math.min(p.maxWaitMs, p.minWaitMs * 2 ** attempt);
  return Math.max(p.minWaitMs, Math.floor(Math.random() * cap));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
