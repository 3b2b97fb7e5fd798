import { ConcurrencyError, InvalidOptionError, ValidationError, UnknownEventTypeError, type ValidationIssue } from './errors.js';
import { newId } from './ids.js';
import { checkKey } from './keys.js';
import { checkHistoryOptions, nonNegativeNumber, optionObject, positiveInteger } from './options.js';
import { type IndexDefinition, type IndexKey, indexKeysOf, staleIndexKeys } from './indexes.js';
import type { Processor, Publication } from './processor.js';
import { DEFAULT_RETRY, type RetryOptions, backoffDelay, sleep } from './retry.js';
import { type AggregateSchemas, check } from './schemas.js';
import type {
  AppendResult,
  Commit,
  DomainEvent,
  EventRecord,
  EventStore,
  HistoryOptions,
  IndexEntry,
  OutboxRecord,
  Snapshot,
} from './types.js';

/** Options of {@link Aggregate}. */
export interface AggregateOptions<TState, TInbound, TOutbound> {
  /** The aggregate type, e.g. `"ACCOUNT"`; part of every stored key. */
  readonly type: string;
  readonly store: EventStore<TState, TInbound, TOutbound>;
  readonly processor: Processor<TState, TInbound, TOutbound>;
  readonly indexes?: readonly IndexDefinition<TState>[];
  /** zod (or zod-like) schemas; inbound payloads are parsed before anything is written, outbound when published. */
  readonly schemas?: AggregateSchemas;
  /** Retries of {@link ConcurrencyError} in `append`; `false` for none. */
  readonly retry?: RetryOptions | false;
  /** Skip inbound events without a rule instead of throwing {@link UnknownEventTypeError}. */
  readonly ignoreUnknownEventTypes?: boolean;
  /** Source of "now" for snapshots (tests may fix it). */
  readonly clock?: () => Date;
}

/** The target of {@link Aggregate.append}: an id, or an id with options. */
export interface AppendTarget {
  readonly id: string;
  /** A repeat append with the same key returns the first result and writes nothing. */
  readonly idempotencyKey?: string;
}

/** Options of {@link Aggregate.recalculate}. */
export interface RecalculateOptions {
  /** Events handed to the processor at a time; rules see at most this many in `pastEvents` (default 1000). */
  readonly window?: number;
}

const EPOCH = new Date(0);

/**
 * Loads state, runs the processor, and commits events, snapshot, index entries and outbox
 * records through an {@link EventStore} in one atomic change.
 */
export class Aggregate<TState, TInbound = unknown, TOutbound = unknown> {
  readonly type: string;
  readonly store: EventStore<TState, TInbound, TOutbound>;
  readonly processor: Processor<TState, TInbound, TOutbound>;
  readonly indexes: readonly IndexDefinition<TState>[];
  readonly #schemas: AggregateSchemas;
  readonly #retry: Required<RetryOptions>;
  readonly #ignoreUnknown: boolean;
  readonly #clock: () => Date;

  constructor(options: AggregateOptions<TState, TInbound, TOutbound>) {
    if (!options || typeof options.type !== 'string' || options.type.length === 0) {
      throw new TypeError('Aggregate: `type` must be a non-empty string');
    }
    if (!options.store) throw new TypeError(`Aggregate ${options.type}: \`store\` is required`);
    if (!options.processor) throw new TypeError(`Aggregate ${options.type}: \`processor\` is required`);
    checkKey('aggregate type', options.type, true);
    this.type = options.type;
    this.store = options.store;
    this.processor = options.processor;
    this.indexes = options.indexes ?? [];
    const names = new Set<string>();
    for (const index of this.indexes) {
      if (names.has(index.name)) throw new TypeError(`Aggregate ${this.type}: index ${index.name} is defined twice`);
      names.add(index.name);
    }
    this.#schemas = options.schemas ?? {};
    this.#retry = retryOptions(options.retry);
    this.#ignoreUnknown = options.ignoreUnknownEventTypes ?? false;
    this.#clock = options.clock ?? (() => new Date());
  }

  /** The latest snapshot; an aggregate with no events has the initial state and sequence 0. */
  async get(id: string): Promise<Snapshot<TState>> {
    assertId(this.type, id);
    return (await this.store.loadSnapshot({ type: this.type, id })) ?? this.#initialSnapshot(id);
  }

  /**
   * Applies events to the aggregate and commits the change. Reads the snapshot, runs the rules,
   * commits; on a {@link ConcurrencyError} re-reads and tries again with jittered backoff.
   * `target` is the id, or `{ id, idempotencyKey }`.
   */
  async append(
    target: string | AppendTarget,
    ...events: DomainEvent<string, TInbound>[]
  ): Promise<AppendResult<TState, TInbound, TOutbound>> {
    if (target === null || (typeof target !== 'string' && typeof target !== 'object')) {
      throw new TypeError(`${this.type}.append: the target must be an id or { id, idempotencyKey }`);
    }
    const { id, idempotencyKey } = typeof target === 'string' ? { id: target, idempotencyKey: undefined } : target;
    assertId(this.type, id);
    if (idempotencyKey !== undefined) checkKey('idempotency key', idempotencyKey);
    const checked = this.#checkInbound(id, events);
    const ref = { type: this.type, id };
    if (idempotencyKey !== undefined) {
      const earlier = await this.store.loadIdempotencyRecord(ref, idempotencyKey);
      if (earlier) return earlier.result;
    }
    for (let attempt = 0; ; attempt++) {
      const before = (await this.store.loadSnapshot(ref)) ?? this.#initialSnapshot(id);
      try {
        return await this.#commit(before, checked, idempotencyKey);
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error;
        // Another append with this key won the race: its result is this append's result,
        // whatever the retry setting and however many attempts are left.
        if (idempotencyKey !== undefined) {
          const earlier = await this.store.loadIdempotencyRecord(ref, idempotencyKey);
          if (earlier) return earlier.result;
        }
        if (attempt + 1 >= this.#retry.attempts) throw error;
        await sleep(backoffDelay(this.#retry, attempt));
      }
    }
  }

  /**
   * Applies events to a snapshot already in hand: one write, no read. Throws
   * {@link ConcurrencyError} (without retrying) when the aggregate moved on since `snapshot`.
   */
  async appendTo(
    snapshot: Snapshot<TState>,
    ...events: DomainEvent<string, TInbound>[]
  ): Promise<AppendResult<TState, TInbound, TOutbound>> {
    if (!snapshot || snapshot.aggregateType !== this.type) {
      throw new TypeError(`${this.type}.appendTo: the snapshot is not one of this aggregate type`);
    }
    assertId(this.type, snapshot.aggregateId);
    return this.#commit(snapshot, this.#checkInbound(snapshot.aggregateId, events), undefined);
  }

  /**
   * Replays the whole history from the initial state (e.g. after rules changed) and commits the
   * new snapshot and index entries. Publications during the replay are not sent. History is
   * streamed, never held whole.
   */
  async recalculate(id: string, options: RecalculateOptions = {}): Promise<Snapshot<TState>> {
    assertId(this.type, id);
    optionObject('recalculate options', options);
    const window = positiveInteger('recalculate.window', options.window) ?? 1000;
    const ref = { type: this.type, id };
    for (let attempt = 0; ; attempt++) {
      const before = await this.store.loadSnapshot(ref);
      if (!before) return this.#initialSnapshot(id);
      let state = this.processor.initialState();
      let reached = 0;
      let chunk: EventRecord<TInbound>[] = [];
      const fold = () => {
        state = this.processor.run(
          { state, stateIndex: reached, pastEvents: chunk, newEvents: [] },
          { ignoreUnknownEventTypes: this.#ignoreUnknown, aggregateType: this.type, aggregateId: id },
        ).state;
        reached += chunk.length;
        chunk = [];
      };
      // Pages of one window: memory stays bounded by the window, and stores that would
      // otherwise fill large pages (DynamoDB: 1 MB) answer sooner.
      for await (const event of this.store.readHistory(ref, { pageSize: window })) {
        if (event.sequence > before.sequence) break;
        chunk.push(event);
        if (chunk.length >= window) fold();
      }
      if (chunk.length > 0) fold();
      if (reached !== before.sequence) {
        throw new Error(`${this.type} ${JSON.stringify(id)}: history has ${reached} events but the snapshot is at ${before.sequence}`);
      }
      const after = this.#snapshot(id, before.sequence, state);
      try {
        await this.store.commit({
          ref,
          expectedSequence: before.sequence,
          events: [],
          snapshot: after,
          ...this.#indexChanges(before, after),
          outbox: [],
        });
        return after;
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt + 1 >= this.#retry.attempts) throw error;
        await sleep(backoffDelay(this.#retry, attempt));
      }
    }
  }

  /** The aggregate's inbound events in order, read page by page. */
  history(id: string, options?: HistoryOptions): AsyncIterable<EventRecord<TInbound>> {
    assertId(this.type, id);
    checkHistoryOptions(options);
    return this.store.readHistory({ type: this.type, id }, options);
  }

  /** Snapshots filed under `key` in the index `index`, in one read. */
  async query(index: string, key: IndexKey): Promise<Snapshot<TState>[]> {
    if (!this.indexes.some((definition) => definition.name === index)) {
      const known = this.indexes.map((definition) => definition.name).join(', ') || 'none';
      throw new TypeError(`${this.type}: no index named ${JSON.stringify(index)} (defined: ${known})`);
    }
    return this.store.queryIndex(this.type, index, String(key));
  }

  #initialSnapshot(id: string): Snapshot<TState> {
    return { aggregateType: this.type, aggregateId: id, sequence: 0, state: this.processor.initialState(), updatedAt: EPOCH };
  }

  #snapshot(id: string, sequence: number, state: TState): Snapshot<TState> {
    return { aggregateType: this.type, aggregateId: id, sequence, state, updatedAt: this.#clock() };
  }

  /** Checks events before any I/O: shape, known type, schema. Returns them with parsed payloads. */
  #checkInbound(id: string, events: readonly DomainEvent<string, TInbound>[]): DomainEvent<string, TInbound>[] {
    if (events.length === 0) throw new TypeError(`${this.type} ${JSON.stringify(id)}: append needs at least one event`);
    const ids = new Set<string>();
    return events.map((event) => {
      if (!event || typeof event.type !== 'string' || typeof event.id !== 'string' || !(event.occurredAt instanceof Date)) {
        throw new TypeError(`${this.type} ${JSON.stringify(id)}: append takes events made by createEvent`);
      }
      if (ids.has(event.id)) throw new TypeError(`${this.type} ${JSON.stringify(id)}: event id ${event.id} appears twice`);
      ids.add(event.id);
      if (!this.#ignoreUnknown && !this.processor.handles(event.type)) {
        throw new UnknownEventTypeError(event.type, this.type, id);
      }
      const schema = this.#schemas.inbound?.[event.type];
      if (this.#schemas.inbound && !schema && !this.#ignoreUnknown) {
        throw new ValidationError(this.type, id, event.type, 'inbound', [{ path: [], message: 'no schema for this event type' }]);
      }
      if (!schema) return event;
      const result = check(schema, event.payload);
      if (!result.ok) throw new ValidationError(this.type, id, event.type, 'inbound', result.issues);
      return { ...event, payload: result.data as TInbound };
    });
  }

  #checkPublication = (id: string) => (type: string, payload: TOutbound): TOutbound => {
    const schemas = this.#schemas.outbound;
    if (!schemas) return payload;
    const schema = schemas[type];
    const issues: ValidationIssue[] = [{ path: [], message: 'not a declared outbound event type' }];
    if (!schema) throw new ValidationError(this.type, id, type, 'outbound', issues);
    const result = check(schema, payload);
    if (!result.ok) throw new ValidationError(this.type, id, type, 'outbound', result.issues);
    return result.data as TOutbound;
  };

  #indexChanges(before: Snapshot<TState> | undefined, after: Snapshot<TState>) {
    const indexPuts: IndexEntry<TState>[] = [];
    for (const index of this.indexes) {
      for (const key of indexKeysOf(index, after)) indexPuts.push({ index: index.name, key, snapshot: after });
    }
    return { indexPuts, indexDeletes: staleIndexKeys(this.indexes, before, after) };
  }

  async #commit(
    before: Snapshot<TState>,
    events: readonly DomainEvent<string, TInbound>[],
    idempotencyKey: string | undefined,
  ): Promise<AppendResult<TState, TInbound, TOutbound>> {
    const id = before.aggregateId;
    const records: EventRecord<TInbound>[] = events.map((event, offset) => ({
      ...event,
      aggregateType: this.type,
      aggregateId: id,
      sequence: before.sequence + offset + 1,
    }));
    const { state, published } = this.processor.run(
      { state: before.state, stateIndex: before.sequence, newEvents: records },
      {
        ignoreUnknownEventTypes: this.#ignoreUnknown,
        checkPublication: this.#checkPublication(id),
        aggregateType: this.type,
        aggregateId: id,
      },
    );
    const sequence = before.sequence + records.length;
    const after = this.#snapshot(id, sequence, state);
    const outbound = published.map((publication, position) => this.#outboxRecord(publication, after, position));
    const result: AppendResult<TState, TInbound, TOutbound> = { snapshot: after, events: records, outbound };
    const commit: Commit<TState, TInbound, TOutbound> = {
      ref: { type: this.type, id },
      expectedSequence: before.sequence,
      events: records,
      snapshot: after,
      ...this.#indexChanges(before, after),
      outbox: outbound,
      ...(idempotencyKey === undefined
        ? {}
        : { idempotency: { key: idempotencyKey, aggregateType: this.type, aggregateId: id, result, createdAt: after.updatedAt } }),
    };
    await this.store.commit(commit);
    return result;
  }

  #outboxRecord(publication: Publication<TOutbound>, after: Snapshot<TState>, position: number): OutboxRecord<TOutbound> {
    const occurredAt = after.updatedAt;
    return {
      id: newId(occurredAt.getTime()),
      type: publication.type,
      payload: publication.payload,
      occurredAt,
      ...(publication.cause.metadata === undefined ? {} : { metadata: publication.cause.metadata }),
      aggregateType: this.type,
      aggregateId: after.aggregateId,
      sequence: after.sequence,
      position,
      causationId: publication.cause.id,
    };
  }
}

function assertId(type: string, id: unknown): asserts id is string {
  if (typeof id !== 'string' || id.length === 0) {
    throw new TypeError(`${type}: the aggregate id must be a non-empty string, got ${JSON.stringify(id)}`);
  }
  checkKey('aggregate id', id);
}

/** The retry settings: `false` is one attempt; each field is checked, never rounded. */
function retryOptions(retry: RetryOptions | false | undefined): Required<RetryOptions> {
  if (retry === false) return { ...DEFAULT_RETRY, attempts: 1 };
  if (retry !== undefined && (retry === null || typeof retry !== 'object')) {
    throw new InvalidOptionError('retry', retry, 'false or an object');
  }
  const attempts = positiveInteger('retry.attempts', retry?.attempts) ?? DEFAULT_RETRY.attempts;
  const baseDelayMs = nonNegativeNumber('retry.baseDelayMs', retry?.baseDelayMs) ?? DEFAULT_RETRY.baseDelayMs;
  const maxDelayMs = nonNegativeNumber('retry.maxDelayMs', retry?.maxDelayMs) ?? DEFAULT_RETRY.maxDelayMs;
  return { attempts, baseDelayMs, maxDelayMs };
}
