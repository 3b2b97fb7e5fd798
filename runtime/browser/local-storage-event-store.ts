import type { CorruptRecordListener } from '../corrupt.js';
import { StoreError } from '../errors.js';
import type { StorageLike } from './storage-like.js';
import { WebStorageEventStore } from './web-storage-event-store.js';

/** Options of {@link LocalStorageEventStore}. */
export interface LocalStorageEventStoreOptions {
  /** Prefix of every key this store writes (default `"esre"`); use one per app on an origin. */
  readonly namespace?: string;
  /** Called with each corrupt key skipped in a list across aggregates (see {@link WebStorageEventStore}). */
  readonly onCorruptRecord?: CorruptRecordListener;
}

/**
 * A {@link WebStorageEventStore} on the page's `localStorage`, with notifications of other
 * tabs' commits through `storage` events. Throws {@link StoreError} where `localStorage` is
 * unavailable (Node, workers, some sandboxed frames, storage disabled by the user).
 */
export class LocalStorageEventStore<TState = unknown, TInbound = unknown, TOutbound = unknown> extends WebStorageEventStore<
  TState,
  TInbound,
  TOutbound
> {
  constructor(options: LocalStorageEventStoreOptions = {}) {
    super({
      ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
      ...(options.onCorruptRecord === undefined ? {} : { onCorruptRecord: options.onCorruptRecord }),
      storage: localStorageOrThrow(),
    });
  }
}

function localStorageOrThrow(): StorageLike {
  let storage: StorageLike | undefined;
  try {
    storage = (globalThis as { localStorage?: StorageLike }).localStorage;
  } catch (error) {
    throw new StoreError(`LocalStorageEventStore: localStorage is not accessible here: ${String(error)}`, { cause: error });
  }
  if (!storage) throw new StoreError('LocalStorageEventStore: there is no localStorage in this environment');
  return storage;
}
