import { UnsupportedValueError } from '../errors.js';
import { MAX_NESTING, TAGS, isTagName } from './tags.js';

/** The fields of stored records that hold user values; nesting is counted from them. */
const VALUE_FIELDS: ReadonlySet<string> = new Set(['payload', 'metadata', 'state']);

interface Walk {
  /** Objects and arrays being encoded, to find circular references. */
  readonly ancestors: Set<object>;
  readonly subject: string | undefined;
}

/**
 * A plain JSON tree of `value` that {@link decode} turns back into an equal value, or an
 * {@link UnsupportedValueError} naming the path of the first part that cannot be stored.
 *
 * `record: true` treats `value` as a stored record (event, snapshot, ...): nesting is counted
 * from its `payload`, `metadata` and `state` fields, so the limit is the same for a payload
 * whether it sits in an event or in an idempotency record.
 */
export function encode(value: unknown, options: { record?: boolean; subject?: string; path?: string } = {}): unknown {
  const walk: Walk = { ancestors: new Set(), subject: options.subject };
  return encodeAt(value, options.path ?? '', options.record ? 0 : 1, walk);
}

/** `depth`: 0 while inside a record's own structure, else the nesting level of `value`'s container. */
function encodeAt(value: unknown, path: string, depth: number, walk: Walk): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (Number.isFinite(value)) return Object.is(value, -0) ? { [TAGS.number]: '-0' } : value;
      throw refuse(walk, path, `${value} is not a finite number`);
    case 'undefined':
      throw refuse(walk, path, 'undefined cannot be stored here (only as an object property, where it means "absent")');
    case 'bigint':
      throw refuse(walk, path, 'a bigint cannot be stored (use a string or a number)');
    case 'function':
      throw refuse(walk, path, 'a function cannot be stored');
    case 'symbol':
      throw refuse(walk, path, 'a symbol cannot be stored');
  }
  if (value === null) return null;
  const object = value as object;
  if (isDate(object)) {
    const time = Date.prototype.getTime.call(object);
    if (Number.isNaN(time)) throw refuse(walk, path, 'an invalid Date cannot be stored');
    return { [TAGS.date]: new Date(time).toISOString() };
  }
  const kind = unsupportedKind(object);
  if (kind) throw refuse(walk, path, `${kind} cannot be stored (use plain objects, arrays, strings, numbers, booleans, null and Dates)`);
  if (depth > MAX_NESTING) throw refuse(walk, path, `values may nest objects and arrays at most ${MAX_NESTING} levels deep`);
  if (walk.ancestors.has(object)) throw refuse(walk, path, 'a circular reference cannot be stored');
  walk.ancestors.add(object);
  try {
    const inner = depth === 0 ? 0 : depth + 1;
    if (Array.isArray(object)) return encodeArray(object, path, inner, walk);
    return encodeObject(object, path, depth, walk);
  } finally {
    walk.ancestors.delete(object);
  }
}

function encodeArray(array: readonly unknown[], path: string, depth: number, walk: Walk): unknown[] {
  const out: unknown[] = new Array(array.length);
  for (let i = 0; i < array.length; i++) {
    const at = `${path}[${i}]`;
    if (!(i in array)) throw refuse(walk, at, 'an array may not have holes (they read back as null)');
    const item = array[i];
    if (item === undefined) throw refuse(walk, at, 'undefined in an array cannot be stored (it would read back as null)');
    out[i] = encodeAt(item, at, depth, walk);
  }
  return out;
}

function encodeObject(object: object, path: string, depth: number, walk: Walk): unknown {
  const symbols = Object.getOwnPropertySymbols(object);
  if (symbols.some((symbol) => Object.prototype.propertyIsEnumerable.call(object, symbol))) {
    throw refuse(walk, path, 'symbol-keyed properties cannot be stored');
  }
  const out: Record<string, unknown> = {};
  let count = 0;
  let only = '';
  for (const key of Object.keys(object)) {
    const item = (object as Record<string, unknown>)[key];
    if (item === undefined) continue; // the same as an absent property
    const at = path === '' ? propertyPath(key, true) : path + propertyPath(key, false);
    // Inside a record's own structure, its value fields start counting at level 1.
    const inner = depth === 0 ? (VALUE_FIELDS.has(key) ? 1 : 0) : depth + 1;
    define(out, key, encodeAt(item, at, inner, walk));
    count++;
    only = key;
  }
  // An object of the user's that looks like a tag is wrapped, so it cannot be misread.
  return count === 1 && isTagName(only) ? { [TAGS.object]: out } : out;
}

/** Sets an own data property, also for `__proto__` (plain assignment would set the prototype). */
export function define(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function propertyPath(key: string, first: boolean): string {
  if (IDENTIFIER.test(key)) return first ? key : `.${key}`;
  return `[${JSON.stringify(key)}]`;
}

function isDate(object: object): boolean {
  return Object.prototype.toString.call(object) === '[object Date]' && isPlainPrototype(Object.getPrototypeOf(object), 'Date');
}

/** Undefined for arrays and plain objects; otherwise what the object is, for the message. */
function unsupportedKind(object: object): string | undefined {
  if (Array.isArray(object)) return undefined;
  const prototype = Object.getPrototypeOf(object) as object | null;
  if (prototype === null || isPlainPrototype(prototype, 'Object')) return undefined;
  if (object instanceof Map) return 'a Map';
  if (object instanceof Set) return 'a Set';
  if (ArrayBuffer.isView(object)) return `binary data (${object.constructor?.name ?? 'a typed array'})`;
  if (object instanceof ArrayBuffer) return 'binary data (ArrayBuffer)';
  if (Object.prototype.toString.call(object) === '[object Date]') return 'a subclass of Date';
  const name = (prototype as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' ? `an instance of ${name}` : 'an object with a custom prototype';
}

/**
 * Whether `prototype` is `Object.prototype` / `Date.prototype`, of this realm or another one
 * (an iframe, a vm context): the built-in prototype's own prototype is `Object.prototype` of
 * its realm, whose own prototype is null.
 */
function isPlainPrototype(prototype: object | null, name: 'Object' | 'Date'): boolean {
  if (prototype === null) return false;
  if (prototype === (name === 'Object' ? Object.prototype : Date.prototype)) return true;
  const constructor = Object.prototype.hasOwnProperty.call(prototype, 'constructor')
    ? (prototype as { constructor?: unknown }).constructor
    : undefined;
  if (typeof constructor !== 'function' || constructor.name !== name) return false;
  const parent = Object.getPrototypeOf(prototype) as object | null;
  return name === 'Object' ? parent === null : parent !== null && Object.getPrototypeOf(parent) === null;
}

function refuse(walk: Walk, path: string, reason: string): UnsupportedValueError {
  return new UnsupportedValueError(path, reason, walk.subject);
}
