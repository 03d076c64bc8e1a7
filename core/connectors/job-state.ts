/**
 * The check both sinks make inside their commit (under the Postgres job lock; in each Iceberg commit attempt):
 * a run commits only if the job's committed state is still the one it planned from (JobState.previousRunId).
 */
import { ConcurrentRunError } from '../errors';
import type { JobState } from './types';

/**
 * Refuses a commit whose run planned from another committed state than the current one: another run of the same
 * job committed in between, and committing too would apply the same source changes twice.
 */
export function assertStateUnmoved(where: string, state: JobState, currentRunId: string | undefined): void {
  if (state.previousRunId === undefined || (currentRunId ?? null) === state.previousRunId) return;
  throw new ConcurrentRunError(
    `job ${state.jobId}: ${where} was committed by run ${currentRunId ?? '(none)'} after run ${state.runId} ` +
      `planned from ${state.previousRunId ?? 'no committed state'}; not committing twice (run the job again)`,
  );
}
