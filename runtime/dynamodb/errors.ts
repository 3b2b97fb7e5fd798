/** The errors only the DynamoDB store throws; both mean that nothing was written. */
import { StoreError, StoreLimitError } from '../errors.js';
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
 * A value in a commit cannot be stored as JSON and read back unchanged (a bigint, NaN, a Map,
 * a function, a circular reference, ...). Nothing was written.
 */
export class UnstorableValueError extends StoreError {
  constructor(
    /** What holds the value, e.g. `event 01J… (DEPOSITED, sequence 3) of ACCOUNT "a-1"`. */
    readonly subject: string,
    /** Path into it, e.g. `payload.items[2].price` (`""` for the value itself). */
    readonly path: string,
    readonly reason: string,
  ) {
    super(`Cannot store ${subject}: ${path ? `at ${path}: ` : ''}${reason}`);
  }
}
