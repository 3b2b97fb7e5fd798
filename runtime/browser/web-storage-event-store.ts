import { decodeRecord, encodeRecord } from '../codec.js';
import { idempotencyRecordsOf } from '../commit.js';
import { type CorruptRecordListener, logCorruptRecord, readSkippingCorrupt } from '../corrupt.js';
import { ConcurrencyError, StoreError } from '../errors.js';
import { newId } from '../ids.js';
import { checkCommitKeys, checkIndexQuery, checkKey, checkRef } from '../keys.js';
import { compareCodePoints, listingStart, pageOf } from '../listing.js';
import { checkHistoryOptions, checkOutboxLimit } from '../options.js';
import type {
  AggregateIdPage,
  AggregateRef,
  Commit,
  EventRecord,
  EventStore,
  HistoryOptions,
  IdempotencyRecord,
  ListAggregateIdsOptions,
  OutboxRecord,
  Snapshot,
} from '../types.js';
import { notify, type StoreChangeListener, type Unsubscribe } from './changes.js';
import { CorruptStorageError, StorageQuotaError, isQuotaError } from './errors.js';
import type { StorageLike } from './storage-like.js';
import { WebStorageKeys } from './web-storage-keys.js';

/** Events kept under one storage key; a history page is one key. Part of the stored layout: never change it. */
const EVENTS_PER_KEY = 100;

/** Where `storage` events come from: `window` in a page. */
export interface StorageEventSource {
  addEventListener(type: 'storage', listener: (event: Event) => void): void;
  removeEventListener(type: 'storage', listener: (event: Event) => void): void;
}

/** Options of {@link WebStorageEventStore}. */
export interface WebStorageEventStoreOptions {
  /** `localStorage`, `sessionStorage`, a {@link MemoryStorage}, or anything with the same methods. */
  readonly storage: StorageLike;
  /** Prefix of every key this store writes, so several apps or stores share one origin (default `"esre"`). */
  readonly namespace?: string;
  /**
   * Where to listen for other tabs' `storage` events (default: `window`, when there is one).
   * `null` turns remote notifications off.
   */
  readonly storageEvents?: StorageEventSource | null;
  /**
   * Called with each corrupt key skipped while listing pending outbox records or index entries,
   * so other aggregates keep working (default: one `console.error` line naming the key).
   */
  readonly onCorruptRecord?: CorruptRecordListener;
}

interface StoredHead {
  v: 1;
  snapshot: unknown;
}

interface StoredOutboxEntry {
  /** The commit's stamp: sortable, so pending records come out oldest commit first. */
  c: string;
  r: unknown;
}

interface EventLike {
  sequence: number;
}

/**
 * An {@link EventStore} over a Web Storage object. Values are JSON with dates tagged (see
 * `serialize` in the core), outbox records are kept with their aggregate, every commit checks
 * the expected sequence, and a commit that fails part-way (full storage) is rolled back key by
 * key. `subscribe` reports commits made through this object and, for `localStorage`, commits
 * made in other tabs.
 *
 * Web Storage has no transactions across tabs: two tabs committing to the same aggregate at
 * the same moment can both pass the sequence check, and the later write wins. Use
 * {@link IndexedDBEventStore} where that matters.
 */
export class WebStorageEventStore<TState = unknown, TInbound = unknown, TOutbound = unknown>
  implements EventStore<TState, TInbound, TOutbound>
{
  /** The storage this store reads and writes. */
  readonly storage: StorageLike;
  /** The prefix of every key it writes. */
  readonly namespace: string;
  readonly #keys: WebStorageKeys;
  readonly #listeners = new Set<{ listener: StoreChangeListener<TState> }>();
  readonly #events: StorageEventSource | null;
  readonly #onCorrupt: CorruptRecordListener;
  #listening = false;

  constructor(options: WebStorageEventStoreOptions) {
    if (!options || !isStorageLike(options.storage)) {
      throw new TypeError('WebStorageEventStore: `storage` must have getItem, setItem, removeItem, key and length');
    }
    const namespace = options.namespace ?? 'esre';
    if (typeof namespace !== 'string' || namespace.length === 0 || namespace.includes('/')) {
      throw new TypeError('WebStorageEventStore: `namespace` must be a non-empty string without "/"');
    }
    this.storage = options.storage;
    this.namespace = namespace;
    this.#keys = new WebStorageKeys(namespace);
    this.#events = options.storageEvents === undefined ? defaultStorageEvents() : options.storageEvents;
    this.#onCorrupt = options.onCorruptRecord ?? logCorruptRecord;
  }

  async commit(commit: Commit<TState, TInbound, TOutbound>): Promise<void> {
    // Everything below is synchronous: no other code of this page runs between check and write.
    checkCommitKeys(commit as Commit<unknown, unknown, unknown>);
    const { ref } = commit;
    const who = `${ref.type} ${JSON.stringify(ref.id)}`;
    commit.events.forEach((event, i) => {
      // Events are filed by sequence, so a wrong one would corrupt the history layout.
      if (event.sequence !== commit.expectedSequence + 1 + i) {
        throw new TypeError(
          `WebStorageEventStore: event ${i} of the commit to ${ref.type} ${JSON.stringify(ref.id)} has sequence ${event.sequence}, ` +
            `expected ${commit.expectedSequence + 1 + i}`,
        );
      }
    });
    const actual = this.#readSnapshot(ref)?.sequence ?? 0;
    if (actual !== commit.expectedSequence) {
      throw new ConcurrencyError(ref.type, ref.id, commit.expectedSequence, actual);
    }
    const writes = new Map<string, string | null>();
    for (const record of idempotencyRecordsOf(commit)) {
      const key = this.#keys.idempotency(ref, record.key);
      if (writes.has(key) || this.storage.getItem(key) !== null) {
        throw new ConcurrencyError(ref.type, ref.id, commit.expectedSequence, actual, {
          reason: `idempotency key ${JSON.stringify(record.key)} already used`,
        });
      }
      writes.set(key, JSON.stringify(encodeRecord(record, `idempotency record ${JSON.stringify(record.key)} of ${who}`)));
    }
    const chunks = new Map<number, unknown[]>();
    for (const event of commit.events) {
      const chunk = Math.floor((event.sequence - 1) / EVENTS_PER_KEY);
      let events = chunks.get(chunk);
      if (!events) chunks.set(chunk, (events = this.#readChunk(ref, chunk) ?? []));
      events.push(encodeRecord(event, `event ${event.id} (${event.type}, sequence ${event.sequence}) of ${who}`));
    }
    for (const [chunk, events] of chunks) writes.set(this.#keys.events(ref, chunk), JSON.stringify(events));
    for (const entry of commit.indexDeletes) writes.set(this.#keys.index(ref.type, entry.index, entry.key, ref.id), null);
    for (const entry of commit.indexPuts) {
      const subject = `index entry ${entry.index} = ${JSON.stringify(entry.key)} of ${who}`;
      writes.set(this.#keys.index(ref.type, entry.index, entry.key, ref.id), JSON.stringify(encodeRecord(entry.snapshot, subject)));
    }
    if (commit.outbox.length > 0) {
      const stamp = newId();
      const pending = this.#readOutbox(ref) ?? [];
      for (const record of [...commit.outbox].sort((a, b) => a.position - b.position)) {
        pending.push({ c: stamp, r: encodeRecord(record, `outbox record ${record.id} (${record.type}) of ${who}`) });
      }
      writes.set(this.#keys.outbox(ref), JSON.stringify(pending));
    }
    const head: StoredHead = { v: 1, snapshot: encodeRecord(commit.snapshot, `the snapshot of ${who}`) };
    // The snapshot goes last: when another tab sees it change, the rest of the commit is there.
    writes.set(this.#keys.snapshot(ref), JSON.stringify(head));
    this.#write(writes);
    if (this.#listeners.size > 0) {
      const snapshot = decodeRecord<Snapshot<TState>>(head.snapshot, this.#keys.snapshot(ref));
      notify(this.#listenerFunctions(), { ref: { type: ref.type, id: ref.id }, source: 'local', snapshot });
    }
  }

  async loadSnapshot(ref: AggregateRef): Promise<Snapshot<TState> | undefined> {
    checkRef(ref);
    return this.#readSnapshot(ref);
  }

  async *readHistory(ref: AggregateRef, options: HistoryOptions = {}): AsyncIterable<EventRecord<TInbound>> {
    checkRef(ref);
    const after = checkHistoryOptions(options).afterSequence;
    for (let chunk = Math.floor(after / EVENTS_PER_KEY); ; chunk++) {
      const key = this.#keys.events(ref, chunk);
      const events = this.#readChunk(ref, chunk);
      if (!events) return;
      for (const event of events) {
        if ((event as EventLike).sequence > after) yield decodeRecord<EventRecord<TInbound>>(event, key);
      }
      if (events.length < EVENTS_PER_KEY) return;
    }
  }

  async queryIndex(aggregateType: string, index: string, key: string): Promise<Snapshot<TState>[]> {
    checkIndexQuery(aggregateType, index, key);
    const prefix = this.#keys.indexPrefix(aggregateType, index, key);
    // A corrupt entry is skipped and reported: the other aggregates under this key still answer.
    const found = readSkippingCorrupt(this.#keysStartingWith(prefix), this.#onCorrupt, (storageKey) => {
      const snapshot = this.#readJson(storageKey, isSnapshotLike, 'an index entry');
      return snapshot && { id: (snapshot as { aggregateId: string }).aggregateId, snapshot: decodeRecord<Snapshot<TState>>(snapshot, storageKey) };
    }).filter((entry) => entry !== undefined);
    return found.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((entry) => entry.snapshot);
  }

  async loadIdempotencyRecord(
    ref: AggregateRef,
    key: string,
  ): Promise<IdempotencyRecord<TState, TInbound, TOutbound> | undefined> {
    checkRef(ref);
    checkKey('idempotency key', key);
    const storageKey = this.#keys.idempotency(ref, key);
    const stored = this.#readJson(storageKey, isObject, 'an idempotency record');
    return stored === undefined ? undefined : decodeRecord<IdempotencyRecord<TState, TInbound, TOutbound>>(stored, storageKey);
  }

  async pendingOutbox(options: { limit?: number } = {}): Promise<OutboxRecord<TOutbound>[]> {
    const limit = checkOutboxLimit(options);
    // A corrupt key is skipped and reported: the other aggregates' records are still relayed.
    const all = readSkippingCorrupt(this.#keysStartingWith(this.#keys.outboxPrefix), this.#onCorrupt, (key) =>
      (this.#readJson(key, isOutboxList, 'a list of outbox records') ?? []).map((entry) => ({
        c: entry.c,
        position: (entry.r as { position: number }).position,
        record: decodeRecord<OutboxRecord<TOutbound>>(entry.r, key),
      })),
    ).flat();
    return all
      .sort((a, b) => (a.c < b.c ? -1 : a.c > b.c ? 1 : a.position - b.position))
      .slice(0, limit)
      .map((entry) => entry.record);
  }

  async markPublished(records: readonly OutboxRecord<TOutbound>[]): Promise<void> {
    const byAggregate = new Map<string, { ref: AggregateRef; ids: Set<string> }>();
    for (const record of records) {
      const key = this.#keys.outbox({ type: record.aggregateType, id: record.aggregateId });
      let group = byAggregate.get(key);
      if (!group) byAggregate.set(key, (group = { ref: { type: record.aggregateType, id: record.aggregateId }, ids: new Set() }));
      group.ids.add(record.id);
    }
    const writes = new Map<string, string | null>();
    for (const [key, { ref, ids }] of byAggregate) {
      const pending = this.#readOutbox(ref);
      if (!pending) continue;
      const left = pending.filter((entry) => !ids.has((entry.r as { id: string }).id));
      if (left.length !== pending.length) writes.set(key, left.length === 0 ? null : JSON.stringify(left));
    }
    this.#write(writes);
  }

  /**
   * Ids of `aggregateType`, ascending by code point. Web Storage has no ordered keys: each page
   * walks the storage's keys (bounded by its quota of a few MB) and keeps the snapshot keys of
   * the type after the cursor.
   */
  async listAggregateIds(aggregateType: string, options?: ListAggregateIdsOptions): Promise<AggregateIdPage> {
    const { limit, after } = listingStart(aggregateType, options);
    const prefix = this.#keys.snapshotPrefix(aggregateType);
    const ids: string[] = [];
    for (const key of this.#keysStartingWith(prefix)) {
      const ref = this.#keys.parseSnapshot(key);
      if (ref && ref.type === aggregateType && (after === undefined || compareCodePoints(ref.id, after) > 0)) ids.push(ref.id);
    }
    return pageOf(ids.sort(compareCodePoints).slice(0, limit + 1), limit);
  }

  /**
   * Calls `listener` after every commit through this store (`source: "local"`) and, when the
   * storage is the one `storage` events report on (i.e. `localStorage` in a page), after every
   * commit another tab or window of the same origin makes (`source: "remote"`). Returns the
   * function that stops it. A listener that throws is reported, and does not affect the commit.
   */
  subscribe(listener: StoreChangeListener<TState>): Unsubscribe {
    if (typeof listener !== 'function') throw new TypeError('subscribe: the listener must be a function');
    const entry = { listener };
    this.#listeners.add(entry);
    if (!this.#listening && this.#events) {
      this.#events.addEventListener('storage', this.#onStorage);
      this.#listening = true;
    }
    return () => {
      this.#listeners.delete(entry);
      if (this.#listeners.size === 0) this.#stopListening();
    };
  }

  /** Removes every subscription and stops listening to `storage` events. Data stays stored. */
  close(): void {
    this.#listeners.clear();
    this.#stopListening();
  }

  readonly #onStorage = (event: Event): void => {
    const change = event as Event & { key?: string | null; newValue?: string | null; storageArea?: unknown };
    if (change.storageArea !== this.storage || typeof change.key !== 'string') return;
    const ref = this.#keys.parseSnapshot(change.key);
    if (!ref) return;
    let snapshot: Snapshot<TState> | undefined;
    if (typeof change.newValue === 'string') {
      try {
        snapshot = this.#parseHead(change.key, change.newValue);
      } catch {
        return; // reads of this aggregate will name the corrupt key
      }
    }
    notify(this.#listenerFunctions(), { ref, source: 'remote', snapshot });
  };

  #stopListening(): void {
    if (this.#listening && this.#events) this.#events.removeEventListener('storage', this.#onStorage);
    this.#listening = false;
  }

  #listenerFunctions(): StoreChangeListener<TState>[] {
    return [...this.#listeners].map((entry) => entry.listener);
  }

  #readSnapshot(ref: AggregateRef): Snapshot<TState> | undefined {
    const key = this.#keys.snapshot(ref);
    const text = this.storage.getItem(key);
    return text === null ? undefined : this.#parseHead(key, text);
  }

  #parseHead(key: string, text: string): Snapshot<TState> {
    const head = parse(key, text);
    if (!isObject(head) || head.v !== 1 || !isSnapshotLike(head.snapshot)) {
      throw new CorruptStorageError(key, 'expected {"v":1,"snapshot":{...}}');
    }
    return decodeRecord<Snapshot<TState>>(head.snapshot, key);
  }

  #readChunk(ref: AggregateRef, chunk: number): unknown[] | undefined {
    return this.#readJson(this.#keys.events(ref, chunk), isEventList, 'a list of events');
  }

  #readOutbox(ref: AggregateRef): StoredOutboxEntry[] | undefined {
    return this.#readJson(this.#keys.outbox(ref), isOutboxList, 'a list of outbox records');
  }

  #readJson<T>(key: string, check: (value: unknown) => value is T, expected: string): T | undefined {
    const text = this.storage.getItem(key);
    if (text === null) return undefined;
    const value = parse(key, text);
    if (!check(value)) throw new CorruptStorageError(key, `expected ${expected}`);
    return value;
  }

  *#keysStartingWith(prefix: string): Iterable<string> {
    const matching: string[] = [];
    for (let i = 0; i < this.storage.length; i++) {
      const key = this.storage.key(i);
      if (key !== null && key.startsWith(prefix)) matching.push(key);
    }
    yield* matching;
  }

  /** Writes all or nothing: on a failure, keys already written get their earlier values back. */
  #write(writes: ReadonlyMap<string, string | null>): void {
    const done: [string, string | null][] = [];
    let current = '';
    try {
      for (const [key, value] of writes) {
        current = key;
        const previous = this.storage.getItem(key);
        if (value === null) this.storage.removeItem(key);
        else this.storage.setItem(key, value);
        done.push([key, previous]);
      }
    } catch (error) {
      // Undo in reverse order: each step returns to a state that already fitted before.
      const stuck: string[] = [];
      for (const [key, previous] of done.reverse()) {
        try {
          if (previous === null) this.storage.removeItem(key);
          else this.storage.setItem(key, previous);
        } catch {
          stuck.push(key);
        }
      }
      if (stuck.length > 0) {
        throw new StoreError(
          `WebStorageEventStore: writing ${JSON.stringify(current)} failed and ${stuck.map((k) => JSON.stringify(k)).join(', ')} ` +
            'could not be restored; the stored data may be inconsistent',
          { cause: error },
        );
      }
      if (isQuotaError(error)) throw new StorageQuotaError(current, { cause: error });
      throw new StoreError(`WebStorageEventStore: writing ${JSON.stringify(current)} failed: ${String(error)}`, {
        cause: error,
      });
    }
  }
}

function parse(key: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CorruptStorageError(key, `not valid JSON (${error instanceof Error ? error.message : String(error)})`, {
      cause: error,
    });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isSnapshotLike(value: unknown): value is Record<string, unknown> {
  return isObject(value) && typeof value.sequence === 'number' && typeof value.aggregateId === 'string';
}

function isEventList(value: unknown): value is unknown[] {
  return Array.isArray(value) && value.every((event) => isObject(event) && typeof event.sequence === 'number');
}

function isOutboxList(value: unknown): value is StoredOutboxEntry[] {
  return (
    Array.isArray(value) &&
    value.every((entry) => isObject(entry) && typeof entry.c === 'string' && isObject(entry.r) && typeof entry.r.id === 'string' && typeof entry.r.position === 'number')
  );
}

function isStorageLike(value: unknown): value is StorageLike {
  if (value === null || typeof value !== 'object') return false;
  const storage = value as Record<string, unknown>;
  return ['getItem', 'setItem', 'removeItem', 'key'].every((name) => typeof storage[name] === 'function') && 'length' in storage;
}

function defaultStorageEvents(): StorageEventSource | null {
  const candidate = (globalThis as { window?: unknown }).window as Partial<StorageEventSource> | undefined;
  return candidate && typeof candidate.addEventListener === 'function' && typeof candidate.removeEventListener === 'function'
    ? (candidate as StorageEventSource)
    : null;
}
