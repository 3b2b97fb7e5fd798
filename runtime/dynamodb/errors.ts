/** The errors only the DynamoDB store throws; both mean that nothing was written. */
import { StoreLimitError, UnsupportedValueError } from '../errors.js';
import type { DYNAMO_LIMITS } from './limits.js';

/** A limit of {@link DYNAMO_LIMITS} that a commit exceeds. Nothing was written. */
export class DynamoLimitError extends StoreLimitError {
  constructor(
    message: string,
    /** Which limit. */
    readonly limit: keyof typeof DYNAMO_LIMITS,
    /** The commit's number (items or bytes). */
    readonly actual: number,
    /** DynamoDB's maximum. */
    readonly maximum: number,
    /** The item at fault, for per-item limits. */
    readonly subject?: string,
  ) {
    super(message);
  }
}

/**
 * The codec's {@link UnsupportedValueError}, under the name this subpath used before. A value
 * in a commit cannot be stored and read back unchanged; nothing was written.
 * @deprecated Use `UnsupportedValueError`.
 */
export const UnstorableValueError = UnsupportedValueError;
/** @deprecated Use `UnsupportedValueError`. */
export type UnstorableValueError = UnsupportedValueError;
