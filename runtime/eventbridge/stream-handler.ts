import { isOutboxItem, outboxRecordFromItem } from '../dynamodb/items.js';
import type { OutboxRecord } from '../types.js';
import type { OutboxPublisher, PublishFailure } from '../outbox/publisher.js';
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

/** Options of {@link createDynamoDBStreamToEventBridgeHandler}. */
export interface DynamoDBStreamToEventBridgeOptions extends EventBridgeOutboxPublisherOptions {
  /** Publish through this instead of an {@link EventBridgeOutboxPublisher} built from the other options. */
  readonly publisher?: OutboxPublisher;
  /** Where structured log entries go (default: one JSON line per entry on stdout). */
  readonly logger?: Logger;
}

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
 *   aggregate, failed entries retried with back-off.
 * - Never throws for delivery problems: it returns `batchItemFailures` holding the sequence
 *   number of the first stream record (in batch order) it could not deliver, so Lambda, with
 *   `ReportBatchItemFailures`, resends the batch from that record on. Records after it that
 *   were delivered are sent again (at-least-once; consumers de-duplicate by `detail.eventId`).
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
): (event: StreamEvent) => Promise<StreamBatchResponse> {
  const publisher = options.publisher ?? new EventBridgeOutboxPublisher(options);
  const log = options.logger ?? jsonLineLogger;
  const context = { source: options.source, eventBusName: options.eventBusName ?? 'default' };

  return async function handler(event: StreamEvent): Promise<StreamBatchResponse> {
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
    if (candidates.length > 0) {
      try {
        const result = await publisher.publish(candidates.map((candidate) => candidate.record));
        failures = result.failed;
        published = result.published.length;
      } catch (error) {
        // A publisher is not supposed to throw; if it does, nothing counts as delivered.
        log({ level: 'error', message: 'outbox publisher threw', ...context, error: messageOf(error) });
        failures = candidates.map(({ record }) => ({ record, code: 'PublisherError', message: messageOf(error), attempts: 0 }));
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
      ...(firstFailed === undefined ? {} : { firstFailedSequenceNumber: firstFailed }),
    });
    return { batchItemFailures: firstFailed === undefined ? [] : [{ itemIdentifier: firstFailed }] };
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
