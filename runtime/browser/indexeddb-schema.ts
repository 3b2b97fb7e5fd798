import { StoreError } from '../errors.js';
import { IndexedDBBlockedError, IndexedDBVersionError } from './errors.js';

/** The IndexedDB version this library creates and opens. */
export const INDEXEDDB_SCHEMA_VERSION = 1;

/** Object store names. Keys are arrays, so every lookup is a key or key-range read. */
export const STORES = {
  /** Snapshots keyed by `[aggregateType, aggregateId]`. */
  snapshots: 'snapshots',
  /** Inbound events keyed by `[aggregateType, aggregateId, sequence]`. */
  events: 'events',
  /** Index copies keyed by `[aggregateType, index, key, aggregateId]`. */
  indexEntries: 'indexEntries',
  /** Pending outbox records under an auto-incremented `order`, so key order is commit order. */
  outbox: 'outbox',
  /** Idempotency records keyed by `[aggregateType, aggregateId, key]`. */
  idempotency: 'idempotency',
} as const;

/** Index of the outbox store by event id, for marking records published. */
export const OUTBOX_BY_EVENT_ID = 'byEventId';

const ALL = Object.values(STORES);

function upgrade(db: IDBDatabase, oldVersion: number): void {
  if (oldVersion < 1) {
    db.createObjectStore(STORES.snapshots, { keyPath: ['aggregateType', 'aggregateId'] });
    db.createObjectStore(STORES.events, { keyPath: ['aggregateType', 'aggregateId', 'sequence'] });
    db.createObjectStore(STORES.indexEntries, { keyPath: ['aggregateType', 'index', 'key', 'aggregateId'] });
    const outbox = db.createObjectStore(STORES.outbox, { keyPath: 'order', autoIncrement: true });
    outbox.createIndex(OUTBOX_BY_EVENT_ID, 'eventId');
    db.createObjectStore(STORES.idempotency, { keyPath: ['aggregateType', 'aggregateId', 'key'] });
  }
}

/**
 * Opens (creating or upgrading) the database. Fails with {@link IndexedDBBlockedError} when
 * another tab's connection blocks the upgrade, and with {@link IndexedDBVersionError} when the
 * database is newer than this library or lacks its object stores. The connection closes
 * itself when another tab asks for a newer version, so this library never blocks an upgrade;
 * `onClosed` is then called.
 */
export function openDatabase(factory: IDBFactory, name: string, onClosed: () => void): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    let request: IDBOpenDBRequest;
    try {
      request = factory.open(name, INDEXEDDB_SCHEMA_VERSION);
    } catch (error) {
      reject(new StoreError(`IndexedDB database ${JSON.stringify(name)} cannot be opened: ${String(error)}`, { cause: error }));
      return;
    }
    let gaveUp = false;
    request.onupgradeneeded = (event) => upgrade(request.result, event.oldVersion);
    request.onblocked = () => {
      gaveUp = true;
      reject(new IndexedDBBlockedError(name));
    };
    request.onerror = (event) => {
      event.preventDefault();
      const error = request.error;
      if (gaveUp) return;
      if (error?.name === 'VersionError') {
        reject(
          new IndexedDBVersionError(name, INDEXEDDB_SCHEMA_VERSION, 'it has a newer version, written by a newer release of this library', {
            cause: error,
          }),
        );
      } else {
        reject(new StoreError(`IndexedDB database ${JSON.stringify(name)} cannot be opened: ${error?.name}: ${error?.message}`, { cause: error }));
      }
    };
    request.onsuccess = () => {
      const db = request.result;
      if (gaveUp) {
        db.close(); // the caller already has the blocked error; a later call opens again
        return;
      }
      const missing = ALL.filter((store) => !db.objectStoreNames.contains(store));
      if (missing.length > 0) {
        db.close();
        reject(new IndexedDBVersionError(name, INDEXEDDB_SCHEMA_VERSION, `it lacks the object stores ${missing.join(', ')}; is it another app's database?`));
        return;
      }
      db.onversionchange = () => {
        db.close();
        onClosed();
      };
      resolve(db);
    };
  });
}

/**
 * Deletes a database. Rejects with {@link IndexedDBBlockedError} while another tab keeps a
 * connection open (the deletion then finishes once that tab closes it).
 */
export function deleteDatabase(factory: IDBFactory, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = factory.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onblocked = () => reject(new IndexedDBBlockedError(name));
    request.onerror = () =>
      reject(new StoreError(`IndexedDB database ${JSON.stringify(name)} cannot be deleted: ${String(request.error)}`, { cause: request.error }));
  });
}
