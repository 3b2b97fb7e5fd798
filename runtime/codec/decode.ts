import { define } from './encode.js';
import { TAGS } from './tags.js';

/**
 * The value a plain JSON tree made by {@link encode} stands for: tags become `Date`s, `-0` and
 * literal objects again. Always a fresh copy. Also reads what releases before 0.2 wrote (dates
 * as `{"$date": …}`) and, for IndexedDB, values stored as structured clones (real `Date`s).
 */
export function decode(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = decode(value[i]);
    return out;
  }
  if (value instanceof Date) return new Date(value.getTime());
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const key = keys[0]!;
    const inner = (value as Record<string, unknown>)[key];
    if (key === TAGS.date && typeof inner === 'string') {
      const date = new Date(inner);
      if (!Number.isNaN(date.getTime())) return date;
    } else if (key === TAGS.number && inner === '-0') {
      return -0;
    } else if (key === TAGS.object && inner !== null && typeof inner === 'object' && !Array.isArray(inner)) {
      return decodeEntries(inner as Record<string, unknown>, Object.keys(inner));
    }
  }
  return decodeEntries(value as Record<string, unknown>, keys);
}

function decodeEntries(object: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) define(out, key, decode(object[key]));
  return out;
}
