/**
 * The error base of icefloe. Every error that reaches a user or a Step Functions `Retry`/`Catch`
 * is an IcefloeError with a literal `name` (minifiers rename classes; ErrorEquals matches names),
 * a lower-case message that names the bad file/field/value, a `retryable` flag, and the CLI exit code.
 */
export interface IcefloeErrorOptions extends ErrorOptions {
  /** A transient fault: the same call may succeed later. @default false */
  retryable?: boolean;
}

export class IcefloeError extends Error {
  override readonly name: string = 'IcefloeError';
  readonly retryable: boolean;
  /** Exit code of the CLI when this error ends a command: 1 failed, 2 invalid input. */
  readonly exitCode: number = 1;

  constructor(message: string, options: IcefloeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options.retryable ?? false;
  }
}

/** Bad input from the user: a manifest, an argument, a table or file that cannot be read as what it claims to be. */
export class InvalidInputError extends IcefloeError {
  override readonly name: string = 'InvalidInputError';
  override readonly exitCode: number = 2;
}

/** A file, table, snapshot or object that should exist and does not. */
export class NotFoundError extends InvalidInputError {
  override readonly name: string = 'NotFoundError';
}

/** A transient fault of a remote service (throttling, 5xx, dropped connection). */
export class TransientError extends IcefloeError {
  override readonly name: string = 'TransientError';
  constructor(message: string, options: IcefloeErrorOptions = {}) {
    super(message, { ...options, retryable: options.retryable ?? true });
  }
}

/**
 * Another run of the same job committed after this run planned: committing too would apply the same source
 * changes twice (an append would duplicate rows). Not retryable: the next run plans from the new state.
 */
export class ConcurrentRunError extends IcefloeError {
  override readonly name: string = 'ConcurrentRunError';
}

/** The CLI exit code for any thrown value. */
export function exitCodeOf(err: unknown): number {
  return err instanceof IcefloeError ? err.exitCode : 1;
}

/** One line for stderr: the message, plus the cause's message when it adds something. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? err.cause.message : undefined;
  const msg = err.message.split('\n')[0] ?? '';
  return cause && !msg.includes(cause) ? `${msg}: ${cause.split('\n')[0]}` : msg;
}
