/**
 * event-sourced-rules-engine/browser: EventStores for the browser. No AWS, no Node-only
 * imports (a test bundles this file for the browser and checks it).
 */
export { WebStorageEventStore, type WebStorageEventStoreOptions, type StorageEventSource } from './web-storage-event-store.js';
export { LocalStorageEventStore, type LocalStorageEventStoreOptions } from './local-storage-event-store.js';
export { IndexedDBEventStore, type IndexedDBEventStoreOptions } from './indexeddb-event-store.js';
export { INDEXEDDB_SCHEMA_VERSION } from './indexeddb-schema.js';
export { MemoryStorage, type MemoryStorageOptions, type StorageLike } from './storage-like.js';
export { type StoreChange, type StoreChangeListener, type Unsubscribe } from './changes.js';
export { StorageQuotaError, CorruptStorageError, IndexedDBBlockedError, IndexedDBVersionError } from './errors.js';
export { CorruptRecordError, InvalidKeyError, InvalidOptionError, UnsupportedValueError } from '../errors.js';
