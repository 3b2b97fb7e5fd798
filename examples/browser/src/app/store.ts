/**
 * Which store the board keeps its events in: IndexedDB by default, `localStorage` with
 * `?store=local`. `?db=<name>` names the database (or the localStorage namespace), so several
 * boards can live on one origin.
 */
import { IndexedDBEventStore, LocalStorageEventStore } from 'event-sourced-rules-engine/browser';
import type { TaskInbound, TaskOutbound, TaskState } from '../generated/task/types.js';

/** The two stores the board can use (both notify subscribers of other tabs' commits). */
export type BoardStore =
  | IndexedDBEventStore<TaskState, TaskInbound, TaskOutbound>
  | LocalStorageEventStore<TaskState, TaskInbound, TaskOutbound>;

/** The store kinds, as the `store` query parameter names them. */
export type StoreKind = 'indexeddb' | 'local';

/** The store settings read from the page's URL. */
export interface StoreChoice {
  readonly kind: StoreKind;
  readonly name: string;
}

/** Reads `?store=` and `?db=` (default: IndexedDB, database `task-board`). */
export function storeChoice(url: URL): StoreChoice {
  const kind: StoreKind = url.searchParams.get('store') === 'local' ? 'local' : 'indexeddb';
  const name = url.searchParams.get('db') || 'task-board';
  return { kind, name };
}

/** Opens the chosen store with its default settings. */
export function openStore(choice: StoreChoice): BoardStore {
  return choice.kind === 'local'
    ? new LocalStorageEventStore<TaskState, TaskInbound, TaskOutbound>({ namespace: choice.name })
    : new IndexedDBEventStore<TaskState, TaskInbound, TaskOutbound>({ name: choice.name });
}
