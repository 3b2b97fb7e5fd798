/**
 * The codec: how every store turns values (payloads, metadata, state, and the records holding
 * them) into JSON and back. One table of value kinds holds for every store, the memory store
 * included (see `docs/codec.md`):
 *
 * - read back exactly: JSON values, valid `Date`s, `-0`, own `__proto__`/`constructor` keys,
 *   objects that look like the codec's own tags;
 * - refused with {@link UnsupportedValueError} naming the path, before anything is written:
 *   `Map`, `Set`, `bigint`, typed arrays and `ArrayBuffer`, functions, symbols, class instances
 *   other than `Date`, invalid `Date`s, `NaN` and `±Infinity`, `undefined` in arrays (and
 *   holes), circular values, and nesting deeper than {@link MAX_NESTING} levels.
 *
 * An object property whose value is `undefined` is the same as an absent one: it is not stored.
 */
import { CorruptRecordError, UnsupportedValueError } from './errors.js';
import { decode } from './codec/decode.js';
import { encode } from './codec/encode.js';

export { MAX_NESTING, TAGS } from './codec/tags.js';

/**
 * A plain JSON tree of `value` (dates as `{"$date": "<ISO>"}`, see {@link TAGS}); throws
 * {@link UnsupportedValueError} naming the path for what cannot be stored.
 */
export function toPlain(value: unknown): unknown {
  return encode(value);
}

/** The inverse of {@link toPlain}: a fresh value equal to the one encoded. */
export function fromPlain<T = unknown>(value: unknown): T {
  return decode(value) as T;
}

/** `JSON.stringify(toPlain(value))`: the text every JSON-based store keeps. */
export function serialize(value: unknown): string {
  return JSON.stringify(encode(value));
}

/** `fromPlain(JSON.parse(text))`. */
export function deserialize<T = unknown>(text: string): T {
  return decode(JSON.parse(text)) as T;
}

/**
 * For stores: the plain tree of a stored record (event, snapshot, outbox or idempotency
 * record). Nesting is counted from its `payload`, `metadata` and `state`; errors name `subject`.
 */
export function encodeRecord(record: unknown, subject: string): unknown {
  return encode(record, { record: true, subject });
}

/** For stores: `JSON.stringify` of {@link encodeRecord}. */
export function serializeRecord(record: unknown, subject: string): string {
  return JSON.stringify(encode(record, { record: true, subject }));
}

/**
 * For stores: the record stored as `text` under `key`; a {@link CorruptRecordError} naming
 * the key when it is not JSON, or when `check` rejects what it holds.
 */
export function deserializeRecord<T>(text: unknown, key: string, check?: (value: unknown) => string | undefined): T {
  if (typeof text !== 'string') throw new CorruptRecordError(key, `expected JSON text, found ${typeof text}`);
  let plain: unknown;
  try {
    plain = JSON.parse(text);
  } catch (error) {
    throw new CorruptRecordError(key, `not valid JSON (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  return decodeRecord<T>(plain, key, check);
}

/** For stores: {@link fromPlain} of a stored plain tree, checked like {@link deserializeRecord}. */
export function decodeRecord<T>(plain: unknown, key: string, check: (value: unknown) => string | undefined = isRecordLike): T {
  const problem = check(plain);
  if (problem) throw new CorruptRecordError(key, problem);
  return decode(plain) as T;
}

function isRecordLike(value: unknown): string | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? undefined : 'expected an object';
}

export { UnsupportedValueError };
