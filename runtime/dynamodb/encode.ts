/**
 * Values (state, payloads, metadata) are stored as JSON in one string attribute, written by
 * the runtime's codec: what it cannot give back unchanged is refused with
 * {@link UnsupportedValueError} naming the path, before anything is sent.
 */
import { deserializeRecord, serializeRecord } from '../codec.js';

/** The codec's JSON of a stored record; `subject` names it in errors. */
export function encodeValue(value: unknown, subject: () => string): string {
  return serializeRecord(value, subject());
}

/** The inverse of {@link encodeValue}; a {@link CorruptRecordError} naming `key` when the text is not the codec's. */
export function decodeValue<T>(json: string, key: string): T {
  return deserializeRecord<T>(json, key);
}
