import { DEFAULT_RETRY, backoffDelay } from '../retry.js';
import type { RetryOptions } from '../retry.js';
import type { EventStore, OutboxRecord } from '../types.js';
import type { OutboxPublisher, PublishFailure } from './publisher.js';

/** The part of an {@link EventStore} the relay needs. */
export type RelayableStore<TOutbound = unknown> = Pick<
  EventStore<unknown, unknown, TOutbound>,
  'pendingOutbox' | 'markPublished'
>;

/** Options of {@link OutboxRelay}. */
export interface OutboxRelayOptions<TOutbound = unknown> {
  /** A store without a change stream: memory, SQLite, browser. */
  readonly store: RelayableStore<TOutbound>;
  /** Where records go, e.g. an `EventBridgeOutboxPublisher`. */
  readonly publisher: OutboxPublisher<TOutbound>;
  /** Records read per poll (default 100). */
  readonly batchSize?: number;
  /** Wait between polls when the outbox is drained, in ms (default 1000). */
  readonly pollIntervalMs?: number;
  /**
   * Back-off after a poll in which records failed or the store threw (default: 100 ms doubling
   * up to 30 s, full jitter). `attempts` is ignored: the relay never gives up on a record.
   */
  readonly backoff?: Omit<RetryOptions, 'attempts'>;
  /** Called with the records a poll could not publish; they stay pending and are retried. */
  readonly onFailure?: (failures: readonly PublishFailure<TOutbound>[]) => void;
  /** Called when reading, publishing or marking throws; the relay backs off and carries on. */
  readonly onError?: (error: unknown) => void;
}

/** What one poll did. */
export interface RelayPollResult<TOutbound = unknown> {
  /** Records published and marked published. */
  readonly published: readonly OutboxRecord<TOutbound>[];
  /** Records that failed; they are still pending. */
  readonly failed: readonly PublishFailure<TOutbound>[];
  /** How many pending records the poll read. */
  readonly read: number;
}

/**
 * Publishes the outbox of a store that has no change stream: polls pending records, hands them
 * to a publisher and marks the accepted ones published. Delivery is at-least-once (a crash
 * between publishing and marking publishes a record again; the event id lets consumers
 * de-duplicate), in order per aggregate as long as one relay runs per store.
 *
 * ```ts
 * const relay = new OutboxRelay({ store, publisher });
 * relay.start();
 * // ...
 * await relay.stop();
 * ```
 */
export class OutboxRelay<TOutbound = unknown> {
  readonly #store: RelayableStore<TOutbound>;
  readonly #publisher: OutboxPublisher<TOutbound>;
  readonly #batchSize: number;
  readonly #pollIntervalMs: number;
  readonly #backoff: Required<RetryOptions>;
  readonly #onFailure: ((failures: readonly PublishFailure<TOutbound>[]) => void) | undefined;
  readonly #onError: ((error: unknown) => void) | undefined;
  #loop: Promise<void> | undefined;
  #stopping = false;
  #wake: (() => void) | undefined;

  constructor(options: OutboxRelayOptions<TOutbound>) {
    if (!options?.store || typeof options.store.pendingOutbox !== 'function' || typeof options.store.markPublished !== 'function') {
      throw new TypeError('OutboxRelay: `store` must have pendingOutbox() and markPublished()');
    }
    if (!options.publisher || typeof options.publisher.publish !== 'function') {
      throw new TypeError('OutboxRelay: `publisher` must have publish()');
    }
    const batchSize = options.batchSize ?? 100;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new TypeError(`OutboxRelay: \`batchSize\` must be a positive integer, got ${batchSize}`);
    }
    const pollIntervalMs = options.pollIntervalMs ?? 1000;
    if (!(pollIntervalMs >= 0)) throw new TypeError(`OutboxRelay: \`pollIntervalMs\` must be >= 0, got ${pollIntervalMs}`);
    this.#store = options.store;
    this.#publisher = options.publisher;
    this.#batchSize = batchSize;
    this.#pollIntervalMs = pollIntervalMs;
    this.#backoff = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 30_000, ...options.backoff, attempts: Infinity };
    this.#onFailure = options.onFailure;
    this.#onError = options.onError;
  }

  /** True between {@link start} and the end of {@link stop}. */
  get running(): boolean {
    return this.#loop !== undefined;
  }

  /**
   * One poll: reads up to `batchSize` pending records, publishes them, marks the accepted ones
   * published. Throws when the store or the publisher throws (nothing is marked then).
   */
  async pollOnce(): Promise<RelayPollResult<TOutbound>> {
    const pending = await this.#store.pendingOutbox({ limit: this.#batchSize });
    if (pending.length === 0) return { published: [], failed: [], read: 0 };
    const result = await this.#publisher.publish(pending);
    if (result.published.length > 0) await this.#store.markPublished(result.published);
    if (result.failed.length > 0) this.#onFailure?.(result.failed);
    return { published: result.published, failed: result.failed, read: pending.length };
  }

  /**
   * Polls until the outbox is empty; resolves with every record it published. Records that
   * keep failing are retried with back-off; `maxPolls` (default unlimited) bounds the work,
   * after which it throws if records are still pending.
   */
  async drain(options: { maxPolls?: number } = {}): Promise<OutboxRecord<TOutbound>[]> {
    const maxPolls = options.maxPolls ?? Infinity;
    const published: OutboxRecord<TOutbound>[] = [];
    let setbacks = 0;
    for (let poll = 0; poll < maxPolls; poll++) {
      const result = await this.pollOnce();
      published.push(...result.published);
      if (result.read === 0) return published;
      if (result.failed.length > 0) await this.#sleep(backoffDelay(this.#backoff, setbacks++));
      else setbacks = 0;
    }
    throw new Error(`OutboxRelay.drain: records still pending after ${maxPolls} polls`);
  }

  /** Starts polling in the background. Calling it while running does nothing. */
  start(): void {
    if (this.#loop) return;
    this.#stopping = false;
    this.#loop = this.#run();
  }

  /**
   * Stops polling: lets the poll in progress finish (its accepted records are marked
   * published), then resolves. Safe to call when not running.
   */
  async stop(): Promise<void> {
    const loop = this.#loop;
    if (!loop) return;
    this.#stopping = true;
    this.#wake?.();
    try {
      await loop;
    } finally {
      this.#loop = undefined;
    }
  }

  async #run(): Promise<void> {
    let setbacks = 0;
    while (!this.#stopping) {
      let delay: number;
      try {
        const result = await this.pollOnce();
        if (result.failed.length > 0) delay = backoffDelay(this.#backoff, setbacks++);
        else {
          setbacks = 0;
          delay = result.read < this.#batchSize ? this.#pollIntervalMs : 0;
        }
      } catch (error) {
        this.#report(error);
        delay = backoffDelay(this.#backoff, setbacks++);
      }
      if (delay > 0 && !this.#stopping) await this.#sleep(delay);
    }
  }

  #report(error: unknown): void {
    if (!this.#onError) return;
    try {
      this.#onError(error);
    } catch {
      // A failing error callback must not stop the relay.
    }
  }

  /** A delay that {@link stop} cuts short. */
  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        this.#wake = undefined;
        done();
      };
    });
  }
}
