import type { JsonSchema } from './json-schema.js';

/** Placeholder strings for the string formats zod's JSON Schemas name, each valid for its format. */
const FORMAT_EXAMPLES: Readonly<Record<string, string>> = {
  email: 'user@example.com',
  'idn-email': 'user@example.com',
  'date-time': '2024-01-01T00:00:00.000Z',
  date: '2024-01-01',
  time: '12:00:00',
  duration: 'PT1H',
  uuid: '00000000-0000-4000-8000-000000000000',
  guid: '00000000-0000-4000-8000-000000000000',
  uri: 'https://example.com/',
  url: 'https://example.com/',
  'uri-reference': 'https://example.com/',
  iri: 'https://example.com/',
  hostname: 'example.com',
  'idn-hostname': 'example.com',
  ipv4: '192.0.2.1',
  ipv6: '2001:db8::1',
  cidrv4: '192.0.2.0/24',
  cidrv6: '2001:db8::/32',
  cuid: 'cjld2cjxh0000qzrmn831i7rn',
  cuid2: 'tz4a98xxat96iws9zmbrgj3a',
  ulid: '01ARZ3NDEKTSV4RRFFQ69G5FAV',
  nanoid: 'V1StGXR8_Z5jdHi6B-myT',
  emoji: '🙂',
  base64: 'ZXhhbXBsZQ==',
  base64url: 'ZXhhbXBsZQ',
  e164: '+15555550100',
  jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJleGFtcGxlIn0.c2lnbmF0dXJl',
};

/** Strings tried, in order, against a `pattern` that no format placeholder names. */
const PATTERN_CANDIDATES = ['example', 'EXAMPLE', 'Example', 'example-1', 'a', 'A', '0', '1', 'a1', 'A1', 'abc', 'ABC', '123', 'x_1'];

/**
 * A value for a JSON Schema, built deterministically from the schema alone: its `default`,
 * `const`, first `examples` or `enum` value; for objects, the required properties (and those
 * with a default); format-aware placeholders for strings (`user@example.com` for `email`);
 * for numbers 1, 0 or -1 when the bounds allow, else the number next to a bound. `undefined`
 * when it cannot make one (a pattern none of its candidates match, bounds no candidate fits):
 * callers check the value against the real validator anyway.
 */
export function exampleOf(schema: JsonSchema, root: JsonSchema = schema, depth = 0): unknown {
  if (depth > 32) return undefined;
  const next = (child: unknown) => exampleOf((child ?? {}) as JsonSchema, root, depth + 1);
  if (typeof schema.$ref === 'string') {
    const target = resolveRef(root, schema.$ref);
    return target === undefined ? undefined : next(target);
  }
  if ('default' in schema) return schema.default;
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options)) {
      const preferred = [...options.filter((option) => (option as JsonSchema).type !== 'null'), ...options];
      for (const option of preferred) {
        const value = next(option);
        if (value !== undefined) return value;
      }
      return undefined;
    }
  }
  if (Array.isArray(schema.allOf)) return mergeExamples(schema.allOf.map(next));
  const type = Array.isArray(schema.type) ? (schema.type.find((t) => t !== 'null') ?? schema.type[0]) : schema.type;
  switch (type) {
    case 'object':
      return objectExample(schema, next);
    case 'array':
      return arrayExample(schema, next);
    case 'string':
      return stringExample(schema);
    case 'integer':
    case 'number':
      return numberExample(schema, type === 'integer');
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      if (schema.properties) return objectExample(schema, next);
      return undefined;
  }
}

function objectExample(schema: JsonSchema, next: (child: unknown) => unknown): unknown {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const value: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(properties)) {
    if (!required.has(name) && !('default' in property)) continue;
    const example = next(property);
    if (example === undefined) {
      if (required.has(name)) return undefined;
      continue;
    }
    value[name] = example;
  }
  for (const name of required) if (!(name in value)) return undefined; // required but not described
  return value;
}

function arrayExample(schema: JsonSchema, next: (child: unknown) => unknown): unknown {
  const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems : [];
  const items: unknown[] = [];
  for (const item of prefix) {
    const value = next(item);
    if (value === undefined) return undefined;
    items.push(value);
  }
  const minItems = typeof schema.minItems === 'number' ? schema.minItems : 0;
  const maxItems = typeof schema.maxItems === 'number' ? schema.maxItems : Infinity;
  const wanted = Math.min(Math.max(minItems, prefix.length === 0 ? 1 : prefix.length), maxItems);
  if (items.length < wanted) {
    if (schema.items === false) return items.length >= minItems ? items : undefined;
    const value = next(schema.items);
    if (value === undefined) return minItems <= items.length ? items : undefined;
    while (items.length < wanted) items.push(value);
  }
  return items;
}

function stringExample(schema: JsonSchema): string | undefined {
  const format = typeof schema.format === 'string' ? FORMAT_EXAMPLES[schema.format] : undefined;
  const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const maxLength = typeof schema.maxLength === 'number' ? schema.maxLength : Infinity;
  const fits = (candidate: string) => [...candidate].length >= minLength && [...candidate].length <= maxLength;
  if (typeof schema.pattern === 'string') {
    let pattern: RegExp;
    try {
      pattern = new RegExp(schema.pattern, 'u');
    } catch {
      return undefined;
    }
    return [format, ...PATTERN_CANDIDATES].find((candidate): candidate is string => candidate !== undefined && pattern.test(candidate) && fits(candidate));
  }
  if (format !== undefined) return fits(format) ? format : undefined;
  let text = 'string';
  while (text.length < minLength) text += 'x';
  return text.slice(0, Math.max(minLength, Math.min(text.length, maxLength)));
}

function numberExample(schema: JsonSchema, integer: boolean): number | undefined {
  const bound = (key: string) => (typeof schema[key] === 'number' ? (schema[key] as number) : undefined);
  const [min, max, above, below, step] = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'].map(bound);
  const valid = (n: number) =>
    Number.isFinite(n) &&
    (!integer || Number.isInteger(n)) &&
    (min === undefined || n >= min) &&
    (max === undefined || n <= max) &&
    (above === undefined || n > above) &&
    (below === undefined || n < below) &&
    (step === undefined || Number.isInteger(n / step));
  const unit = step ?? 1;
  const snap = (n: number | undefined, direction: 1 | -1) =>
    n === undefined ? [] : [Math.ceil(n / unit) * unit, Math.floor(n / unit) * unit + direction * unit, n + direction * unit, n + direction * unit / 2];
  const candidates = [1, 0, -1, ...snap(above, 1), ...snap(min, 1), ...snap(below, -1), ...snap(max, -1), step ?? 1];
  const found = candidates.find(valid);
  return found === undefined ? undefined : found === 0 ? 0 : found;
}

function mergeExamples(values: readonly unknown[]): unknown {
  if (values.some((value) => value === undefined)) return undefined;
  if (values.every((value) => value !== null && typeof value === 'object' && !Array.isArray(value))) return Object.assign({}, ...values);
  return values[0];
}

/** Resolves a local `$ref` (`#/$defs/Name`, `#/definitions/Name`, `#`) against the root schema. */
function resolveRef(root: JsonSchema, ref: string): JsonSchema | undefined {
  if (!ref.startsWith('#')) return undefined;
  let target: unknown = root;
  for (const part of ref.slice(1).split('/').filter((segment) => segment.length > 0)) {
    const key = decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~');
    if (target === null || typeof target !== 'object') return undefined;
    target = (target as Record<string, unknown>)[key];
  }
  return target as JsonSchema | undefined;
}
