import { DEFAULT_RETRY, backoffDelay } from '../retry.js';
import type { RetryOptions } from '../retry.js';
import type { EventStore, OutboxRecord } from '../types.js';
import type { OutboxPublisher, PublishFailure } from './publisher.js';
import { aggregateKeyOf } from './order.js';

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
   * Back-off of an aggregate whose record failed, and of the relay when the store throws
   * (default: 100 ms doubling up to 30 s, full jitter). `attempts` is ignored: the relay never
   * gives up on a record.
   */
  readonly backoff?: Omit<RetryOptions, 'attempts'>;
  /**
   * Called with the records a poll could not publish, each naming its record, code and error;
   * they stay pending, and their aggregate backs off while the others carry on.
   */
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
  /** How many of those it left alone because their aggregate is backing off after a failure. */
  readonly skipped: number;
}

/** An aggregate whose record failed: left alone until `until`. */
interface BackOff {
  readonly until: number;
  readonly setbacks: number;
}

/**
 * Publishes the outbox of a store that has no change stream: polls pending records, hands them
 * to a publisher and marks the accepted ones published. Delivery is at-least-once (a crash
 * between publishing and marking publishes a record again; the event id lets consumers
 * de-duplicate), in order per aggregate as long as one relay runs per store.
 *
 * A record that fails holds back the later records of its own aggregate only: that aggregate
 * backs off (jittered, growing up to `backoff.maxDelayMs`) and the relay reads past its
 * records to publish the other aggregates', whatever the batch size. A record that can never
 * be delivered is reported through `onFailure` each time it is retried and stays pending.
 * `stop()` aborts the request in flight (see {@link OutboxPublisher.publish}'s `signal`), so
 * it returns without waiting for a slow destination.
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
  /** Aggregates (by {@link aggregateKeyOf}) backing off after a failure. */
  readonly #backOffs = new Map<string, BackOff>();
  /** Aborts the publish in progress when {@link stop} is called. */
  #abort: AbortController | undefined;

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
   * One poll: reads up to `batchSize` pending records of aggregates that are not backing off
   * (reading past the others' records), publishes them, marks the accepted ones published, and
   * backs off the aggregates whose record failed. Throws when the store or the publisher
   * throws (nothing is marked then).
   */
  async pollOnce(): Promise<RelayPollResult<TOutbound>> {
    const { pending, read, skipped } = await this.#readEligible(Date.now());
    if (pending.length === 0) return { published: [], failed: [], read, skipped };
    const abort = (this.#abort = new AbortController());
    if (this.#stopping) abort.abort();
    let result;
    try {
      result = await this.#publisher.publish(pending, { signal: abort.signal });
    } finally {
      this.#abort = undefined;
    }
    if (result.published.length > 0) await this.#store.markPublished(result.published);
    for (const record of result.published) this.#backOffs.delete(aggregateKeyOf(record));
    const now = Date.now();
    for (const failure of result.failed) {
      // The head of each failing aggregate names the reason; the records behind it just wait.
      if (failure.code === 'PrecedingRecordFailed' || failure.code === 'Aborted') continue;
      const key = aggregateKeyOf(failure.record);
      const setbacks = (this.#backOffs.get(key)?.setbacks ?? 0) + 1;
      this.#backOffs.set(key, { setbacks, until: now + backoffDelay(this.#backoff, setbacks - 1) });
    }
    // Records cut short by stop() are not failures: they simply stay pending.
    const failures = result.failed.filter((failure) => failure.code !== 'Aborted' || !abort.signal.aborted);
    if (failures.length > 0) this.#reportFailures(failures);
    return { published: result.published, failed: result.failed, read, skipped };
  }

  /**
   * Reads up to `batchSize` pending records of aggregates that are not backing off. The store
   * hands out the oldest records first, so the read widens past the records of aggregates
   * backing off until it has a batch or has read everything pending.
   */
  async #readEligible(now: number): Promise<{ pending: OutboxRecord<TOutbound>[]; read: number; skipped: number }> {
    for (const [key, backOff] of this.#backOffs) {
      // Forget back-offs long over (the aggregate's records were dealt with some other way).
      if (backOff.until + this.#backoff.maxDelayMs < now) this.#backOffs.delete(key);
    }
    let limit = this.#batchSize;
    for (;;) {
      const read = await this.#store.pendingOutbox({ limit });
      const eligible = read.filter((record) => !((this.#backOffs.get(aggregateKeyOf(record))?.until ?? 0) > now));
      const skipped = read.length - eligible.length;
      if (eligible.length >= this.#batchSize || read.length < limit || skipped === 0) {
        // The oldest records first: a prefix keeps every aggregate's records a prefix too.
        return { pending: eligible.slice(0, this.#batchSize), read: read.length, skipped };
      }
      limit = Math.max(limit * 2, this.#batchSize + skipped);
    }
  }

  /** Milliseconds until the first aggregate backing off may be retried (Infinity when none). */
  #nextRetryIn(now: number): number {
    let soonest = Infinity;
    for (const { until } of this.#backOffs.values()) if (until > now) soonest = Math.min(soonest, until - now);
    return soonest;
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
      // Nothing to do but wait for an aggregate's back-off to end.
      if (result.read === result.skipped) await this.#sleep(Math.max(1, this.#nextRetryIn(Date.now())));
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
   * Stops polling: aborts the publish in progress (the request in flight is abandoned, so this
   * does not wait for a slow or silent destination), marks what it had published, then
   * resolves. Safe to call when not running.
   */
  async stop(): Promise<void> {
    const loop = this.#loop;
    if (!loop) return;
    this.#stopping = true;
    this.#abort?.abort();
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
        setbacks = 0;
        // A full batch: more may be waiting. Otherwise wait, but no longer than a back-off.
        const full = result.read - result.skipped >= this.#batchSize;
        delay = full ? 0 : Math.min(this.#pollIntervalMs, this.#nextRetryIn(Date.now()));
      } catch (error) {
        this.#report(error);
        delay = backoffDelay(this.#backoff, setbacks++);
      }
      if (delay > 0 && !this.#stopping) await this.#sleep(delay);
    }
  }

  #reportFailures(failures: readonly PublishFailure<TOutbound>[]): void {
    if (!this.#onFailure) return;
    try {
      this.#onFailure(failures);
    } catch (error) {
      this.#report(error);
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
