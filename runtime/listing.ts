/**
 * Helpers shared by the stores' {@link EventStore.listAggregateIds}: option checks and the
 * cursor format. A cursor names the last id of the page it ends; the next page starts after it.
 */
import { InvalidOptionError } from './errors.js';
import { checkKey } from './keys.js';
import { optionObject, positiveInteger } from './options.js';
import type { EventStore, ListAggregateIdsOptions } from './types.js';

/** Ids per page when the caller gives no `limit`. */
export const DEFAULT_LIST_LIMIT = 100;
/** The largest `limit` a store honours; larger ones are lowered to it. */
export const MAX_LIST_LIMIT = 1000;

const CURSOR_PREFIX = 'after:';

/**
 * The page size and the id to start after, checked: an ill-formed type is an
 * `InvalidKeyError`, a bad limit or cursor an {@link InvalidOptionError}.
 */
export function listingStart(aggregateType: string, options: ListAggregateIdsOptions = {}): { limit: number; after: string | undefined } {
  checkKey('aggregate type', aggregateType, true);
  optionObject('listAggregateIds options', options);
  const limit = positiveInteger('listAggregateIds.limit', options.limit) ?? DEFAULT_LIST_LIMIT;
  return { limit: Math.min(limit, MAX_LIST_LIMIT), after: options.cursor === undefined ? undefined : cursorId(options.cursor) };
}

/** The cursor of a page that ended at `lastId`. */
export function cursorAfter(lastId: string): string {
  return CURSOR_PREFIX + lastId;
}

function cursorId(cursor: string): string {
  if (typeof cursor !== 'string' || !cursor.startsWith(CURSOR_PREFIX)) {
    throw new InvalidOptionError('listAggregateIds.cursor', cursor, 'a cursor returned by listAggregateIds');
  }
  return cursor.slice(CURSOR_PREFIX.length);
}

/**
 * Makes a page from up to `limit + 1` ids read in order: the extra id only says that there is
 * more, so the last page has no cursor.
 */
export function pageOf(ids: readonly string[], limit: number): { ids: string[]; cursor?: string } {
  if (ids.length <= limit) return { ids: [...ids] };
  const page = ids.slice(0, limit);
  return { ids: page, cursor: cursorAfter(page[page.length - 1]!) };
}

/** Compares strings by Unicode code point, the order of UTF-8 bytes (SQLite's and DynamoDB's key order). */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (U+D800–U+DFFF) stand for code points above U+FFFF: they sort after U+E000–U+FFFF.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** Every id of a type, page after page (a helper for callers of {@link EventStore.listAggregateIds}). */
export async function* allAggregateIds(store: Pick<EventStore, 'listAggregateIds'>, aggregateType: string, pageSize?: number): AsyncIterable<string> {
  let cursor: string | undefined;
  do {
    const page = await store.listAggregateIds(aggregateType, { ...(pageSize === undefined ? {} : { limit: pageSize }), ...(cursor === undefined ? {} : { cursor }) });
    yield* page.ids;
    cursor = page.cursor;
  } while (cursor !== undefined);
}
