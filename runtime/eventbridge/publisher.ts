import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsCommandOutput,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { backoffDelay, type RetryOptions } from '../retry.js';
import type { OutboxRecord } from '../types.js';
import { queuesByAggregate } from '../outbox/order.js';
import type { OutboxPublisher, PublishFailure, PublishOptions, PublishResult } from '../outbox/publisher.js';
import { PublishAbortedError, PublishTimeoutError } from '../outbox/errors.js';
import { abortableSleep } from '../outbox/abortable.js';
import { putEventsEntrySize, toPutEventsEntry } from './entry.js';

/**
 * The one operation the publisher needs; an `EventBridgeClient` has it. The publisher passes an
 * `abortSignal` that fires when a request times out or publishing is aborted; a client that
 * ignores it still cannot hold `publish` up (the publisher stops waiting for it).
 */
export interface PutEventsClient {
  send(command: PutEventsCommand, options?: { abortSignal?: AbortSignal }): Promise<PutEventsCommandOutput>;
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
  /**
   * How long one PutEvents call may take, the SDK's own retries included, before it is
   * abandoned and its entries fail with code `RequestTimeout` (a {@link PublishTimeoutError});
   * they are then retried like any failed entry. Default {@link DEFAULT_REQUEST_TIMEOUT_MS}
   * (5 s).
   */
  readonly requestTimeoutMs?: number;
}

/** Default of `requestTimeoutMs`: 5 seconds per PutEvents call. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;

/** Default size limit of an entry and of a request: 256 KiB. */
export const DEFAULT_MAX_ENTRY_BYTES = 256 * 1024;
/** PutEvents accepts at most this many entries per request. */
export const MAX_ENTRIES_PER_REQUEST = 10;

interface Pending<TPayload> {
  readonly record: OutboxRecord<TPayload>;
  readonly entry?: PutEventsRequestEntry;
  readonly size: number;
  /** Set when the record cannot be sent at all. */
  readonly problem?: Problem;
  attempts: number;
  /** Outcome of the current round: undefined until sent, `null` when accepted. */
  lastError?: Problem | null;
}

interface Problem {
  readonly code: string;
  readonly message: string;
  readonly error?: unknown;
}

/**
 * Publishes outbox records to Amazon EventBridge with PutEvents.
 *
 * - Requests carry at most 10 entries and at most one entry per aggregate, so a partial
 *   failure can never let a later event of an aggregate overtake an earlier one.
 * - Each entry's size is checked before sending; a record over `maxEntryBytes` is reported
 *   as `EntryTooLarge` and never sent.
 * - Entries that fail (a partial failure, the whole request throwing, or no answer within
 *   `requestTimeoutMs`) are retried with jittered exponential back-off; what still fails is
 *   reported in the result, together with the later records of the same aggregate, which are
 *   held back. Nothing is dropped.
 * - Every wait is bounded: a request by `requestTimeoutMs`, the whole call by the retries, and
 *   `options.signal` ends it at once.
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
  readonly #requestTimeoutMs: number;

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
    this.#requestTimeoutMs = positiveInteger('requestTimeoutMs', options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
  }

  /** How long one PutEvents call may take before it is abandoned, in ms. */
  get requestTimeoutMs(): number {
    return this.#requestTimeoutMs;
  }

  /**
   * Publishes `records`, in order per aggregate ((sequence, position) order within an
   * aggregate). Never throws for delivery problems: see {@link PublishResult}. When
   * `options.signal` aborts, the request in flight is abandoned and the call resolves at once;
   * records not accepted by then fail with code `Aborted`.
   */
  async publish(records: readonly OutboxRecord<TPayload>[], options: PublishOptions = {}): Promise<PublishResult<TPayload>> {
    const { signal } = options;
    const published: OutboxRecord<TPayload>[] = [];
    const failed: PublishFailure<TPayload>[] = [];
    let queues = queuesByAggregate(records).map((queue) => queue.map((record) => this.#prepare(record)));
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
      // Back off by the most-tried head: its n-th retry waits up to baseDelayMs × 2^(n-1).
      const mostTried = heads.reduce((most, head) => Math.max(most, head.attempts), 0);
      if (mostTried > 0) await abortableSleep(backoffDelay(this.#retry, mostTried - 1), signal);
      for (const head of heads) delete head.lastError;
      for (const request of this.#packRequests(heads)) {
        if (signal?.aborted) break;
        await this.#send(request, signal);
      }
      const aborted = signal?.aborted ? abortProblem(signal) : undefined;
      queues = queues.filter((queue) => {
        const head = queue[0]!;
        if (head.lastError === null) {
          published.push(head.record);
          queue.shift();
          if (queue.length === 0) return false;
          if (aborted) {
            failQueue(queue, aborted, failed);
            return false;
          }
          return true;
        }
        if (aborted) {
          failQueue(queue, head.lastError?.code === 'Aborted' || head.lastError === undefined ? aborted : head.lastError, failed);
          return false;
        }
        if (head.attempts < this.#retry.attempts) return true;
        failQueue(queue, head.lastError!, failed);
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

  /**
   * Sends one request, abandoning it after `requestTimeoutMs` or when `signal` aborts; sets
   * `lastError` on each entry: `null` when accepted, the reason when not.
   */
  async #send(request: Pending<TPayload>[], signal: AbortSignal | undefined): Promise<void> {
    for (const item of request) item.attempts++;
    let output: PutEventsCommandOutput;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new PublishTimeoutError(this.#requestTimeoutMs)), this.#requestTimeoutMs);
    const onAbort = () => controller.abort(new PublishAbortedError(signal?.reason));
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const sending = this.#client.send(new PutEventsCommand({ Entries: request.map((item) => item.entry!) }), {
        abortSignal: controller.signal,
      });
      // Stop waiting when the signal fires, whether or not the client honours it.
      sending.catch(() => {});
      output = await Promise.race([sending, rejectWhenAborted(controller.signal)]);
    } catch (error) {
      const cause: unknown = controller.signal.aborted ? controller.signal.reason : error;
      const code =
        cause instanceof PublishTimeoutError
          ? 'RequestTimeout'
          : cause instanceof PublishAbortedError
            ? 'Aborted'
            : ((error as { name?: string })?.name ?? 'Error');
      for (const item of request) item.lastError = { code, message: messageOf(cause), error: cause };
      return;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
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
        item.lastError = null;
      }
    });
  }
}

/** Reports the head of `queue` with `reason` and the rest as held back. */
function failQueue<TPayload>(queue: Pending<TPayload>[], reason: Problem, failed: PublishFailure<TPayload>[]): void {
  const [head, ...rest] = queue;
  failed.push({
    record: head!.record,
    code: reason.code,
    message: reason.message,
    attempts: head!.attempts,
    ...(reason.error === undefined ? {} : { error: reason.error }),
  });
  for (const item of rest) {
    failed.push({
      record: item.record,
      code: 'PrecedingRecordFailed',
      message: `Held back because event ${head!.record.id} of the same aggregate was not published`,
      attempts: item.attempts,
    });
  }
}

function abortProblem(signal: AbortSignal): Problem {
  const error = new PublishAbortedError(signal.reason);
  return { code: 'Aborted', message: error.message, error };
}

/** A promise that rejects with the signal's reason once it aborts (never settles otherwise). */
function rejectWhenAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
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
