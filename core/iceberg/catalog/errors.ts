/**
 * Catalog errors with literal names, so Step Functions `Retry`/`Catch` can match them (`ErrorEquals`).
 */
import { IcefloeError, type IcefloeErrorOptions, InvalidInputError, NotFoundError } from '../../errors';

/** Another writer committed first (a requirement failed, the metadata pointer moved): reload and retry. */
export class CommitConflictError extends IcefloeError {
  override readonly name = 'CommitConflictError';
  constructor(message: string, options: IcefloeErrorOptions = {}) {
    super(message, { ...options, retryable: true });
  }
}

/** The commit kept conflicting after every retry of `commit.retry.num-retries`. */
export class CommitRetriesExhaustedError extends IcefloeError {
  override readonly name = 'CommitRetriesExhaustedError';
}

/** The commit's outcome is unknown (e.g. the REST server answered 5xx after receiving it). Do not clean up. */
export class CommitStateUnknownError extends IcefloeError {
  override readonly name = 'CommitStateUnknownError';
}

export class NoSuchTableError extends NotFoundError {
  override readonly name = 'NoSuchTableError';
}

export class NoSuchNamespaceError extends NotFoundError {
  override readonly name = 'NoSuchNamespaceError';
}

export class TableAlreadyExistsError extends InvalidInputError {
  override readonly name = 'TableAlreadyExistsError';
}

export class NamespaceAlreadyExistsError extends InvalidInputError {
  override readonly name = 'NamespaceAlreadyExistsError';
}

export class NamespaceNotEmptyError extends InvalidInputError {
  override readonly name = 'NamespaceNotEmptyError';
}
