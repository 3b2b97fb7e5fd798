import { ConcurrencyError, InvalidOptionError, ValidationError, UnknownEventTypeError, type ValidationIssue } from './errors.js';
import { newId } from './ids.js';
import { checkKey } from './keys.js';
import { checkHistoryOptions, nonNegativeNumber, optionObject, positiveInteger } from './options.js';
import { type IndexDefinition, type IndexKey, indexKeysOf, staleIndexKeys } from './indexes.js';
import type { Processor, Publication } from './processor.js';
import { DEFAULT_RETRY, type RetryOptions, backoffDelay, sleep } from './retry.js';
import { type AggregateSchemas, check } from './schemas.js';
import { EventUpcaster, type Upcasters } from './upcasting.js';
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
  /**
   * Version history of inbound event types: for each type, its current version and one step
   * per older version (step `n` turns a version-`n` payload into version `n + 1`). New events
   * are stamped with the current version of their type; reads (`history`, `recalculate`, the
   * events rules replay) upcast older events as they stream, so rules and readers only see
   * current payloads. A missing or failing step is an {@link UpcastError}. Types not listed
   * are at version 1.
   */
  readonly upcasters?: Upcasters;
  /**
   * Version of the state schema (default 1). Bump it when the state's shape changes: a stored
   * snapshot of another version is never returned nor handed to rules, but rebuilt from history
   * on first touch (`get`, `append`, `appendTo`, `query`) and stored, conditional on its sequence.
   */
  readonly stateVersion?: number;
  /** Version of the rules (default 1). Bump it when a rule's logic changes; snapshots are rebuilt as for `stateVersion`. */
  readonly rulesVersion?: number;
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
/** Events per processor run when replaying history (see {@link RecalculateOptions.window}). */
const DEFAULT_WINDOW = 1000;

/**
 * Loads state, runs the processor, and commits events, snapshot, index entries and outbox
 * records through an {@link EventStore} in one atomic change.
 *
 * `TInboundInput` is the payload type `append` and `appendTo` take: the same as `TInbound`
 * unless `schemas.inbound` parses payloads into `TInbound` (a zod schema's input type, e.g. an
 * ISO string its transform turns into a `Date`; the generated aggregate classes use it so).
 */
export class Aggregate<TState, TInbound = unknown, TOutbound = unknown, TInboundInput = TInbound> {
  readonly type: string;
  readonly store: EventStore<TState, TInbound, TOutbound>;
  readonly processor: Processor<TState, TInbound, TOutbound>;
  readonly indexes: readonly IndexDefinition<TState>[];
  readonly #schemas: AggregateSchemas;
  readonly #retry: Required<RetryOptions>;
  readonly #ignoreUnknown: boolean;
  readonly #clock: () => Date;
  readonly #upcaster: EventUpcaster;
  /** The version history of inbound event types this aggregate reads with (see {@link AggregateOptions.upcasters}). */
  readonly upcasters: Upcasters;
  /** Current state schema version; snapshots of another version are rebuilt. */
  readonly stateVersion: number;
  /** Current rules version; snapshots of another version are rebuilt. */
  readonly rulesVersion: number;

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
    this.#upcaster = new EventUpcaster(this.type, options.upcasters);
    this.upcasters = options.upcasters ?? {};
    this.stateVersion = positiveInteger('stateVersion', options.stateVersion) ?? 1;
    this.rulesVersion = positiveInteger('rulesVersion', options.rulesVersion) ?? 1;
  }

  /** Whether a snapshot was built under this aggregate's state and rules versions (absent versions are 1). */
  isCurrent(snapshot: Snapshot<TState>): boolean {
    return (snapshot.stateVersion ?? 1) === this.stateVersion && (snapshot.rulesVersion ?? 1) === this.rulesVersion;
  }

  /**
   * The latest snapshot; an aggregate with no events has the initial state and sequence 0. A
   * stored snapshot built under another `stateVersion` or `rulesVersion` is rebuilt from
   * history and stored (conditional on its sequence) before it is returned.
   */
  async get(id: string): Promise<Snapshot<TState>> {
    assertId(this.type, id);
    const stored = await this.store.loadSnapshot({ type: this.type, id });
    if (!stored) return this.#initialSnapshot(id);
    if (this.isCurrent(stored)) return stored;
    return this.#rebuild(id, DEFAULT_WINDOW, true);
  }

  /**
   * Applies events to the aggregate and commits the change. Reads the snapshot, runs the rules,
   * commits; on a {@link ConcurrencyError} re-reads and tries again with jittered backoff.
   * `target` is the id, or `{ id, idempotencyKey }`.
   */
  async append(
    target: string | AppendTarget,
    ...events: DomainEvent<string, TInboundInput>[]
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
      const loaded = (await this.store.loadSnapshot(ref)) ?? this.#initialSnapshot(id);
      try {
        return await this.#commit(await this.#usable(loaded), checked, idempotencyKey, loaded);
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
   * A snapshot of another state or rules version is first rebuilt from history (a read).
   */
  async appendTo(
    snapshot: Snapshot<TState>,
    ...events: DomainEvent<string, TInboundInput>[]
  ): Promise<AppendResult<TState, TInbound, TOutbound>> {
    if (!snapshot || snapshot.aggregateType !== this.type) {
      throw new TypeError(`${this.type}.appendTo: the snapshot is not one of this aggregate type`);
    }
    assertId(this.type, snapshot.aggregateId);
    const checked = this.#checkInbound(snapshot.aggregateId, events);
    return this.#commit(await this.#usable(snapshot), checked, undefined, snapshot);
  }

  /**
   * Replays the whole history from the initial state (e.g. after rules changed) and commits the
   * new snapshot and index entries. Publications during the replay are not sent. History is
   * streamed, never held whole, and upcast to the current event versions as it streams.
   */
  async recalculate(id: string, options: RecalculateOptions = {}): Promise<Snapshot<TState>> {
    assertId(this.type, id);
    optionObject('recalculate options', options);
    const window = positiveInteger('recalculate.window', options.window) ?? DEFAULT_WINDOW;
    return this.#rebuild(id, window, false);
  }

  /**
   * The aggregate's inbound events in order, read page by page, each upcast to the current
   * version of its type as it streams (an {@link UpcastError} stops the iteration at the event
   * that cannot be upcast).
   */
  history(id: string, options?: HistoryOptions): AsyncIterable<EventRecord<TInbound>> {
    assertId(this.type, id);
    checkHistoryOptions(options);
    const events = this.store.readHistory({ type: this.type, id }, options);
    return this.#upcaster.evolves ? this.#upcaster.stream(events) : events;
  }

  /**
   * Snapshots filed under `key` in the index `index`, in one read. An entry built under another
   * state or rules version is rebuilt (as by {@link Aggregate.get}) first; it is returned only
   * if the rebuilt snapshot still has `key`, and otherwise removed from the index.
   */
  async query(index: string, key: IndexKey): Promise<Snapshot<TState>[]> {
    const definition = this.indexes.find((candidate) => candidate.name === index);
    if (!definition) {
      const known = this.indexes.map((candidate) => candidate.name).join(', ') || 'none';
      throw new TypeError(`${this.type}: no index named ${JSON.stringify(index)} (defined: ${known})`);
    }
    const found = await this.store.queryIndex(this.type, index, String(key));
    if (found.every((snapshot) => this.isCurrent(snapshot))) return found;
    const result: Snapshot<TState>[] = [];
    for (const snapshot of found) {
      if (this.isCurrent(snapshot)) {
        result.push(snapshot);
        continue;
      }
      const current = await this.get(snapshot.aggregateId);
      if (indexKeysOf(definition, current).includes(String(key))) result.push(current);
      else await this.#dropIndexEntry(current, index, String(key));
    }
    return result;
  }

  #initialSnapshot(id: string): Snapshot<TState> {
    return { ...this.#snapshot(id, 0, this.processor.initialState()), updatedAt: EPOCH };
  }

  #snapshot(id: string, sequence: number, state: TState): Snapshot<TState> {
    return {
      aggregateType: this.type,
      aggregateId: id,
      sequence,
      state,
      updatedAt: this.#clock(),
      stateVersion: this.stateVersion,
      rulesVersion: this.rulesVersion,
    };
  }

  /** `snapshot` itself when it is current; otherwise its state rebuilt from history, at the same sequence (not stored). */
  async #usable(snapshot: Snapshot<TState>): Promise<Snapshot<TState>> {
    if (snapshot.sequence === 0 || this.isCurrent(snapshot)) return snapshot;
    const state = await this.#replay(snapshot.aggregateId, snapshot.sequence, DEFAULT_WINDOW);
    return this.#snapshot(snapshot.aggregateId, snapshot.sequence, state);
  }

  /**
   * Folds the first `sequence` events of the history into the initial state, `window` events
   * per processor run (rules see them as `pastEvents`), upcasting each as it streams.
   */
  async #replay(id: string, sequence: number, window: number): Promise<TState> {
    const ref = { type: this.type, id };
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
    const upcaster = this.#upcaster.evolves ? this.#upcaster : undefined;
    // Pages of one window: memory stays bounded by the window, and stores that would
    // otherwise fill large pages (DynamoDB: 1 MB) answer sooner.
    for await (const event of this.store.readHistory(ref, { pageSize: window })) {
      if (event.sequence > sequence) break;
      chunk.push(upcaster ? upcaster.upcast(event) : event);
      if (chunk.length >= window) fold();
    }
    if (chunk.length > 0) fold();
    if (reached !== sequence) {
      throw new Error(`${this.type} ${JSON.stringify(id)}: history has ${reached} events but the snapshot is at ${sequence}`);
    }
    return state;
  }

  /**
   * Rebuilds the stored snapshot from history and commits it with its index changes,
   * conditional on its sequence; retried on a conflict. With `onlyStale`, a snapshot found
   * current (e.g. another process rebuilt it meanwhile) is returned as it is.
   */
  async #rebuild(id: string, window: number, onlyStale: boolean): Promise<Snapshot<TState>> {
    const ref = { type: this.type, id };
    // A rebuild racing another one for the same snapshot finds it current on the next read.
    const attempts = onlyStale ? Math.max(this.#retry.attempts, 2) : this.#retry.attempts;
    for (let attempt = 0; ; attempt++) {
      const before = await this.store.loadSnapshot(ref);
      if (!before) return this.#initialSnapshot(id);
      if (onlyStale && this.isCurrent(before)) return before;
      const after = this.#snapshot(id, before.sequence, await this.#replay(id, before.sequence, window));
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
        if (!(error instanceof ConcurrencyError) || attempt + 1 >= attempts) throw error;
        await sleep(backoffDelay(this.#retry, attempt));
      }
    }
  }

  /** Removes an index entry left under a key the (rebuilt) snapshot no longer has; a lost race leaves it for a later query. */
  async #dropIndexEntry(current: Snapshot<TState>, index: string, key: string): Promise<void> {
    if (current.sequence === 0) return;
    try {
      await this.store.commit({
        ref: { type: this.type, id: current.aggregateId },
        expectedSequence: current.sequence,
        events: [],
        snapshot: current,
        indexPuts: [],
        indexDeletes: [{ index, key }],
        outbox: [],
      });
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
    }
  }

  /**
   * Checks events before any I/O: shape, known type, schema. Returns them with parsed payloads
   * (a payload without a schema is taken as it is: then `TInboundInput` is `TInbound`).
   */
  #checkInbound(id: string, events: readonly DomainEvent<string, TInboundInput>[]): DomainEvent<string, TInbound>[] {
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
      if (!schema) return event as DomainEvent<string, unknown> as DomainEvent<string, TInbound>;
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

  /**
   * Index puts for `after` and deletes of the keys `before` (the stored snapshot) had that
   * `after` lacks. The keys of a snapshot of another version are computed with today's key
   * functions, which may not read its old state: where one throws, nothing is deleted for that
   * index and `query` removes the leftover entry when it meets it.
   */
  #indexChanges(before: Snapshot<TState> | undefined, after: Snapshot<TState>) {
    const indexPuts: IndexEntry<TState>[] = [];
    for (const index of this.indexes) {
      for (const key of indexKeysOf(index, after)) indexPuts.push({ index: index.name, key, snapshot: after });
    }
    if (!before || this.isCurrent(before)) return { indexPuts, indexDeletes: staleIndexKeys(this.indexes, before, after) };
    const indexDeletes = this.indexes.flatMap((index) => {
      try {
        return staleIndexKeys([index], before, after);
      } catch {
        return [];
      }
    });
    return { indexPuts, indexDeletes };
  }

  /**
   * Runs the rules on `before` and commits. `stored` is the snapshot as stored when `before`
   * was rebuilt from it (another version): its index keys are the ones to replace.
   */
  async #commit(
    before: Snapshot<TState>,
    events: readonly DomainEvent<string, TInbound>[],
    idempotencyKey: string | undefined,
    stored: Snapshot<TState> = before,
  ): Promise<AppendResult<TState, TInbound, TOutbound>> {
    const id = before.aggregateId;
    const records: EventRecord<TInbound>[] = events.map((event, offset) => ({
      ...event,
      aggregateType: this.type,
      aggregateId: id,
      sequence: before.sequence + offset + 1,
      schemaVersion: this.#upcaster.versionOf(event.type),
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
      ...this.#indexChanges(stored, after),
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
