/**
 * Retries keyed by error NAME (Step Functions matches `ErrorEquals` against the Lambda `errorType`, which is
 * the thrown error's `name`; icefloe errors set it as a literal so bundling cannot rename it).
 */
import type { RetryPolicy } from '../core/manifest/types';
import type { Retrier } from './asl';

/** Faults of the Lambda service itself, worth retrying on every task (AWS guidance for Lambda invokes). */
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.ClientExecutionTimeoutException',
] as const;

/** icefloe's transient errors (`core/errors.ts` TransientError and connectors' subclasses raising it by name). */
export const TRANSIENT_ERRORS = ['TransientError', ...LAMBDA_SERVICE_ERRORS] as const;

/** Optimistic-concurrency conflicts of a commit: refresh and try again (STYLE.md §5). */
export const COMMIT_CONFLICT_ERRORS = ['CommitConflictError'] as const;

/** Backoff of the per-task transient retries. */
export const TRANSIENT_BACKOFF = {
  IntervalSeconds: 2,
  MaxAttempts: 4,
  BackoffRate: 2,
  MaxDelaySeconds: 60,
  JitterStrategy: 'FULL',
} as const satisfies Omit<Retrier, 'ErrorEquals'>;

/** The `Retry` of a Plan, Move or Cleanup task. */
export function taskRetriers(): Retrier[] {
  return [{ ErrorEquals: [...TRANSIENT_ERRORS], ...TRANSIENT_BACKOFF }];
}

/** The `Retry` of a Commit task: transient faults plus commit conflicts (more attempts, the loser refreshes). */
export function commitRetriers(): Retrier[] {
  return [
    {
      ErrorEquals: [...COMMIT_CONFLICT_ERRORS],
      IntervalSeconds: 1,
      MaxAttempts: 6,
      BackoffRate: 2,
      MaxDelaySeconds: 30,
      JitterStrategy: 'FULL',
    },
    ...taskRetriers(),
  ];
}

/**
 * The manifest's `retry` of a DAG node as a `Retry` on the whole job (Plan → Move → Commit run again).
 * `OnTransientError` retries only transient names; `Always`, `OnFailure`, `OnError` retry any error
 * (`States.ALL`; Argo's retryStrategy semantics, where DataOS took these names from).
 */
export function jobRetriers(policy: RetryPolicy | undefined): Retrier[] {
  if (!policy || policy.count <= 0) return [];
  const errors =
    policy.strategy === 'OnTransientError' ? [...TRANSIENT_ERRORS, ...COMMIT_CONFLICT_ERRORS] : ['States.ALL'];
  return [
    {
      ErrorEquals: errors,
      MaxAttempts: policy.count,
      IntervalSeconds: Math.max(1, Math.round(policy.durationSeconds ?? 10)),
      BackoffRate: 2,
      MaxDelaySeconds: 900,
    },
  ];
}
