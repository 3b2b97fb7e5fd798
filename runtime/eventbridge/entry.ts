import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { EventMetadata, OutboxRecord } from '../types.js';

/**
 * The `Detail` of the EventBridge event made from an outbox record. `Source` is the configured
 * source and `DetailType` the event type; everything else about the record is here.
 */
export interface OutboxEventDetail<TPayload = unknown> {
  /** The outbox record's event id: unique, so consumers can de-duplicate redeliveries. */
  readonly eventId: string;
  readonly aggregateType: string;
  readonly aggregateId: string;
  /** The aggregate's sequence after the commit that published the event. */
  readonly sequence: number;
  /** Position of the event among those published by the same commit (0-based). */
  readonly position: number;
  /** Id of the inbound event whose rule published this one. */
  readonly causationId: string;
  /** The payload as JSON (dates become ISO strings). */
  readonly payload: TPayload;
  /** ISO 8601 timestamp. */
  readonly occurredAt: string;
  /** The event's metadata, `{}` when it has none. */
  readonly metadata: EventMetadata;
}

/** Where the events go. */
export interface EventTarget {
  /** `Source` of every event, e.g. `"account-service"`. */
  readonly source: string;
  /** Name or ARN of the event bus (default: the account's `default` bus). */
  readonly eventBusName?: string;
}

/** The `Detail` object for a record (before JSON encoding). */
export function toEventDetail<TPayload>(record: OutboxRecord<TPayload>): OutboxEventDetail<TPayload> {
  return {
    eventId: record.id,
    aggregateType: record.aggregateType,
    aggregateId: record.aggregateId,
    sequence: record.sequence,
    position: record.position,
    causationId: record.causationId,
    payload: record.payload,
    occurredAt: toDate(record.occurredAt).toISOString(),
    metadata: record.metadata ?? {},
  };
}

/**
 * The PutEvents entry for a record: `Source` = `target.source`, `DetailType` = the event type,
 * `Detail` = {@link OutboxEventDetail} as JSON, `Time` = when the event occurred.
 */
export function toPutEventsEntry(record: OutboxRecord<unknown>, target: EventTarget): PutEventsRequestEntry {
  return {
    Source: target.source,
    DetailType: record.type,
    Detail: JSON.stringify(toEventDetail(record)),
    Time: toDate(record.occurredAt),
    ...(target.eventBusName === undefined ? {} : { EventBusName: target.eventBusName }),
  };
}

const encoder = new TextEncoder();

/**
 * The size EventBridge counts for an entry: 14 bytes for `Time` when set, plus the UTF-8 bytes
 * of `Source`, `DetailType`, `Detail` and each of `Resources`.
 */
export function putEventsEntrySize(entry: PutEventsRequestEntry): number {
  let size = entry.Time === undefined ? 0 : 14;
  size += encoder.encode(entry.Source ?? '').length;
  size += encoder.encode(entry.DetailType ?? '').length;
  size += encoder.encode(entry.Detail ?? '').length;
  for (const resource of entry.Resources ?? []) size += encoder.encode(resource).length;
  return size;
}

/** Records read back from JSON stores may carry `occurredAt` as a string. */
function toDate(value: Date | string): Date {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new TypeError(`Invalid occurredAt: ${String(value)}`);
  return date;
}
