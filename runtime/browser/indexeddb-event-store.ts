import { deserializeRecord, serializeRecord } from '../codec.js';
import { idempotencyRecordsOf } from '../commit.js';
import { type CorruptRecordListener, logCorruptRecord, readSkippingCorrupt } from '../corrupt.js';
import { ConcurrencyError, CorruptRecordError, EventSourcingError, StoreError } from '../errors.js';
import { checkCommitKeys, checkIndexQuery, checkKey, checkRef } from '../keys.js';
import { listingStart, pageOf } from '../listing.js';
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
import { BroadcastFeed } from './broadcast-feed.js';
import { notify, type StoreChangeListener, type Unsubscribe } from './changes.js';
import { StorageQuotaError, isQuotaError } from './errors.js';
import { OUTBOX_BY_EVENT_ID, STORES, deleteDatabase, openDatabase } from './indexeddb-schema.js';

/** Options of {@link IndexedDBEventStore}. */
export interface IndexedDBEventStoreOptions {
  /** Name of the IndexedDB database (one per app on an origin). */
  readonly name: string;
  /** Events per history page, each page one read transaction (default 500). */
  readonly pageSize?: number;
  /** The IndexedDB factory (default: the global `indexedDB`); e.g. `fake-indexeddb` in Node. */
  readonly indexedDB?: IDBFactory;
  /** The key-range class belonging to that factory (default: the global `IDBKeyRange`). */
  readonly IDBKeyRange?: typeof IDBKeyRange;
  /**
   * Called with each corrupt record skipped while listing pending outbox records or index
   * entries, so other aggregates keep working (default: one `console.error` line naming it).
   */
  readonly onCorruptRecord?: CorruptRecordListener;
}

/**
 * How a value is stored: its key fields (the object store's key path) next to the codec's JSON
 * text, so IndexedDB keeps exactly what every other store keeps. Records written before the
 * codec (structured clones without `codec`) are read as they are.
 */
interface Encoded {
  codec: 1;
  json: string;
}

interface StoredIndexEntry extends Encoded {
  aggregateType: string;
  index: string;
  key: string;
  aggregateId: string;
}

interface StoredOutboxRecord extends Encoded {
  order?: number;
  eventId: string;
}

/** An outbox record as releases before the codec stored it. */
interface LegacyOutboxRecord {
  order?: number;
  eventId: string;
  record: OutboxRecord<unknown>;
}

const WRITE_STORES = [STORES.snapshots, STORES.events, STORES.indexEntries, STORES.outbox, STORES.idempotency];

/**
 * An {@link EventStore} in IndexedDB, for larger data than Web Storage holds and for real
 * transactions: each commit is one `readwrite` transaction that checks the snapshot's sequence
 * and writes events, snapshot, index entries, outbox and idempotency records, so it is atomic
 * and a conflicting commit from another tab fails with {@link ConcurrencyError}. Values are
 * stored by structured clone, which keeps dates. The database opens on first use.
 */
export class IndexedDBEventStore<TState = unknown, TInbound = unknown, TOutbound = unknown>
  implements EventStore<TState, TInbound, TOutbound>
{
  /** The database name. */
  readonly name: string;
  readonly #factory: IDBFactory;
  readonly #keyRange: typeof IDBKeyRange;
  readonly #pageSize: number;
  readonly #listeners = new Set<{ listener: StoreChangeListener<TState> }>();
  readonly #feed: BroadcastFeed;
  readonly #onCorrupt: CorruptRecordListener;
  #db: Promise<IDBDatabase> | undefined;
  #closed = false;

  constructor(options: IndexedDBEventStoreOptions) {
    if (!options || typeof options.name !== 'string' || options.name.length === 0) {
      throw new TypeError('IndexedDBEventStore: `name` must be a non-empty string');
    }
    const pageSize = options.pageSize ?? 500;
    if (!Number.isInteger(pageSize) || pageSize < 1) throw new TypeError('IndexedDBEventStore: `pageSize` must be a positive integer');
    const factory = options.indexedDB ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
    const keyRange = options.IDBKeyRange ?? (globalThis as { IDBKeyRange?: typeof IDBKeyRange }).IDBKeyRange;
    if (!factory || !keyRange) throw new StoreError('IndexedDBEventStore: there is no IndexedDB in this environment');
    this.name = options.name;
    this.#factory = factory;
    this.#keyRange = keyRange;
    this.#pageSize = pageSize;
    this.#onCorrupt = options.onCorruptRecord ?? logCorruptRecord;
    this.#feed = new BroadcastFeed(`esre-indexeddb:${options.name}`, (ref) => this.#remoteChange(ref));
  }

  /** Deletes a whole database (e.g. on sign-out). Open stores on it close themselves first. */
  static deleteDatabase(name: string, factory?: IDBFactory): Promise<void> {
    const indexedDB = factory ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
    if (!indexedDB) return Promise.reject(new StoreError('IndexedDBEventStore: there is no IndexedDB in this environment'));
    return deleteDatabase(indexedDB, name);
  }

  async commit(commit: Commit<TState, TInbound, TOutbound>): Promise<void> {
    checkCommitKeys(commit as Commit<unknown, unknown, unknown>);
    const { ref } = commit;
    // Encode everything before the transaction: a value that cannot be stored fails first.
    const who = `${ref.type} ${JSON.stringify(ref.id)}`;
    const events = commit.events.map((event) => ({
      aggregateType: ref.type,
      aggregateId: ref.id,
      sequence: event.sequence,
      ...encoded(event, `event ${event.id} (${event.type}, sequence ${event.sequence}) of ${who}`),
    }));
    const snapshot = {
      aggregateType: ref.type,
      aggregateId: ref.id,
      sequence: commit.snapshot.sequence,
      ...encoded(commit.snapshot, `the snapshot of ${who}`),
    };
    const indexPuts = commit.indexPuts.map(
      (entry): StoredIndexEntry => ({
        aggregateType: ref.type,
        index: entry.index,
        key: entry.key,
        aggregateId: ref.id,
        ...encoded(entry.snapshot, `index entry ${entry.index} = ${JSON.stringify(entry.key)} of ${who}`),
      }),
    );
    const outbox = [...commit.outbox]
      .sort((a, b) => a.position - b.position)
      .map((record): StoredOutboxRecord => ({ eventId: record.id, ...encoded(record, `outbox record ${record.id} (${record.type}) of ${who}`) }));
    const idempotency = idempotencyRecordsOf(commit).map((record) => ({
      aggregateType: ref.type,
      aggregateId: ref.id,
      key: record.key,
      ...encoded(record, `idempotency record ${JSON.stringify(record.key)} of ${who}`),
    }));
    const db = await this.#open();
    await new Promise<void>((resolve, reject) => {
      const tx = this.#transaction(db, WRITE_STORES, 'readwrite');
      let failure: unknown;
      let current: string = STORES.snapshots;
      const fail = (error: unknown) => {
        failure ??= error;
        try {
          tx.abort();
        } catch {
          // already finished
        }
      };
      tx.oncomplete = () => resolve();
      tx.onabort = () => reject(failure ?? this.#transactionError(tx.error, current, commit));
      const write = () => {
        try {
          const eventStore = tx.objectStore((current = STORES.events));
          for (const event of events) eventStore.add(event);
          tx.objectStore((current = STORES.snapshots)).put(snapshot);
          const entries = tx.objectStore((current = STORES.indexEntries));
          for (const entry of commit.indexDeletes) entries.delete([ref.type, entry.index, entry.key, ref.id]);
          for (const entry of indexPuts) entries.put(entry);
          const pending = tx.objectStore((current = STORES.outbox));
          for (const record of outbox) pending.add(record);
          const records = tx.objectStore((current = STORES.idempotency));
          for (const record of idempotency) records.add(record);
        } catch (error) {
          fail(this.#transactionError(error, current, commit));
        }
      };
      const read = tx.objectStore(STORES.snapshots).get([ref.type, ref.id]);
      read.onsuccess = () => {
        const actual = (read.result as Snapshot<unknown> | undefined)?.sequence ?? 0;
        if (actual !== commit.expectedSequence) {
          fail(new ConcurrencyError(ref.type, ref.id, commit.expectedSequence, actual));
          return;
        }
        const used = (key: string) =>
          fail(
            new ConcurrencyError(ref.type, ref.id, commit.expectedSequence, actual, {
              reason: `idempotency key ${JSON.stringify(key)} already used`,
            }),
          );
        const keys = new Set<string>();
        for (const { key } of idempotency) {
          if (keys.has(key)) return used(key);
          keys.add(key);
        }
        let unchecked = keys.size;
        if (unchecked === 0) return write();
        for (const key of keys) {
          const seen = tx.objectStore(STORES.idempotency).count([ref.type, ref.id, key]);
          seen.onsuccess = () => {
            if (failure !== undefined) return;
            if (seen.result > 0) used(key);
            else if (--unchecked === 0) write();
          };
        }
      };
    });
    this.#feed.publish(ref);
    if (this.#listeners.size > 0) {
      const copy = deserializeRecord<Snapshot<TState>>(snapshot.json, this.#where(STORES.snapshots, ref.type, ref.id));
      notify(this.#listenerFunctions(), { ref: { type: ref.type, id: ref.id }, source: 'local', snapshot: copy });
    }
  }

  /**
   * Calls `listener` after every commit through this store (`source: "local"`) and after every
   * commit another tab, window or worker makes through an `IndexedDBEventStore` on the same
   * database (`source: "remote"`, announced over a `BroadcastChannel`; the snapshot is read
   * when the announcement arrives, so it may already be newer). Returns the function that
   * stops it.
   */
  subscribe(listener: StoreChangeListener<TState>): Unsubscribe {
    if (typeof listener !== 'function') throw new TypeError('subscribe: the listener must be a function');
    if (this.#closed) throw new StoreError(`IndexedDBEventStore ${JSON.stringify(this.name)} is closed`);
    const entry = { listener };
    this.#listeners.add(entry);
    this.#feed.receive(true);
    return () => {
      this.#listeners.delete(entry);
      if (this.#listeners.size === 0) this.#feed.receive(false);
    };
  }

  async loadSnapshot(ref: AggregateRef): Promise<Snapshot<TState> | undefined> {
    checkRef(ref);
    const stored = await this.#read(STORES.snapshots, (store) => store.get([ref.type, ref.id]));
    return stored === undefined ? undefined : this.#decode<Snapshot<TState>>(stored, STORES.snapshots, ref.type, ref.id);
  }

  async *readHistory(ref: AggregateRef, options: HistoryOptions = {}): AsyncIterable<EventRecord<TInbound>> {
    checkRef(ref);
    const checked = checkHistoryOptions(options);
    const pageSize = checked.pageSize ?? this.#pageSize;
    let after = checked.afterSequence;
    for (;;) {
      const range = this.#keyRange.bound([ref.type, ref.id, after], [ref.type, ref.id, Number.POSITIVE_INFINITY], true, false);
      const page = (await this.#cursorPage(STORES.events, range, pageSize)) as { sequence: number }[];
      for (const stored of page) {
        yield this.#decode<EventRecord<TInbound>>(stored, STORES.events, ref.type, ref.id, String(stored.sequence));
      }
      if (page.length < pageSize) return;
      after = page[page.length - 1]!.sequence;
    }
  }

  async queryIndex(aggregateType: string, index: string, key: string): Promise<Snapshot<TState>[]> {
    checkIndexQuery(aggregateType, index, key);
    // Arrays sort after strings in IndexedDB, so [..., []] is above every aggregate id.
    const range = this.#keyRange.bound([aggregateType, index, key], [aggregateType, index, key, []]);
    const entries = (await this.#read(STORES.indexEntries, (store) => store.getAll(range))) as (StoredIndexEntry | { snapshot: unknown })[];
    return readSkippingCorrupt(entries, this.#onCorrupt, (entry) => {
      const where = this.#where(STORES.indexEntries, aggregateType, index, key, String((entry as { aggregateId?: unknown }).aggregateId));
      if (!isEncoded(entry)) return legacy<Snapshot<TState>>((entry as { snapshot: unknown }).snapshot, where);
      return deserializeRecord<Snapshot<TState>>(entry.json, where);
    });
  }

  async loadIdempotencyRecord(
    ref: AggregateRef,
    key: string,
  ): Promise<IdempotencyRecord<TState, TInbound, TOutbound> | undefined> {
    checkRef(ref);
    checkKey('idempotency key', key);
    const stored = await this.#read(STORES.idempotency, (store) => store.get([ref.type, ref.id, key]));
    return stored === undefined
      ? undefined
      : this.#decode<IdempotencyRecord<TState, TInbound, TOutbound>>(stored, STORES.idempotency, ref.type, ref.id, key);
  }

  async pendingOutbox(options: { limit?: number } = {}): Promise<OutboxRecord<TOutbound>[]> {
    const limit = checkOutboxLimit(options);
    const records: OutboxRecord<TOutbound>[] = [];
    // Corrupt records are skipped (and reported); read on until `limit` good ones.
    let after: number | undefined;
    while (records.length < limit) {
      const wanted = limit - records.length;
      const range = after === undefined ? null : this.#keyRange.lowerBound(after, true);
      const page = (await this.#cursorPage(STORES.outbox, range, wanted)) as (StoredOutboxRecord | LegacyOutboxRecord)[];
      records.push(
        ...readSkippingCorrupt(page, this.#onCorrupt, (entry) => {
          const where = this.#where(STORES.outbox, String(entry.eventId));
          if (!isEncoded(entry)) return legacy<OutboxRecord<TOutbound>>((entry as LegacyOutboxRecord).record, where);
          return deserializeRecord<OutboxRecord<TOutbound>>(entry.json, where);
        }),
      );
      if (page.length < wanted) break;
      after = page[page.length - 1]!.order;
    }
    return records;
  }

  /** The value of a stored record: decoded by the codec, or as stored by releases before it. */
  #decode<T>(stored: unknown, storeName: string, ...key: string[]): T {
    const where = this.#where(storeName, ...key);
    return isEncoded(stored) ? deserializeRecord<T>(stored.json, where) : legacy<T>(stored, where);
  }

  /** Names a record in errors: `<database>/<object store>/<key parts>`. */
  #where(storeName: string, ...key: string[]): string {
    return [this.name, storeName, ...key].join('/');
  }

  async markPublished(records: readonly OutboxRecord<TOutbound>[]): Promise<void> {
    if (records.length === 0) return;
    const db = await this.#open();
    await new Promise<void>((resolve, reject) => {
      const tx = this.#transaction(db, [STORES.outbox], 'readwrite');
      tx.oncomplete = () => resolve();
      tx.onabort = () => reject(this.#transactionError(tx.error, STORES.outbox));
      const store = tx.objectStore(STORES.outbox);
      const byEventId = store.index(OUTBOX_BY_EVENT_ID);
      for (const record of records) {
        const keys = byEventId.getAllKeys(record.id);
        keys.onsuccess = () => {
          for (const key of keys.result) store.delete(key);
        };
      }
    });
  }

  /** Ids of `aggregateType`, ascending by UTF-16 code unit: one key cursor over the snapshots per page. */
  async listAggregateIds(aggregateType: string, options?: ListAggregateIdsOptions): Promise<AggregateIdPage> {
    const { limit, after } = listingStart(aggregateType, options);
    // Arrays sort after strings in IndexedDB, so [type, []] is above every aggregate id of the type.
    const range =
      after === undefined
        ? this.#keyRange.bound([aggregateType], [aggregateType, []])
        : this.#keyRange.bound([aggregateType, after], [aggregateType, []], true, false);
    const db = await this.#open();
    const ids = await new Promise<string[]>((resolve, reject) => {
      const tx = this.#transaction(db, [STORES.snapshots], 'readonly');
      const found: string[] = [];
      const cursor = tx.objectStore(STORES.snapshots).openKeyCursor(range);
      cursor.onsuccess = () => {
        const at = cursor.result;
        if (at) found.push((at.primaryKey as [string, string])[1]);
        if (!at || found.length > limit) resolve(found);
        else at.continue();
      };
      tx.onabort = () => reject(this.#transactionError(tx.error ?? cursor.error, STORES.snapshots));
    });
    return pageOf(ids, limit);
  }

  /** Closes the connection and ends subscriptions. The store cannot be used afterwards. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    this.#feed.close();
    const db = this.#db;
    this.#db = undefined;
    if (db) await db.then((connection) => connection.close(), () => undefined);
  }

  #remoteChange(ref: AggregateRef): void {
    this.loadSnapshot(ref).then(
      (snapshot) => {
        if (this.#listeners.size > 0) notify(this.#listenerFunctions(), { ref, source: 'remote', snapshot });
      },
      () => undefined, // the database went away (closed, upgraded elsewhere); reads report why
    );
  }

  #listenerFunctions(): StoreChangeListener<TState>[] {
    return [...this.#listeners].map((entry) => entry.listener);
  }

  #open(): Promise<IDBDatabase> {
    if (this.#closed) return Promise.reject(new StoreError(`IndexedDBEventStore ${JSON.stringify(this.name)} is closed`));
    if (!this.#db) {
      const opening = openDatabase(this.#factory, this.name, () => {
        if (this.#db === opening) this.#db = undefined;
      });
      this.#db = opening;
      opening.catch(() => {
        if (this.#db === opening) this.#db = undefined; // a later call tries again
      });
    }
    return this.#db;
  }

  async #read(storeName: string, request: (store: IDBObjectStore) => IDBRequest): Promise<unknown> {
    const db = await this.#open();
    return new Promise((resolve, reject) => {
      const tx = this.#transaction(db, [storeName], 'readonly');
      const req = request(tx.objectStore(storeName));
      req.onsuccess = () => resolve(req.result);
      tx.onabort = () => reject(this.#transactionError(tx.error ?? req.error, storeName));
    });
  }

  /** Up to `count` values from the start of `range`, read with a cursor in one transaction. */
  async #cursorPage(storeName: string, range: IDBKeyRange | null, count: number): Promise<unknown[]> {
    const db = await this.#open();
    return new Promise((resolve, reject) => {
      const tx = this.#transaction(db, [storeName], 'readonly');
      const values: unknown[] = [];
      const cursor = tx.objectStore(storeName).openCursor(range);
      cursor.onsuccess = () => {
        const at = cursor.result;
        if (at) values.push(at.value);
        if (!at || values.length >= count) resolve(values);
        else at.continue();
      };
      tx.onabort = () => reject(this.#transactionError(tx.error ?? cursor.error, storeName));
    });
  }

  /** Starts a transaction; a connection closed meanwhile (another tab upgraded) gives a clear error. */
  #transaction(db: IDBDatabase, stores: string[], mode: IDBTransactionMode): IDBTransaction {
    try {
      return db.transaction(stores, mode);
    } catch (error) {
      throw new StoreError(
        `IndexedDBEventStore ${JSON.stringify(this.name)}: cannot start a transaction (${String(error)}); ` +
          'the connection was closed, e.g. because another tab upgraded the database. Try again.',
        { cause: error },
      );
    }
  }

  #transactionError(error: unknown, storeName: string, commit?: Commit<TState, TInbound, TOutbound>): Error {
    if (error instanceof EventSourcingError) return error;
    const where = `${JSON.stringify(this.name)}/${storeName}`;
    if (isQuotaError(error)) return new StorageQuotaError(where, { cause: error });
    const name = (error as { name?: string } | null)?.name;
    if (name === 'ConstraintError' && commit) {
      return new ConcurrencyError(commit.ref.type, commit.ref.id, commit.expectedSequence, undefined, {
        cause: error,
        reason: 'an event of this commit is already stored',
      });
    }
    if (name === 'DataCloneError') {
      return new StoreError(`IndexedDBEventStore ${where}: a value of this commit cannot be stored (${String(error)})`, { cause: error });
    }
    return new StoreError(`IndexedDBEventStore ${where}: ${name ?? 'error'}: ${String((error as Error | null)?.message ?? error)}`, {
      cause: error,
    });
  }
}

function encoded(value: unknown, subject: string): Encoded {
  return { codec: 1, json: serializeRecord(value, subject) };
}

function isEncoded(value: unknown): value is Encoded {
  return value !== null && typeof value === 'object' && (value as Encoded).codec === 1 && typeof (value as Encoded).json === 'string';
}

/** A record stored by structured clone before the codec: taken as it is, when it is an object. */
function legacy<T>(value: unknown, where: string): T {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new CorruptRecordError(where, 'expected an object');
  return value as T;
}
