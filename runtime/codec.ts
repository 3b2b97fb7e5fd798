/**
 * Converts values to and from plain JSON trees, keeping `Date`s: a date becomes
 * `{ "$date": "<ISO string>" }`. Stores that write JSON use it, so a payload or state holding
 * dates reads back with dates. A plain object with a single `$date` string key is taken as a
 * date on the way back, so avoid that exact shape in payloads.
 */

const DATE_TAG = '$date';

/** A JSON-safe copy of `value` with dates tagged. `undefined` object fields are dropped. */
export function toPlain(value: unknown): unknown {
  if (value instanceof Date) return { [DATE_TAG]: value.toISOString() };
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : toPlain(item)));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = toPlain(item);
    return out;
  }
  if (typeof value === 'bigint') throw new TypeError('bigint values cannot be stored');
  if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError(`${value} cannot be stored`);
  return value;
}

/** The inverse of {@link toPlain}. */
export function fromPlain<T = unknown>(value: unknown): T {
  return revive(value) as T;
}

function revive(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revive);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 1 && entries[0]![0] === DATE_TAG && typeof entries[0]![1] === 'string') {
      return new Date(entries[0]![1]);
    }
    const out: Record<string, unknown> = {};
    for (const [key, item] of entries) out[key] = revive(item);
    return out;
  }
  return value;
}

/** `JSON.stringify(toPlain(value))`. */
export function serialize(value: unknown): string {
  return JSON.stringify(toPlain(value));
}

/** `fromPlain(JSON.parse(text))`. */
export function deserialize<T = unknown>(text: string): T {
  return fromPlain<T>(JSON.parse(text));
}
