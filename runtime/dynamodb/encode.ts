/**
 * Values (state, payloads, metadata) are stored as JSON in one string attribute. Before
 * anything is sent, a value is checked: what JSON could not give back unchanged is refused
 * with the path to it, instead of being silently dropped or changed.
 */
import { deserialize, serialize } from '../codec.js';
import { UnstorableValueError } from './errors.js';

/** Why a value cannot be stored, and where in it. */
export interface UnstorableValue {
  /** Dotted path into the value (`""` for the value itself). */
  readonly path: string;
  readonly reason: string;
}

function unstorable(path: string, reason: string): UnstorableValue {
  return { path, reason };
}

/** Built-in objects whose contents JSON would lose. */
const REFUSED: readonly [new (...args: never[]) => unknown, string][] = [
  [Map, 'a Map'],
  [Set, 'a Set'],
  [WeakMap, 'a WeakMap'],
  [WeakSet, 'a WeakSet'],
  [RegExp, 'a RegExp'],
  [Promise, 'a Promise'],
  [Error, 'an Error'],
  [ArrayBuffer, 'an ArrayBuffer'],
];

/**
 * The first part of `value` that cannot be stored as JSON and read back equal, or undefined
 * when all of it can. Allowed: null, booleans, strings, finite numbers, valid Dates, arrays,
 * and objects (class instances are stored as their own enumerable fields, like
 * `convertClassInstanceToMap`). `undefined` object fields are dropped.
 */
export function findUnstorable(value: unknown, path = '', seen: Set<object> = new Set()): UnstorableValue | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : unstorable(path, `${value} is not a finite number`);
    case 'bigint':
      return unstorable(path, 'bigint values cannot be stored');
    case 'function':
      return unstorable(path, 'functions cannot be stored');
    case 'symbol':
      return unstorable(path, 'symbols cannot be stored');
  }
  if (value === null) return undefined;
  const object = value as object;
  if (object instanceof Date) {
    return Number.isNaN(object.getTime()) ? unstorable(path, 'an invalid Date cannot be stored') : undefined;
  }
  for (const [type, name] of REFUSED) {
    if (object instanceof type) return unstorable(path, `${name} cannot be stored (use plain objects and arrays)`);
  }
  if (ArrayBuffer.isView(object)) return unstorable(path, 'binary data (typed arrays) cannot be stored');
  if (seen.has(object)) return unstorable(path, 'circular reference');
  seen.add(object);
  try {
    if (Array.isArray(object)) {
      for (let i = 0; i < object.length; i++) {
        const found = findUnstorable(object[i], `${path}[${i}]`, seen);
        if (found) return found;
      }
      return undefined;
    }
    if (Object.getOwnPropertySymbols(object).some((symbol) => Object.prototype.propertyIsEnumerable.call(object, symbol))) {
      return unstorable(path, 'symbol-keyed fields cannot be stored');
    }
    for (const [key, item] of Object.entries(object)) {
      const found = findUnstorable(item, path ? `${path}.${key}` : key, seen);
      if (found) return found;
    }
    return undefined;
  } finally {
    seen.delete(object);
  }
}

/**
 * JSON of `value` with dates tagged; throws {@link UnstorableValueError} naming `subject` for
 * what cannot be stored.
 */
export function encodeValue(value: unknown, subject: () => string): string {
  const problem = findUnstorable(value);
  if (problem) throw new UnstorableValueError(subject(), problem.path, problem.reason);
  return serialize(value);
}

/** The inverse of {@link encodeValue}. */
export function decodeValue<T>(json: string): T {
  return deserialize<T>(json);
}
