import type { AggregateRef, Snapshot } from '../types.js';

/** A change to one aggregate seen by a browser store's subscribers. */
export interface StoreChange<TState = unknown> {
  /** The aggregate that changed. */
  readonly ref: AggregateRef;
  /** `"local"`: committed through this store object; `"remote"`: written by another tab or window. */
  readonly source: 'local' | 'remote';
  /** The aggregate's snapshot after the change; undefined when its data was removed. */
  readonly snapshot: Snapshot<TState> | undefined;
}

/** Receives {@link StoreChange}s. */
export type StoreChangeListener<TState = unknown> = (change: StoreChange<TState>) => void;

/** Stops a subscription; calling it again does nothing. */
export type Unsubscribe = () => void;

/** Calls every listener; one that throws does not stop the others and is reported asynchronously. */
export function notify<TState>(listeners: Iterable<StoreChangeListener<TState>>, change: StoreChange<TState>): void {
  for (const listener of [...listeners]) {
    try {
      listener(change);
    } catch (error) {
      const report = (globalThis as { reportError?: (error: unknown) => void }).reportError;
      if (typeof report === 'function') report(error);
      else setTimeout(() => {
        throw error;
      });
    }
  }
}
