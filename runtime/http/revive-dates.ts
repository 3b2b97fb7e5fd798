/**
 * JSON has no dates: a payload sent over HTTP carries each `z.date()` field as an RFC 3339
 * string (as the OpenAPI document describes it). `reviveDates` walks a parsed payload along its
 * zod schema (zod 4, `zod/mini` and zod 3 alike, read structurally: the runtime imports no zod)
 * and turns the strings at date positions into `Date`s before the schema validates the payload.
 */
import { MAX_NESTING } from '../codec/tags.js';
import { parseDateTime } from './date-time.js';

/** A string at a date position that is no date-time a `Date` can hold: where, and why. */
export interface InvalidDateTime {
  /** The path in the payload, e.g. `['window', 'from']`. */
  readonly path: readonly (string | number)[];
  readonly reason: string;
}

/** A payload with its date-time strings turned into `Date`s, and the strings that could not be. */
export interface RevivedPayload {
  /** The payload; the same object when nothing changed (changed objects and arrays are copies). */
  readonly value: unknown;
  readonly invalid: readonly InvalidDateTime[];
}

type Path = readonly (string | number)[];
type Any = any; // zod internals are read structurally

/** A schema's kind and definition: zod 4 (`_zod.def.type`) or zod 3 (`_def.typeName`, mapped to zod 4's names where they differ). */
function inspect(schema: unknown): { kind: string; def: Any; version: 3 | 4 } | undefined {
  const value = schema as Any;
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return undefined;
  if (value._zod?.def) return { kind: String(value._zod.def.type), def: value._zod.def, version: 4 };
  const name = value._def?.typeName;
  if (typeof name !== 'string') return undefined;
  const kind = name.replace(/^Zod/, '');
  return { kind: kind[0]!.toLowerCase() + kind.slice(1), def: value._def, version: 3 };
}

/**
 * Turns every RFC 3339 date-time string at a date position of `schema` (a field, an array
 * element, a record value, a tuple item; under optional, nullable, default, readonly, catch,
 * lazy and pipe wrappers; in an intersection; in the option of a union the value picks) into a
 * `Date`. A union takes the value as sent when one of its options accepts it (so
 * `z.union([z.string(), z.date()])` keeps a string), else the first option that accepts it with
 * its dates read; a discriminated union, the option its discriminator names. Coerced dates
 * (`z.coerce.date()`) are left to zod. Strings at a date position that are no date-time are left
 * as they are (the schema then refuses them) and listed in `invalid`. Nothing is changed in place.
 */
export function reviveDates(schema: unknown, value: unknown): RevivedPayload {
  const invalid: InvalidDateTime[] = [];
  try {
    return { value: revive(schema, value, [], invalid), invalid };
  } catch {
    // a schema shaped in a way this reading does not know: the payload goes to validation as sent
    return { value, invalid: [] };
  }
}

function revive(schema: unknown, value: unknown, path: Path, invalid: InvalidDateTime[]): unknown {
  const node = inspect(schema);
  if (!node || path.length > MAX_NESTING) return value; // deeper values are refused by every store anyway
  const { kind, def } = node;
  switch (kind) {
    case 'date': {
      if (typeof value !== 'string' || def.coerce === true) return value;
      const date = parseDateTime(value);
      if (date instanceof Date) return date;
      invalid.push({ path, reason: date.reason });
      return value;
    }
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return revive(def.innerType, value, path, invalid);
    case 'pipe':
    case 'pipeline':
      return revive(def.in, value, path, invalid);
    case 'lazy':
      return revive(def.getter(), value, path, invalid);
    case 'branded':
      return revive(def.type, value, path, invalid);
    case 'effects': // zod 3 refinements and transforms take the inner schema's input; a preprocess takes anything
      return def.effect?.type === 'preprocess' ? value : revive(def.schema, value, path, invalid);
    case 'intersection':
      return revive(def.right, revive(def.left, value, path, invalid), path, invalid);
    case 'object': {
      if (!isPlainObject(value)) return value;
      const shape: Record<string, unknown> = node.version === 4 ? def.shape : def.shape();
      return mapEntries(value, (key, child) => revive(Object.hasOwn(shape, key) ? shape[key] : def.catchall, child, [...path, key], invalid));
    }
    case 'record':
      return isPlainObject(value) ? mapEntries(value, (key, child) => revive(def.valueType, child, [...path, key], invalid)) : value;
    case 'array': {
      if (!Array.isArray(value)) return value;
      const element = node.version === 4 ? def.element : def.type;
      return mapItems(value, (item, index) => revive(element, item, [...path, index], invalid));
    }
    case 'tuple':
      return Array.isArray(value) ? mapItems(value, (item, index) => revive(index < def.items.length ? def.items[index] : def.rest, item, [...path, index], invalid)) : value;
    case 'union':
    case 'discriminatedUnion':
      return reviveUnion(def, value, path, invalid);
    default:
      return value;
  }
}

/** A union: as sent when an option accepts it; else the first option that accepts it with its dates read; else the option its discriminator names. */
function reviveUnion(def: Any, value: unknown, path: Path, invalid: InvalidDateTime[]): unknown {
  const options: readonly unknown[] = Array.isArray(def.options) ? def.options : [...(def.options?.values?.() ?? [])];
  if (options.some((option) => accepts(option, value))) return value;
  for (const option of options) {
    const tried: InvalidDateTime[] = [];
    const revived = revive(option, value, path, tried);
    if (revived !== value && tried.length === 0 && accepts(option, revived)) return revived;
  }
  const discriminator: unknown = def.discriminator;
  if (typeof discriminator === 'string' && isPlainObject(value)) {
    const named = options.filter((option) => {
      const node = inspect(option);
      if (node?.kind !== 'object') return false;
      const shape: Record<string, unknown> = node.version === 4 ? node.def.shape : node.def.shape();
      return Object.hasOwn(shape, discriminator) && accepts(shape[discriminator], value[discriminator]);
    });
    // its dates read (and the strings that are no date-time reported); the schema says the rest
    if (named.length === 1) return revive(named[0], value, path, invalid);
  }
  return value;
}

function accepts(schema: unknown, value: unknown): boolean {
  try {
    return (schema as { safeParse(value: unknown): { success: boolean } }).safeParse(value).success === true;
  } catch {
    return false; // e.g. an async refinement: no verdict here, the aggregate's validation gives one
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** The object with each value mapped; a copy only when one changed (own keys such as `__proto__` stay own keys). */
function mapEntries(value: Record<string, unknown>, map: (key: string, child: unknown) => unknown): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const child = value[key];
    const mapped = map(key, child);
    if (mapped === child) continue;
    copy ??= { ...value };
    Object.defineProperty(copy, key, { value: mapped, enumerable: true, writable: true, configurable: true });
  }
  return copy ?? value;
}

/** The array with each item mapped; a copy only when one changed. */
function mapItems(value: readonly unknown[], map: (item: unknown, index: number) => unknown): unknown[] {
  let copy: unknown[] | undefined;
  value.forEach((item, index) => {
    const mapped = map(item, index);
    if (mapped === item) return;
    copy ??= [...value];
    copy[index] = mapped;
  });
  return copy ?? (value as unknown[]);
}
