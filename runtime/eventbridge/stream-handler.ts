import { isOutboxItem, outboxRecordFromItem } from '../dynamodb/items.js';
import type { OutboxRecord } from '../types.js';
import type { OutboxPublisher, PublishFailure } from '../outbox/publisher.js';
import { abortableSleep } from '../outbox/abortable.js';
import { aggregateKeyOf } from '../outbox/order.js';
import { backoffDelay } from '../retry.js';
import { jsonLineLogger, type Logger } from './log.js';
import { EventBridgeOutboxPublisher, type EventBridgeOutboxPublisherOptions } from './publisher.js';

/**
 * The part of a DynamoDB Streams Lambda event the handler reads; `DynamoDBStreamEvent` from
 * `@types/aws-lambda` fits it.
 */
export interface StreamEvent {
  readonly Records: readonly StreamEventRecord[];
}

/** One stream record as Lambda delivers it (images in DynamoDB JSON, `{ "S": "..." }`). */
export interface StreamEventRecord {
  readonly eventID?: string;
  readonly eventName?: 'INSERT' | 'MODIFY' | 'REMOVE';
  readonly eventSourceARN?: string;
  readonly dynamodb?: {
    readonly SequenceNumber?: string;
    readonly NewImage?: Record<string, unknown>;
  };
}

/** The partial-batch response Lambda expects when `ReportBatchItemFailures` is on. */
export interface StreamBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/** The part of the Lambda context the handler reads; Lambda's `Context` fits it. */
export interface InvocationContext {
  /** Milliseconds left before Lambda stops the invocation. */
  getRemainingTimeInMillis(): number;
}

/** Options of {@link createDynamoDBStreamToEventBridgeHandler}. */
export interface DynamoDBStreamToEventBridgeOptions extends EventBridgeOutboxPublisherOptions {
  /** Publish through this instead of an {@link EventBridgeOutboxPublisher} built from the other options. */
  readonly publisher?: OutboxPublisher;
  /** Where structured log entries go (default: one JSON line per entry on stdout). */
  readonly logger?: Logger;
  /**
   * How long before the invocation's timeout the handler stops publishing and returns its
   * `batchItemFailures`, in ms (default {@link DEFAULT_TIMEOUT_MARGIN_MS}, 1 s). Read from the
   * Lambda context's `getRemainingTimeInMillis()`.
   */
  readonly timeoutMarginMs?: number;
}

/** Default of `timeoutMarginMs`: the handler returns 1 second before the function's timeout. */
export const DEFAULT_TIMEOUT_MARGIN_MS = 1_000;

/**
 * Failure codes that retrying cannot cure: the record itself is refused. Anything else (a
 * throttle, an internal failure, a timeout) is retried within the invocation while time lasts.
 */
const PERMANENT_CODES: ReadonlySet<string> = new Set(['EntryTooLarge', 'InvalidRecord', 'MalformedDetail', 'InvalidArgument']);

/** Back-off between publishing rounds of one invocation: 200 ms doubling up to 5 s, full jitter. */
const ROUND_BACKOFF = { attempts: Infinity, baseDelayMs: 200, maxDelayMs: 5_000 };

interface Candidate {
  /** Position of the stream record in the batch. */
  readonly index: number;
  readonly record: OutboxRecord<unknown>;
}

/**
 * A Lambda handler for a DynamoDB stream of a `DynamoEventStore` table that publishes outbox
 * records to EventBridge.
 *
 * - Takes only inserted outbox items; snapshots, events, index copies, modifications and
 *   removals (e.g. TTL expiry) are skipped.
 * - Publishes with {@link EventBridgeOutboxPublisher}: batches of up to 10, in order per
 *   aggregate, failed entries retried with back-off, each request bounded by
 *   `requestTimeoutMs`.
 * - Retries what failed inside the invocation, in rounds, for as long as the Lambda context
 *   leaves time (`getRemainingTimeInMillis()` minus `timeoutMarginMs`), so records already
 *   delivered are not sent again by Lambda's retry of the batch. Records refused for good
 *   (`EntryTooLarge`, `MalformedDetail`, ...) are not retried. Called without a context, it
 *   makes one round.
 * - Never throws for delivery problems, and returns before the function's timeout:
 *   `batchItemFailures` holds the sequence number of the first stream record (in batch order)
 *   it could not deliver, so Lambda, with `ReportBatchItemFailures`, resends the batch from
 *   that record on. Records after it that were delivered are sent again (at-least-once;
 *   consumers de-duplicate by `detail.eventId`, the outbox record's id).
 * - An outbox item that cannot be decoded counts as undeliverable (it ends in the
 *   dead-letter queue after the retries), never as skipped.
 * - Logs one JSON line per batch and one per undelivered record.
 *
 * ```ts
 * export const handler = createDynamoDBStreamToEventBridgeHandler({
 *   source: 'account-service',
 *   eventBusName: 'domain-events',
 * });
 * ```
 */
export function createDynamoDBStreamToEventBridgeHandler(
  options: DynamoDBStreamToEventBridgeOptions,
): (event: StreamEvent, invocation?: InvocationContext) => Promise<StreamBatchResponse> {
  const publisher = options.publisher ?? new EventBridgeOutboxPublisher(options);
  const log = options.logger ?? jsonLineLogger;
  const context = { source: options.source, eventBusName: options.eventBusName ?? 'default' };
  const margin = options.timeoutMarginMs ?? DEFAULT_TIMEOUT_MARGIN_MS;
  if (!Number.isInteger(margin) || margin < 0) {
    throw new TypeError(`createDynamoDBStreamToEventBridgeHandler: \`timeoutMarginMs\` must be a non-negative integer, got ${margin}`);
  }

  return async function handler(event: StreamEvent, invocation?: InvocationContext): Promise<StreamBatchResponse> {
    const records = event?.Records ?? [];
    const candidates: Candidate[] = [];
    /** Indexes of stream records that cannot be delivered, whatever happens. */
    const undeliverable: number[] = [];
    records.forEach((streamRecord, index) => {
      const image = streamRecord.dynamodb?.NewImage;
      if (streamRecord.eventName !== 'INSERT' || !isOutboxItem(image)) return;
      try {
        candidates.push({ index, record: outboxRecordFromItem(image!) });
      } catch (error) {
        undeliverable.push(index);
        log({
          level: 'error',
          message: 'outbox item cannot be decoded',
          ...context,
          streamSequenceNumber: streamRecord.dynamodb?.SequenceNumber,
          error: messageOf(error),
        });
      }
    });

    const undecodable = undeliverable.length;
    let failures: readonly PublishFailure<unknown>[] = [];
    let published = 0;
    let rounds = 0;
    if (candidates.length > 0) {
      const remaining = invocation ? invocation.getRemainingTimeInMillis() - margin : undefined;
      const deadline = remaining === undefined ? undefined : new AbortController();
      const timer = deadline ? setTimeout(() => deadline.abort(new Error('the invocation is running out of time')), Math.max(0, remaining!)) : undefined;
      try {
        let toSend = candidates.map((candidate) => candidate.record);
        const given: PublishFailure<unknown>[] = [];
        for (;;) {
          rounds++;
          let result;
          try {
            result = await publisher.publish(toSend, deadline ? { signal: deadline.signal } : {});
          } catch (error) {
            // A publisher is not supposed to throw; if it does, nothing of this round counts as delivered.
            log({ level: 'error', message: 'outbox publisher threw', ...context, error: messageOf(error) });
            result = { published: [], failed: toSend.map((record) => ({ record, code: 'PublisherError', message: messageOf(error), attempts: 0 })) };
          }
          published += result.published.length;
          const { retry, final } = splitRetryable(result.failed);
          given.push(...final);
          // Without a context there is no deadline to bound retries: one round only.
          if (retry.length === 0 || !deadline || deadline.signal.aborted) {
            given.push(...retry);
            break;
          }
          await abortableSleep(backoffDelay(ROUND_BACKOFF, rounds - 1), deadline.signal);
          if (deadline.signal.aborted) {
            given.push(...retry);
            break;
          }
          toSend = retry.map((failure) => failure.record);
        }
        failures = given;
      } finally {
        clearTimeout(timer);
      }
    }

    // By event id, not by object: a publisher may hand back copies of the records.
    const indexOf = new Map<string, number>();
    for (const candidate of [...candidates].reverse()) indexOf.set(candidate.record.id, candidate.index);
    for (const failure of failures) {
      // A failure the batch does not know cannot be placed: retry the whole batch then.
      const index = indexOf.get(failure.record.id) ?? 0;
      undeliverable.push(index);
      const { record } = failure;
      log({
        level: 'error',
        message: 'outbox record not published',
        ...context,
        eventId: record.id,
        eventType: record.type,
        aggregateType: record.aggregateType,
        aggregateId: record.aggregateId,
        sequence: record.sequence,
        position: record.position,
        code: failure.code,
        error: failure.message,
        attempts: failure.attempts,
        streamSequenceNumber: records[index]?.dynamodb?.SequenceNumber,
      });
    }

    const first = undeliverable.length === 0 ? undefined : Math.min(...undeliverable);
    const firstFailed = first === undefined ? undefined : records[first]?.dynamodb?.SequenceNumber ?? '';
    log({
      level: undeliverable.length > 0 ? 'warn' : 'info',
      message: 'outbox batch processed',
      ...context,
      streamRecords: records.length,
      outboxRecords: candidates.length + undecodable,
      published,
      undelivered: undeliverable.length,
      rounds,
      ...(firstFailed === undefined ? {} : { firstFailedSequenceNumber: firstFailed }),
    });
    return { batchItemFailures: firstFailed === undefined ? [] : [{ itemIdentifier: firstFailed }] };
  };
}

/**
 * Splits failures into those worth another round and those refused for good. An aggregate's
 * records go together: the records held back behind a failed record share its fate.
 */
function splitRetryable(failures: readonly PublishFailure<unknown>[]): { retry: PublishFailure<unknown>[]; final: PublishFailure<unknown>[] } {
  const permanent = new Set<string>();
  for (const failure of failures) {
    if (PERMANENT_CODES.has(failure.code)) permanent.add(aggregateKeyOf(failure.record));
  }
  const retry: PublishFailure<unknown>[] = [];
  const final: PublishFailure<unknown>[] = [];
  for (const failure of failures) (permanent.has(aggregateKeyOf(failure.record)) ? final : retry).push(failure);
  return { retry, final };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
