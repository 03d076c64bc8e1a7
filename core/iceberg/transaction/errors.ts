/** Transaction errors with literal names (Step Functions matches `ErrorEquals` on them). */
import { IcefloeError } from '../../errors';

/**
 * Another writer changed the same data (a file this commit replaces is gone): retrying the same
 * prepared commit cannot succeed; the job must be re-planned. Not retryable as-is.
 */
export class CommitValidationError extends IcefloeError {
  override readonly name = 'CommitValidationError';
}
