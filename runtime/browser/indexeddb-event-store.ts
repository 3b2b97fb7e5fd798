import { ConcurrencyError, EventSourcingError, StoreError } from '../errors.js';
import type {
  AggregateRef,
  Commit,
  EventRecord,
  EventStore,
  HistoryOptions,
  IdempotencyRecord,
  IndexEntry,
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
}

interface StoredIndexEntry {
  aggregateType: string;
  index: string;
  key: string;
  aggregateId: string;
  snapshot: Snapshot<unknown>;
}

interface StoredOutboxRecord {
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
    this.#feed = new BroadcastFeed(`esre-indexeddb:${options.name}`, (ref) => this.#remoteChange(ref));
  }

  /** Deletes a whole database (e.g. on sign-out). Open stores on it close themselves first. */
  static deleteDatabase(name: string, factory?: IDBFactory): Promise<void> {
    const indexedDB = factory ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
    if (!indexedDB) return Promise.reject(new StoreError('IndexedDBEventStore: there is no IndexedDB in this environment'));
    return deleteDatabase(indexedDB, name);
  }

  async commit(commit: Commit<TState, TInbound, TOutbound>): Promise<void> {
    const db = await this.#open();
    const { ref } = commit;
    const outbox = [...commit.outbox].sort((a, b) => a.position - b.position);
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
          const events = tx.objectStore((current = STORES.events));
          for (const event of commit.events) events.add(event);
          tx.objectStore((current = STORES.snapshots)).put(commit.snapshot);
          const entries = tx.objectStore((current = STORES.indexEntries));
          for (const entry of commit.indexDeletes) entries.delete([ref.type, entry.index, entry.key, ref.id]);
          for (const entry of commit.indexPuts) entries.put(storedEntry(ref, entry));
          const pending = tx.objectStore((current = STORES.outbox));
          for (const record of outbox) pending.add({ eventId: record.id, record } satisfies StoredOutboxRecord);
          if (commit.idempotency) tx.objectStore((current = STORES.idempotency)).add(commit.idempotency);
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
        if (!commit.idempotency) {
          write();
          return;
        }
        const key = commit.idempotency.key;
        const seen = tx.objectStore(STORES.idempotency).count([ref.type, ref.id, key]);
        seen.onsuccess = () => {
          if (seen.result > 0) {
            fail(
              new ConcurrencyError(ref.type, ref.id, commit.expectedSequence, actual, {
                reason: `idempotency key ${JSON.stringify(key)} already used`,
              }),
            );
          } else write();
        };
      };
    });
    this.#feed.publish(ref);
    if (this.#listeners.size > 0) {
      notify(this.#listenerFunctions(), { ref: { type: ref.type, id: ref.id }, source: 'local', snapshot: structuredClone(commit.snapshot) });
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
    return this.#read(STORES.snapshots, (store) => store.get([ref.type, ref.id])) as Promise<Snapshot<TState> | undefined>;
  }

  async *readHistory(ref: AggregateRef, options: HistoryOptions = {}): AsyncIterable<EventRecord<TInbound>> {
    const pageSize = Math.max(1, Math.floor(options.pageSize ?? this.#pageSize));
    let after = options.afterSequence ?? 0;
    for (;;) {
      const range = this.#keyRange.bound([ref.type, ref.id, after], [ref.type, ref.id, Number.POSITIVE_INFINITY], true, false);
      const page = (await this.#cursorPage(STORES.events, range, pageSize)) as EventRecord<TInbound>[];
      for (const event of page) yield event;
      if (page.length < pageSize) return;
      after = page[page.length - 1]!.sequence;
    }
  }

  async queryIndex(aggregateType: string, index: string, key: string): Promise<Snapshot<TState>[]> {
    // Arrays sort after strings in IndexedDB, so [..., []] is above every aggregate id.
    const range = this.#keyRange.bound([aggregateType, index, key], [aggregateType, index, key, []]);
    const entries = (await this.#read(STORES.indexEntries, (store) => store.getAll(range))) as StoredIndexEntry[];
    return entries.map((entry) => entry.snapshot as Snapshot<TState>);
  }

  async loadIdempotencyRecord(
    ref: AggregateRef,
    key: string,
  ): Promise<IdempotencyRecord<TState, TInbound, TOutbound> | undefined> {
    return this.#read(STORES.idempotency, (store) => store.get([ref.type, ref.id, key])) as Promise<
      IdempotencyRecord<TState, TInbound, TOutbound> | undefined
    >;
  }

  async pendingOutbox(options: { limit?: number } = {}): Promise<OutboxRecord<TOutbound>[]> {
    const limit = options.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 0) throw new TypeError('pendingOutbox: `limit` must be a non-negative integer');
    if (limit === 0) return [];
    const stored = (await this.#cursorPage(STORES.outbox, null, limit)) as StoredOutboxRecord[];
    return stored.map((entry) => entry.record as OutboxRecord<TOutbound>);
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

function storedEntry(ref: AggregateRef, entry: IndexEntry<unknown>): StoredIndexEntry {
  return { aggregateType: ref.type, index: entry.index, key: entry.key, aggregateId: ref.id, snapshot: entry.snapshot };
}
