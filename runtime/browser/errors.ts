import { CorruptRecordError, StoreError, StoreLimitError } from '../errors.js';

/**
 * The browser refused a write because the origin's storage quota is used up. The commit was
 * rolled back: everything stored before it is intact.
 */
export class StorageQuotaError extends StoreLimitError {
  constructor(
    /** The storage key (Web Storage) or object store (IndexedDB) whose write failed. */
    readonly key: string,
    options?: { cause?: unknown },
  ) {
    super(
      `Browser storage quota exceeded while writing ${JSON.stringify(key)}; nothing of this commit was kept. ` +
        'Free space (e.g. mark outbox records published, remove old aggregates) or use IndexedDBEventStore for more data.',
      options,
    );
  }
}

/**
 * A stored Web Storage value is not what this library wrote (not JSON, or not the expected
 * shape). `key` names the storage key.
 */
export class CorruptStorageError extends CorruptRecordError {}

/**
 * Opening or deleting an IndexedDB database is blocked by a connection another tab keeps open
 * at an older version. Closing (or reloading) the other tabs lets it proceed.
 */
export class IndexedDBBlockedError extends StoreError {
  constructor(readonly databaseName: string) {
    super(
      `IndexedDB database ${JSON.stringify(databaseName)} is blocked by a connection open in another tab or window; ` +
        'close or reload the other tabs using it and try again.',
    );
  }
}

/**
 * The IndexedDB database has a version this library cannot use: newer than it knows (written
 * by a newer release, perhaps in another tab), or without the object stores it expects.
 */
export class IndexedDBVersionError extends StoreError {
  constructor(
    readonly databaseName: string,
    readonly supportedVersion: number,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`IndexedDB database ${JSON.stringify(databaseName)} cannot be used (this library writes version ${supportedVersion}): ${detail}`, options);
  }
}

/** Whether `error` is a browser's storage-quota failure (the name differs between engines). */
export function isQuotaError(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false;
  const { name, code } = error as { name?: unknown; code?: unknown };
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED' || code === 22 || code === 1014;
}
