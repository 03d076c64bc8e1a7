/**
 * Errors of the Iceberg core. All carry a literal `name` (Step Functions matches names) and a
 * one-line lower-case message naming the file, field or value at fault.
 */
import { InvalidInputError, NotFoundError } from '../errors';

/** Metadata JSON, a manifest or a manifest list that does not follow the spec. */
export class InvalidIcebergError extends InvalidInputError {
  override readonly name: string = 'InvalidIcebergError';
}

/** A snapshot, ref, schema or spec id that the metadata does not contain. */
export class SnapshotNotFoundError extends NotFoundError {
  override readonly name: string = 'SnapshotNotFoundError';
}

/** A predicate that cannot be parsed or bound to the schema. */
export class InvalidExpressionError extends InvalidInputError {
  override readonly name: string = 'InvalidExpressionError';
}

/** A transform text or a transform applied to a type it does not support. */
export class InvalidTransformError extends InvalidInputError {
  override readonly name: string = 'InvalidTransformError';
}
