import type { Commit, IdempotencyRecord } from './types.js';

/** The idempotency records of a commit as a list (none, one, or one per grouped append). */
export function idempotencyRecordsOf<TState, TInbound, TOutbound>(
  commit: Pick<Commit<TState, TInbound, TOutbound>, 'idempotency'>,
): readonly IdempotencyRecord<TState, TInbound, TOutbound>[] {
  const value = commit.idempotency;
  if (value === undefined) return [];
  return isList(value) ? value : [value];
}

function isList<T>(value: T | readonly T[]): value is readonly T[] {
  return Array.isArray(value);
}
