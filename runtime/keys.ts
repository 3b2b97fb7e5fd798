/**
 * Checks of the strings stores use as keys (contract 2 of the codec): aggregate ids and types,
 * event types and ids, index names and keys, idempotency keys. A lone UTF-16 surrogate is
 * refused: stores that keep UTF-8 (SQLite, DynamoDB) would turn it into U+FFFD and merge two
 * different keys into one.
 */
import { InvalidKeyError } from './errors.js';
import { idempotencyRecordsOf } from './commit.js';
import type { AggregateRef, Commit } from './types.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether `text` is well-formed UTF-16 (no lone surrogates). */
export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/** Throws {@link InvalidKeyError} unless `value` is a well-formed string (non-empty when `nonEmpty`). */
export function checkKey(kind: string, value: unknown, nonEmpty = false): asserts value is string {
  if (typeof value !== 'string') throw new InvalidKeyError(kind, value, 'must be a string');
  if (nonEmpty && value.length === 0) throw new InvalidKeyError(kind, value, 'must not be empty');
  if (!isWellFormed(value)) {
    throw new InvalidKeyError(kind, value, 'is ill-formed UTF-16 (a lone surrogate), which stores cannot keep apart from other keys');
  }
}

/** Checks an aggregate reference before a store reads or writes it. */
export function checkRef(ref: AggregateRef): void {
  if (ref === null || typeof ref !== 'object') throw new InvalidKeyError('aggregate reference', ref, 'must be { type, id }');
  checkKey('aggregate type', ref.type, true);
  checkKey('aggregate id', ref.id, true);
}

/** Checks every key of a commit, before a store writes anything. */
export function checkCommitKeys(commit: Commit<unknown, unknown, unknown>): void {
  checkRef(commit.ref);
  for (const event of commit.events) {
    checkKey('event type', event.type, true);
    checkKey('event id', event.id, true);
  }
  for (const entry of commit.indexPuts) {
    checkKey('index name', entry.index, true);
    checkKey('index key', entry.key);
  }
  for (const entry of commit.indexDeletes) {
    checkKey('index name', entry.index, true);
    checkKey('index key', entry.key);
  }
  for (const record of commit.outbox) {
    checkKey('event type', record.type, true);
    checkKey('event id', record.id, true);
  }
  for (const record of idempotencyRecordsOf(commit)) checkKey('idempotency key', record.key);
}

/** Checks the arguments of an index query. */
export function checkIndexQuery(aggregateType: string, index: string, key: string): void {
  checkKey('aggregate type', aggregateType, true);
  checkKey('index name', index, true);
  checkKey('index key', key);
}
