import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsCommandOutput,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { backoffDelay, sleep, type RetryOptions } from '../retry.js';
import type { OutboxRecord } from '../types.js';
import { queuesByAggregate } from '../outbox/order.js';
import type { OutboxPublisher, PublishFailure, PublishResult } from '../outbox/publisher.js';
import { putEventsEntrySize, toPutEventsEntry } from './entry.js';

/** The one operation the publisher needs; an `EventBridgeClient` has it. */
export interface PutEventsClient {
  send(command: PutEventsCommand): Promise<PutEventsCommandOutput>;
}

/** Options of {@link EventBridgeOutboxPublisher}. */
export interface EventBridgeOutboxPublisherOptions {
  /** `Source` of every event, e.g. `"account-service"` (must not start with `"aws."`). */
  readonly source: string;
  /** Name or ARN of the bus (default: the account's `default` bus). */
  readonly eventBusName?: string;
  /** The client to send with (default: `new EventBridgeClient({})`, region and credentials from the environment). */
  readonly client?: PutEventsClient;
  /** Largest entry sent, as EventBridge counts it (default 256 KiB). Larger records fail with `EntryTooLarge`. */
  readonly maxEntryBytes?: number;
  /** Largest total entry size of one PutEvents request (default 256 KiB). */
  readonly maxRequestBytes?: number;
  /** Entries per PutEvents request, 1 to 10 (default 10). */
  readonly maxEntriesPerRequest?: number;
  /** How failed entries are retried (default: 4 attempts, 100 ms doubling up to 2 s, full jitter). */
  readonly retry?: RetryOptions;
}

/** Default size limit of an entry and of a request: 256 KiB. */
export const DEFAULT_MAX_ENTRY_BYTES = 256 * 1024;
/** PutEvents accepts at most this many entries per request. */
export const MAX_ENTRIES_PER_REQUEST = 10;

interface Pending<TPayload> {
  readonly record: OutboxRecord<TPayload>;
  readonly entry?: PutEventsRequestEntry;
  readonly size: number;
  /** Set when the record cannot be sent at all. */
  readonly problem?: { code: string; message: string };
  attempts: number;
  lastError?: { code: string; message: string };
}

/**
 * Publishes outbox records to Amazon EventBridge with PutEvents.
 *
 * - Requests carry at most 10 entries and at most one entry per aggregate, so a partial
 *   failure can never let a later event of an aggregate overtake an earlier one.
 * - Each entry's size is checked before sending; a record over `maxEntryBytes` is reported
 *   as `EntryTooLarge` and never sent.
 * - Entries that fail (a partial failure, or the whole request throwing) are retried with
 *   jittered exponential back-off; what still fails is reported in the result, together with
 *   the later records of the same aggregate, which are held back. Nothing is dropped.
 *
 * Event mapping: `Source` = `source`, `DetailType` = the event type, `Detail` =
 * {@link OutboxEventDetail} (event id, aggregate type and id, sequence, position, causation
 * id, payload, occurredAt, metadata), `Time` = occurredAt.
 */
export class EventBridgeOutboxPublisher<TPayload = unknown> implements OutboxPublisher<TPayload> {
  /** `Source` of every event sent. */
  readonly source: string;
  /** The bus events go to; undefined for the account's `default` bus. */
  readonly eventBusName: string | undefined;
  readonly #client: PutEventsClient;
  readonly #maxEntryBytes: number;
  readonly #maxRequestBytes: number;
  readonly #maxEntries: number;
  readonly #retry: Required<RetryOptions>;

  constructor(options: EventBridgeOutboxPublisherOptions) {
    if (!options || typeof options.source !== 'string' || options.source.trim() === '') {
      throw new TypeError('EventBridgeOutboxPublisher: `source` must be a non-empty string');
    }
    if (options.source.startsWith('aws.')) {
      throw new TypeError(`EventBridgeOutboxPublisher: \`source\` must not start with "aws." (got ${JSON.stringify(options.source)})`);
    }
    if (options.eventBusName !== undefined && (typeof options.eventBusName !== 'string' || options.eventBusName === '')) {
      throw new TypeError('EventBridgeOutboxPublisher: `eventBusName` must be a non-empty string when given');
    }
    this.source = options.source;
    this.eventBusName = options.eventBusName;
    this.#client = options.client ?? new EventBridgeClient({});
    this.#maxEntryBytes = positiveInteger('maxEntryBytes', options.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES);
    this.#maxRequestBytes = positiveInteger('maxRequestBytes', options.maxRequestBytes ?? DEFAULT_MAX_ENTRY_BYTES);
    this.#maxEntries = positiveInteger('maxEntriesPerRequest', options.maxEntriesPerRequest ?? MAX_ENTRIES_PER_REQUEST);
    if (this.#maxEntries > MAX_ENTRIES_PER_REQUEST) {
      throw new TypeError(`EventBridgeOutboxPublisher: \`maxEntriesPerRequest\` must be at most ${MAX_ENTRIES_PER_REQUEST}`);
    }
    const retry = { attempts: 4, baseDelayMs: 100, maxDelayMs: 2000, ...options.retry };
    positiveInteger('retry.attempts', retry.attempts);
    if (!(retry.baseDelayMs >= 0) || !(retry.maxDelayMs >= 0)) {
      throw new TypeError('EventBridgeOutboxPublisher: retry delays must be >= 0');
    }
    this.#retry = retry;
  }

  /**
   * Publishes `records`, in order per aggregate ((sequence, position) order within an
   * aggregate). Never throws for delivery problems: see {@link PublishResult}.
   */
  async publish(records: readonly OutboxRecord<TPayload>[]): Promise<PublishResult<TPayload>> {
    const published: OutboxRecord<TPayload>[] = [];
    const failed: PublishFailure<TPayload>[] = [];
    let queues = queuesByAggregate(records).map((queue) => queue.map((record) => this.#prepare(record)));
    let retryRound = 0;
    while (queues.length > 0) {
      // Heads that cannot be sent fail now, and hold back the rest of their aggregate.
      queues = queues.filter((queue) => {
        const head = queue[0]!;
        if (!head.problem) return true;
        failQueue(queue, head.problem, failed);
        return false;
      });
      const heads = queues.map((queue) => queue[0]!);
      if (heads.length === 0) break;
      if (heads.some((head) => head.attempts > 0)) await sleep(backoffDelay(this.#retry, retryRound++));
      for (const request of this.#packRequests(heads)) await this.#send(request);
      queues = queues.filter((queue) => {
        const head = queue[0]!;
        if (head.lastError === undefined) {
          published.push(head.record);
          queue.shift();
          return queue.length > 0;
        }
        if (head.attempts < this.#retry.attempts) return true;
        failQueue(queue, head.lastError, failed);
        return false;
      });
    }
    return { published, failed };
  }

  #prepare(record: OutboxRecord<TPayload>): Pending<TPayload> {
    let entry: PutEventsRequestEntry;
    try {
      entry = toPutEventsEntry(record, { source: this.source, eventBusName: this.eventBusName });
    } catch (error) {
      return { record, size: 0, attempts: 0, problem: { code: 'InvalidRecord', message: messageOf(error) } };
    }
    const size = putEventsEntrySize(entry);
    if (size > this.#maxEntryBytes) {
      const message = `Entry for event ${record.id} (${record.type}) is ${size} bytes, over the limit of ${this.#maxEntryBytes}`;
      return { record, entry, size, attempts: 0, problem: { code: 'EntryTooLarge', message } };
    }
    return { record, entry, size, attempts: 0 };
  }

  /** Groups heads into requests of at most `maxEntries` entries and `maxRequestBytes` bytes. */
  #packRequests(heads: Pending<TPayload>[]): Pending<TPayload>[][] {
    const requests: Pending<TPayload>[][] = [];
    let current: Pending<TPayload>[] = [];
    let bytes = 0;
    for (const head of heads) {
      if (current.length > 0 && (current.length >= this.#maxEntries || bytes + head.size > this.#maxRequestBytes)) {
        requests.push(current);
        current = [];
        bytes = 0;
      }
      current.push(head);
      bytes += head.size;
    }
    if (current.length > 0) requests.push(current);
    return requests;
  }

  /** Sends one request; sets `lastError` on each entry that failed and clears it on success. */
  async #send(request: Pending<TPayload>[]): Promise<void> {
    for (const item of request) item.attempts++;
    let output: PutEventsCommandOutput;
    try {
      output = await this.#client.send(new PutEventsCommand({ Entries: request.map((item) => item.entry!) }));
    } catch (error) {
      const code = (error as { name?: string })?.name ?? 'Error';
      for (const item of request) item.lastError = { code, message: messageOf(error) };
      return;
    }
    request.forEach((item, i) => {
      const result = output.Entries?.[i];
      if (result === undefined) {
        item.lastError = { code: 'MissingResult', message: 'PutEvents returned no result for this entry' };
      } else if (result.ErrorCode || !result.EventId) {
        item.lastError = {
          code: result.ErrorCode ?? 'UnknownError',
          message: result.ErrorMessage ?? 'PutEvents reported a failure without a message',
        };
      } else {
        delete item.lastError;
      }
    });
  }
}

/** Reports the head of `queue` with `reason` and the rest as held back. */
function failQueue<TPayload>(
  queue: Pending<TPayload>[],
  reason: { code: string; message: string },
  failed: PublishFailure<TPayload>[],
): void {
  const [head, ...rest] = queue;
  failed.push({ record: head!.record, code: reason.code, message: reason.message, attempts: head!.attempts });
  for (const item of rest) {
    failed.push({
      record: item.record,
      code: 'PrecedingRecordFailed',
      message: `Held back because event ${head!.record.id} of the same aggregate was not published`,
      attempts: item.attempts,
    });
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new TypeError(`EventBridgeOutboxPublisher: \`${name}\` must be a positive integer, got ${value}`);
  }
  return value;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
