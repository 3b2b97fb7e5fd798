import { type AppendLane, type QueuedAppend, type QueuedWrite, leadingAppends, removeFromLane } from './append-lane.js';
import {
  ConcurrencyError,
  InvalidOptionError,
  RecalculateAllError,
  StoreLimitError,
  ValidationError,
  UnknownEventTypeError,
  type ValidationIssue,
} from './errors.js';
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
  IdempotencyRecord,
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

/** Options of {@link Aggregate.recalculateAll}. */
export interface RecalculateAllOptions extends RecalculateOptions {
  /** Aggregates recalculated at the same time (default 4). */
  readonly concurrency?: number;
  /** Ids read per listing page (default 100). */
  readonly pageSize?: number;
  /** Go on from here: the `cursor` of an earlier run's result or progress (default: from the first id). */
  readonly cursor?: string;
  /** Stops starting new recalculations; the ones running finish, and the result says where to go on. */
  readonly signal?: AbortSignal;
  /** Called after every aggregate recalculated. */
  readonly onProgress?: (progress: RecalculateAllProgress) => void;
}

/** Where {@link Aggregate.recalculateAll} is. */
export interface RecalculateAllProgress {
  /** Aggregates recalculated in this run so far. */
  readonly recalculated: number;
  /** The id just recalculated. */
  readonly aggregateId: string;
  /** Resume point: every aggregate before it is done (absent: start from the beginning). */
  readonly cursor?: string;
}

/** What {@link Aggregate.recalculateAll} did. */
export interface RecalculateAllResult {
  /** Aggregates recalculated in this run. */
  readonly recalculated: number;
  /** Whether the signal stopped it before the end. */
  readonly aborted: boolean;
  /** When aborted: pass it as `cursor` to go on (some aggregates after it may be recalculated again, which is harmless). */
  readonly cursor?: string;
}

/** Appends in one group commit at most (a store's own limits may make groups smaller). */
const MAX_GROUP = 256;

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
  /** The schemas payloads are validated with (`{}` when none were given): the HTTP handler reads the inbound ones to find date fields. */
  readonly schemas: AggregateSchemas;
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
  /** The write queue of each aggregate id with writes waiting or running. */
  readonly #lanes = new Map<string, AppendLane<TState, TInbound, TOutbound>>();

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
    this.schemas = this.#schemas;
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
   * Applies events to the aggregate and commits the change. Appends to one id through this
   * object queue and never conflict with each other: the waiting ones are committed together
   * in one store commit (within the store's `limits`), and each caller gets its own result (its
   * events, its sequence range, its outbound events) or its own error (a rule that throws fails
   * only its append). A conflict with another process re-reads and tries again with jittered
   * backoff. `target` is the id, or `{ id, idempotencyKey }`: a repeated key returns the first
   * result and writes nothing, whatever the retry setting.
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
    return new Promise((resolve, reject) => {
      this.#enqueue(id, { kind: 'append', events: checked, idempotencyKey, conflicts: 0, resolve, reject });
    });
  }

  /**
   * Applies events to a snapshot already in hand: one write, no read. Throws
   * {@link ConcurrencyError} (without retrying) when the aggregate moved on since `snapshot`.
   * A snapshot of another state or rules version is first rebuilt from history (a read).
   * It waits for this object's queued appends to the same id, so it never races them.
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
    return this.#inTurn(snapshot.aggregateId, async () => this.#commitAlone(await this.#usable(snapshot), checked, snapshot));
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
    return this.#inTurn(id, () => this.#rebuild(id, window, false));
  }

  /**
   * Recalculates every aggregate of this type (see {@link Aggregate.recalculate}), listed page
   * by page through the store's `listAggregateIds`, `concurrency` at a time. `onProgress` hears
   * of each one; `signal` stops it cleanly, and the result's `cursor` (or the last progress's)
   * resumes it. An aggregate that fails stops the run with a {@link RecalculateAllError}
   * carrying the cursor to resume from.
   */
  async recalculateAll(options: RecalculateAllOptions = {}): Promise<RecalculateAllResult> {
    optionObject('recalculateAll options', options);
    const concurrency = positiveInteger('recalculateAll.concurrency', options.concurrency) ?? 4;
    const pageSize = positiveInteger('recalculateAll.pageSize', options.pageSize) ?? 100;
    positiveInteger('recalculateAll.window', options.window);
    const pages = new IdPages(this.store, this.type, pageSize, options.cursor);
    let recalculated = 0;
    let failure: { id: string; error: unknown } | undefined;
    const stopped = () => failure !== undefined || options.signal?.aborted === true;
    const worker = async () => {
      while (!stopped()) {
        const next = await pages.next();
        if (!next || stopped()) return;
        try {
          await this.recalculate(next.id, options.window === undefined ? {} : { window: options.window });
        } catch (error) {
          failure ??= { id: next.id, error };
          return;
        }
        next.done();
        recalculated++;
        const cursor = pages.resumeCursor;
        options.onProgress?.({ recalculated, aggregateId: next.id, ...(cursor === undefined ? {} : { cursor }) });
      }
    };
    const workers = Array.from({ length: concurrency }, worker);
    const settled = await Promise.allSettled(workers);
    const listingError = settled.find((outcome) => outcome.status === 'rejected');
    if (failure || listingError) {
      const cursor = pages.resumeCursor;
      throw new RecalculateAllError(this.type, failure?.id, recalculated, cursor, failure ? failure.error : (listingError as PromiseRejectedResult).reason);
    }
    if (options.signal?.aborted && !pages.finished) {
      const cursor = pages.resumeCursor;
      return { recalculated, aborted: true, ...(cursor === undefined ? {} : { cursor }) };
    }
    return { recalculated, aborted: false };
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

  #enqueue(id: string, write: QueuedWrite<TState, TInbound, TOutbound>): void {
    let lane = this.#lanes.get(id);
    if (lane) {
      lane.waiting.push(write);
      return;
    }
    lane = { waiting: [write], groupCap: MAX_GROUP, conflicts: 0 };
    this.#lanes.set(id, lane);
    void this.#drain(id, lane);
  }

  /** Runs `write` alone once the writes queued before it for `id` are done. */
  #inTurn<T>(id: string, write: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#enqueue(id, { kind: 'task', run: () => write().then(resolve, reject) });
    });
  }

  async #drain(id: string, lane: AppendLane<TState, TInbound, TOutbound>): Promise<void> {
    // Let the appends made in the same turn as this one join its group.
    await null;
    while (lane.waiting.length > 0) {
      const head = lane.waiting[0]!;
      if (head.kind === 'task') {
        lane.waiting.shift();
        await head.run();
        continue;
      }
      try {
        await this.#commitGroup(id, lane);
      } catch (error) {
        // Reading the snapshot or the idempotency records failed: the group fails, the rest goes on.
        const group = leadingAppends(lane, lane.groupCap);
        removeFromLane(lane, new Set(group));
        for (const write of group) write.reject(error);
      }
    }
    this.#lanes.delete(id);
  }

  /**
   * One attempt at committing the appends at the head of the lane together. Settles what it
   * can: appends that failed alone, repeats of a used idempotency key, and the whole group when
   * the commit succeeds. On a conflict the appends stay queued for the next attempt.
   */
  async #commitGroup(id: string, lane: AppendLane<TState, TInbound, TOutbound>): Promise<void> {
    const group = leadingAppends(lane, lane.groupCap);
    const ref = { type: this.type, id };
    const keys = [...new Set(group.flatMap((write) => (write.idempotencyKey === undefined ? [] : [write.idempotencyKey])))];
    const [stored, ...records] = await Promise.all([
      this.store.loadSnapshot(ref),
      ...keys.map((key) => this.store.loadIdempotencyRecord(ref, key)),
    ]);
    const loaded = (stored as Snapshot<TState> | undefined) ?? this.#initialSnapshot(id);
    // A snapshot of another state or rules version is rebuilt from history first; the stored
    // one's index keys are the ones to replace.
    const before = await this.#usable(loaded);
    const earlier = new Map(keys.map((key, i) => [key, records[i] as IdempotencyRecord<TState, TInbound, TOutbound> | undefined]));
    const done = new Set<QueuedWrite<TState, TInbound, TOutbound>>();
    const settle: (() => void)[] = [];
    const included: { write: QueuedAppend<TState, TInbound, TOutbound>; result: AppendResult<TState, TInbound, TOutbound> }[] = [];
    const firstOfKey = new Map<string, AppendResult<TState, TInbound, TOutbound>>();
    const repeats: { write: QueuedAppend<TState, TInbound, TOutbound>; key: string }[] = [];
    const limit = this.store.limits?.commitItems;
    let items = 1 + (before.sequence === 0 ? 1 : 0); // the snapshot, and a listing entry for a new aggregate
    let current = before;
    for (const write of group) {
      const key = write.idempotencyKey;
      const record = key === undefined ? undefined : earlier.get(key);
      if (record) {
        done.add(write);
        settle.push(() => write.resolve(record.result));
        continue;
      }
      if (key !== undefined && firstOfKey.has(key)) {
        repeats.push({ write, key });
        continue;
      }
      let result: AppendResult<TState, TInbound, TOutbound>;
      try {
        result = this.#apply(current, write.events);
      } catch (error) {
        done.add(write);
        settle.push(() => write.reject(error));
        continue;
      }
      const own = result.events.length + result.outbound.length + (key === undefined ? 0 : 1);
      const indexItems = this.#indexItemCount(loaded, result.snapshot);
      if (limit !== undefined && included.length > 0 && items + own + indexItems > limit) break;
      items += own;
      included.push({ write, result });
      if (key !== undefined) firstOfKey.set(key, result);
      current = result.snapshot;
    }
    if (included.length > 0) {
      try {
        await this.store.commit(this.#groupCommit(loaded, current, included));
      } catch (error) {
        removeFromLane(lane, done);
        for (const run of settle) run();
        await this.#groupFailed(lane, ref, included, repeats, error);
        return;
      }
      lane.conflicts = 0;
      lane.groupCap = MAX_GROUP;
      for (const { write, result } of included) {
        done.add(write);
        settle.push(() => write.resolve(result));
      }
      for (const { write, key } of repeats) {
        done.add(write);
        const first = firstOfKey.get(key)!;
        settle.push(() => write.resolve(structuredClone(first)));
      }
    }
    removeFromLane(lane, done);
    for (const run of settle) run();
  }

  /** After a group's commit failed: retry later, split the group, or fail its appends. */
  async #groupFailed(
    lane: AppendLane<TState, TInbound, TOutbound>,
    ref: { type: string; id: string },
    included: readonly { write: QueuedAppend<TState, TInbound, TOutbound> }[],
    repeats: readonly { write: QueuedAppend<TState, TInbound, TOutbound> }[],
    error: unknown,
  ): Promise<void> {
    const members = [...included.map((entry) => entry.write), ...repeats.map((entry) => entry.write)];
    if (!(error instanceof ConcurrencyError)) {
      if (included.length > 1) {
        // The store refused the group (too large, a value it cannot keep, ...): halve it until
        // the append at fault is alone, so it fails alone.
        lane.groupCap = Math.max(1, Math.floor(included.length / 2));
        return;
      }
      removeFromLane(lane, new Set(members));
      for (const write of members) write.reject(error);
      if (!(error instanceof StoreLimitError)) lane.groupCap = MAX_GROUP;
      return;
    }
    const exhausted = new Set<QueuedWrite<TState, TInbound, TOutbound>>();
    for (const write of members) if (++write.conflicts >= this.#retry.attempts) exhausted.add(write);
    if (exhausted.size > 0) {
      removeFromLane(lane, exhausted);
      for (const write of exhausted) {
        const key = (write as QueuedAppend<TState, TInbound, TOutbound>).idempotencyKey;
        // A key another process used meanwhile still answers with its first result.
        const record = key === undefined ? undefined : await this.store.loadIdempotencyRecord(ref, key).catch(() => undefined);
        if (record) (write as QueuedAppend<TState, TInbound, TOutbound>).resolve(record.result);
        else (write as QueuedAppend<TState, TInbound, TOutbound>).reject(error);
      }
    }
    await sleep(backoffDelay(this.#retry, lane.conflicts++));
  }

  /** Runs the rules of one append on `before`: its records, snapshot and outbound events. */
  #apply(before: Snapshot<TState>, events: readonly DomainEvent<string, TInbound>[]): AppendResult<TState, TInbound, TOutbound> {
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
    const after = this.#snapshot(id, before.sequence + records.length, state);
    const outbound = published.map((publication, position) => this.#outboxRecord(publication, after, position));
    return { snapshot: after, events: records, outbound };
  }

  /** One commit for the appends of a group on `before` (as stored): all their events and outbox records, the last snapshot. */
  #groupCommit(
    before: Snapshot<TState>,
    after: Snapshot<TState>,
    included: readonly { write: QueuedAppend<TState, TInbound, TOutbound>; result: AppendResult<TState, TInbound, TOutbound> }[],
  ): Commit<TState, TInbound, TOutbound> {
    const idempotency: IdempotencyRecord<TState, TInbound, TOutbound>[] = [];
    for (const { write, result } of included) {
      if (write.idempotencyKey === undefined) continue;
      idempotency.push({
        key: write.idempotencyKey,
        aggregateType: this.type,
        aggregateId: before.aggregateId,
        result,
        createdAt: result.snapshot.updatedAt,
      });
    }
    return {
      ref: { type: this.type, id: before.aggregateId },
      expectedSequence: before.sequence,
      events: included.flatMap(({ result }) => result.events),
      snapshot: after,
      ...this.#indexChanges(before, after),
      outbox: included.flatMap(({ result }) => result.outbound),
      ...(idempotency.length === 0 ? {} : { idempotency: idempotency.length === 1 ? idempotency[0]! : idempotency }),
    };
  }

  #indexItemCount(before: Snapshot<TState>, after: Snapshot<TState>): number {
    if (this.indexes.length === 0) return 0;
    const { indexPuts, indexDeletes } = this.#indexChanges(before, after);
    return indexPuts.length + indexDeletes.length;
  }

  /**
   * A commit of one append on a snapshot in hand (appendTo): no retry. `stored` is the snapshot
   * as stored when `before` was rebuilt from it (another version): its index keys are replaced.
   */
  async #commitAlone(
    before: Snapshot<TState>,
    events: readonly DomainEvent<string, TInbound>[],
    stored: Snapshot<TState> = before,
  ): Promise<AppendResult<TState, TInbound, TOutbound>> {
    const result = this.#apply(before, events);
    await this.store.commit({
      ref: { type: this.type, id: before.aggregateId },
      expectedSequence: before.sequence,
      events: result.events,
      snapshot: result.snapshot,
      ...this.#indexChanges(stored, result.snapshot),
      outbox: result.outbound,
    });
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
    return events.map((event, index) => {
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
        throw new ValidationError(this.type, id, event.type, 'inbound', [{ path: [], message: 'no schema for this event type' }], index);
      }
      if (!schema) return event as DomainEvent<string, unknown> as DomainEvent<string, TInbound>;
      const result = check(schema, event.payload);
      if (!result.ok) throw new ValidationError(this.type, id, event.type, 'inbound', result.issues, index);
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

/**
 * The ids of a type, page by page, handed out one at a time to concurrent workers; knows up to
 * where every id is done, which is where a later run resumes.
 */
interface IdPage {
  readonly next: string | undefined;
  left: number;
}

class IdPages {
  readonly #pages: IdPage[] = [];
  readonly #ids: { id: string; page: IdPage }[] = [];
  #cursor: string | undefined;
  #loading: Promise<void> | undefined;
  #end = false;
  #resume: string | undefined;

  constructor(
    readonly store: Pick<EventStore<any, any, any>, 'listAggregateIds'>,
    readonly type: string,
    readonly pageSize: number,
    cursor: string | undefined,
  ) {
    this.#cursor = cursor;
    this.#resume = cursor;
  }

  /** Whether every id was handed out and done. */
  get finished(): boolean {
    return this.#end && this.#ids.length === 0 && this.#pages.length === 0;
  }

  /** Every aggregate before this cursor is done. */
  get resumeCursor(): string | undefined {
    return this.#resume;
  }

  async next(): Promise<{ id: string; done: () => void } | undefined> {
    while (this.#ids.length === 0) {
      if (this.#end) return undefined;
      this.#loading ??= this.#load().finally(() => (this.#loading = undefined));
      await this.#loading;
    }
    const { id, page } = this.#ids.shift()!;
    return { id, done: () => this.#done(page) };
  }

  async #load(): Promise<void> {
    const start = this.#cursor;
    const page = await this.store.listAggregateIds(this.type, { limit: this.pageSize, ...(start === undefined ? {} : { cursor: start }) });
    const entry: IdPage = { next: page.cursor, left: page.ids.length };
    if (page.ids.length > 0) this.#pages.push(entry);
    this.#ids.push(...page.ids.map((id) => ({ id, page: entry })));
    this.#cursor = page.cursor;
    if (page.cursor === undefined) this.#end = true;
  }

  #done(page: IdPage): void {
    page.left--;
    while (this.#pages.length > 0 && this.#pages[0]!.left === 0) this.#resume = this.#pages.shift()!.next;
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
