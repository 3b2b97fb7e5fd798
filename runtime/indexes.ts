import type { IndexEntryKey, Snapshot } from './types.js';

/** A key an index files a snapshot under. Numbers are stored as their decimal string. */
export type IndexKey = string | number;

/** Maps a snapshot to its key(s) in one index; null, undefined or `[]` for none. */
export type IndexKeyFunction<TState> = (
  snapshot: Snapshot<TState>,
) => IndexKey | readonly IndexKey[] | null | undefined;

/** A named index over an aggregate's snapshots. */
export interface IndexDefinition<TState> {
  readonly name: string;
  readonly keys: IndexKeyFunction<TState>;
}

/**
 * Defines an index: `defineIndex("byEmail", (snapshot) => snapshot.state.email || null)`.
 * A query by key returns copies of the snapshots filed under it, in one read.
 */
export function defineIndex<TState>(name: string, keys: IndexKeyFunction<TState>): IndexDefinition<TState> {
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) {
    throw new TypeError(`defineIndex: invalid index name ${JSON.stringify(name)} (letters, digits, _ and -)`);
  }
  if (typeof keys !== 'function') throw new TypeError(`defineIndex(${name}): the key function is missing`);
  return Object.freeze({ name, keys });
}

/** The distinct string keys a snapshot has in an index. */
export function indexKeysOf<TState>(index: IndexDefinition<TState>, snapshot: Snapshot<TState>): string[] {
  const raw = index.keys(snapshot);
  if (raw === null || raw === undefined) return [];
  const list = Array.isArray(raw) ? raw : [raw as IndexKey];
  const keys = new Set<string>();
  for (const key of list) {
    if (key === null || key === undefined || key === '') continue;
    if (typeof key !== 'string' && typeof key !== 'number') {
      throw new TypeError(`index ${index.name}: a key must be a string or a number, got ${typeof key}`);
    }
    keys.add(String(key));
  }
  return [...keys].sort();
}

/** Index entries to delete: keys the old snapshot had that the new one no longer has. */
export function staleIndexKeys<TState>(
  indexes: readonly IndexDefinition<TState>[],
  before: Snapshot<TState> | undefined,
  after: Snapshot<TState>,
): IndexEntryKey[] {
  if (!before || before.sequence === 0) return [];
  const stale: IndexEntryKey[] = [];
  for (const index of indexes) {
    const kept = new Set(indexKeysOf(index, after));
    for (const key of indexKeysOf(index, before)) if (!kept.has(key)) stale.push({ index: index.name, key });
  }
  return stale;
}
