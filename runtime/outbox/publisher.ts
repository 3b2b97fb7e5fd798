import type { OutboxRecord } from '../types.js';
import type { PublishAbortedError, PublishTimeoutError } from './errors.js';

/** Why one outbox record was not published. */
export interface PublishFailure<TPayload = unknown> {
  readonly record: OutboxRecord<TPayload>;
  /**
   * A short machine-readable reason: the destination's error code (e.g. EventBridge's
   * `"ThrottlingException"`), `"EntryTooLarge"` when the record was never sent because it is
   * over the size limit, or `"PrecedingRecordFailed"` when an earlier record of the same
   * aggregate failed and this one was held back to keep the aggregate's order.
   */
  readonly code: string;
  readonly message: string;
  /** How many times the record was sent (0 when it was never sent). */
  readonly attempts: number;
  /**
   * The typed error behind the failure, when there is one: a {@link PublishTimeoutError} for
   * a request that got no answer in time, a {@link PublishAbortedError} when the caller's
   * signal stopped publishing, or what the destination's client threw.
   */
  readonly error?: unknown;
}

/** Options of {@link OutboxPublisher.publish}. */
export interface PublishOptions {
  /**
   * Stops publishing when aborted: requests in flight are abandoned, nothing more is sent, and
   * `publish` resolves at once with what was accepted so far; the rest is reported failed with
   * a {@link PublishAbortedError}.
   */
  readonly signal?: AbortSignal;
}

/**
 * The outcome of {@link OutboxPublisher.publish}: every record handed in appears in exactly
 * one of the two lists. Nothing is dropped silently.
 */
export interface PublishResult<TPayload = unknown> {
  /** Records the destination accepted, in the order they were accepted. */
  readonly published: readonly OutboxRecord<TPayload>[];
  /** Records that are still unpublished after all retries, with the reason. */
  readonly failed: readonly PublishFailure<TPayload>[];
}

/**
 * Sends outbox records somewhere (EventBridge, a queue, a test double). Implementations keep
 * the order of records of one aggregate: a record is only sent once every earlier record of
 * its aggregate in the same call was accepted. `publish` reports failures in its result
 * instead of throwing, and honours `options.signal` when given (a publisher that ignores it
 * still works, but cannot be cut short).
 */
export interface OutboxPublisher<TPayload = unknown> {
  publish(records: readonly OutboxRecord<TPayload>[], options?: PublishOptions): Promise<PublishResult<TPayload>>;
}
