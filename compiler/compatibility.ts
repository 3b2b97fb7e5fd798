/**
 * Compares two JSON Schemas of one payload (or state) and lists the changes that could make
 * data valid under one unreadable under the other.
 *
 * - `backward` (inbound events, state): new code reads data written under the old schema, so
 *   every value the old schema allows must still be allowed by the new one.
 * - `forward` (outbound events): consumers holding the old schema read data written under the
 *   new one, so every value the new schema allows must be allowed by the old one, and every
 *   field the old schema declares must still be there.
 *
 * Understood keywords (the subset zod 4's `z.toJSONSchema` and zod-to-json-schema emit for
 * plain data): `type` (a name or a list), `properties`, `required`, `additionalProperties`
 * (a schema, as for records; `false` is ignored: zod strips unknown keys, so readers ignore
 * them), `items` (one schema), `enum`, `const`, `anyOf`/`oneOf` (both read as "one of"),
 * `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum` (numbers), `multipleOf`,
 * `minLength`, `maxLength`, `pattern`, `format`, `minItems`, `maxItems`, and annotations that
 * do not constrain values (`$schema`, `$comment`, `title`, `description`, `default`,
 * `examples`, `deprecated`, `readOnly`, `writeOnly`, `$id`). Any other keyword (`allOf`,
 * `not`, `$ref`, `prefixItems`, `propertyNames`, `patternProperties`, ...) is accepted only
 * where it is identical on both sides; where it differs, the change is reported as a
 * possible break (`severity: 'unknown'`), which fails the check like a breaking change.
 */
import type { JsonSchema } from './json-schema.js';

/** Which way data flows between the two schemas (see the module comment). */
export type Compatibility = 'backward' | 'forward';

/** One finding of {@link compareSchemas}. */
export interface SchemaChange {
  /** Field path inside the payload: `amount`, `owner.email`, `items[]`, `tags.*` (a record's values); `""` for the whole payload. */
  readonly path: string;
  /** `breaking` and `unknown` (a change the check cannot judge) fail; `warning` is reported only. */
  readonly severity: 'breaking' | 'warning' | 'unknown';
  /** What changed, old before new, e.g. `type changed from number to string`. */
  readonly change: string;
  /**
   * Set when the reader gives a field a default that data stored under the writer's schema may
   * lack: stored payloads are not parsed again when read, so only an upcaster can fill it in.
   */
  readonly unstoredDefault?: { readonly value: unknown };
}

type Schema = { readonly [key: string]: unknown };

const ANNOTATIONS = new Set(['$schema', '$comment', 'title', 'description', 'default', 'examples', 'deprecated', 'readOnly', 'writeOnly', '$id']);
const UNDERSTOOD = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'const',
  'anyOf',
  'oneOf',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'pattern',
  'format',
  'minItems',
  'maxItems',
]);

/**
 * The changes from `before` to `after` that break `compatibility`, plus warnings (a field
 * removed from an inbound event or the state: stored values are then ignored). Sorted by path.
 */
export function compareSchemas(before: JsonSchema, after: JsonSchema, compatibility: Compatibility): SchemaChange[] {
  const changes: SchemaChange[] = [];
  const comparison = new Comparison(compatibility, changes);
  // Data flows from the writer's schema to the reader's.
  if (compatibility === 'backward') comparison.compare(before, after, '');
  else comparison.compare(after, before, '');
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

class Comparison {
  constructor(
    private readonly compatibility: Compatibility,
    private readonly changes: SchemaChange[],
  ) {}

  private get backward(): boolean {
    return this.compatibility === 'backward';
  }

  /** Old value first, new value second, whichever side writes. */
  private ordered<T>(writer: T, reader: T): [before: T, after: T] {
    return this.backward ? [writer, reader] : [reader, writer];
  }

  /** A constraint the reader has and the writer lacks (or is looser in) reads as narrowed (backward) or widened (forward). */
  private constraint(path: string, name: string, writer: string, reader: string): void {
    const [before, after] = this.ordered(writer, reader);
    this.add(path, 'breaking', `constraint ${this.backward ? 'narrowed' : 'widened'}: ${name} ${before} → ${after}`);
  }

  private add(path: string, severity: SchemaChange['severity'], change: string, unstoredDefault?: SchemaChange['unstoredDefault']): void {
    this.changes.push(unstoredDefault ? { path, severity, change, unstoredDefault } : { path, severity, change });
  }

  /** Reports every way a value valid under `writer` may be invalid under `reader`. */
  compare(writerInput: unknown, readerInput: unknown, path: string): void {
    const writer = normalize(writerInput);
    const reader = normalize(readerInput);
    if (canonical(writer) === canonical(reader)) return;

    const unknownKeys = [...new Set([...Object.keys(writer), ...Object.keys(reader)])]
      .filter((key) => !UNDERSTOOD.has(key))
      .filter((key) => canonical(writer[key]) !== canonical(reader[key]))
      .sort();
    if (unknownKeys.length > 0) {
      this.add(
        path,
        'unknown',
        `${unknownKeys.map((key) => `"${key}"`).join(', ')} changed, which the check does not understand`,
      );
      return;
    }
    if (isAny(reader)) return;
    if (isAny(writer)) {
      const [before, after] = this.ordered('any value', describeType(reader));
      this.add(path, 'breaking', `type changed from ${before} to ${after}`);
      return;
    }

    const writerBranches = branches(writer);
    const readerBranches = branches(reader);
    if (writerBranches.length > 1 || readerBranches.length > 1) {
      this.compareUnions(writerBranches, readerBranches, path);
      return;
    }
    this.compareTypes(writer, reader, path);
  }

  private compareUnions(writerBranches: Schema[], readerBranches: Schema[], path: string): void {
    for (const branch of writerBranches) {
      if (readerBranches.some((candidate) => this.quietly(branch, candidate, path).length === 0)) continue;
      if (isNull(branch)) {
        this.add(path, 'breaking', this.backward ? 'nullable made non-nullable' : 'made nullable');
        continue;
      }
      const sameType = readerBranches.filter((candidate) => overlaps(branch, candidate));
      if (sameType.length === 0) {
        const [before, after] = this.ordered(describeType(branch), readerBranches.map(describeType).join(' | '));
        this.add(path, 'breaking', `type changed from ${before} to ${after}`);
        continue;
      }
      if (sameType.length === 1 && !discriminatedApart(branch, sameType[0]!)) this.compare(branch, sameType[0], path);
      else this.add(path, 'breaking', `union alternative ${describeAlternative(branch, writerBranches.indexOf(branch))} ${this.backward ? 'removed' : 'added'}`);
    }
  }

  private quietly(writer: Schema, reader: Schema, path: string): SchemaChange[] {
    const found: SchemaChange[] = [];
    new Comparison(this.compatibility, found).compare(writer, reader, path);
    return found.filter((change) => change.severity !== 'warning');
  }

  private compareTypes(writer: Schema, reader: Schema, path: string): void {
    const writerTypes = typesOf(writer);
    const readerTypes = typesOf(reader);
    if (readerTypes !== undefined) {
      const rejected = writerTypes === undefined ? ['any'] : writerTypes.filter((type) => !accepts(readerTypes, type));
      if (rejected.length > 0) {
        const [before, after] = this.ordered(writerTypes?.join(' | ') ?? 'any value', readerTypes.join(' | '));
        this.add(path, 'breaking', `type changed from ${before} to ${after}`);
        return;
      }
    }
    this.compareValues(writer, reader, path);
    this.compareBounds(writer, reader, path);
    if (writer.properties !== undefined || reader.properties !== undefined || isRecord(writer) || isRecord(reader)) {
      this.compareObjects(writer, reader, path);
    }
    if (writer.items !== undefined || reader.items !== undefined) {
      this.compare(writer.items ?? {}, reader.items ?? {}, `${path}[]`);
    }
  }

  /** `enum` and `const`: every value the writer allows must be one the reader allows. */
  private compareValues(writer: Schema, reader: Schema, path: string): void {
    const readerValues = valuesOf(reader);
    if (readerValues === undefined) return;
    const writerValues = valuesOf(writer);
    if (writerValues === undefined) {
      const [before, after] = this.ordered('any value', readerValues.map(show).join(', '));
      this.add(path, 'breaking', `constraint ${this.backward ? 'narrowed' : 'widened'}: allowed values ${before} → ${after}`);
      return;
    }
    const allowed = new Set(readerValues.map(canonical));
    const kind = writer.const !== undefined || reader.const !== undefined ? 'literal value' : 'enum value';
    for (const value of writerValues) {
      if (allowed.has(canonical(value))) continue;
      this.add(path, 'breaking', `${kind} ${show(value)} ${this.backward ? 'removed' : 'added'}`);
    }
  }

  private compareBounds(writer: Schema, reader: Schema, path: string): void {
    this.compareLower(writer, reader, path);
    this.compareUpper(writer, reader, path);
    for (const [minimum, maximum] of [
      ['minLength', 'maxLength'],
      ['minItems', 'maxItems'],
    ] as const) {
      const writerMin = numberOr(writer[minimum], 0);
      const readerMin = numberOr(reader[minimum], 0);
      if (readerMin > writerMin) this.constraint(path, minimum, showBound(writer[minimum]), showBound(reader[minimum]));
      const writerMax = numberOr(writer[maximum], Infinity);
      const readerMax = numberOr(reader[maximum], Infinity);
      if (readerMax < writerMax) this.constraint(path, maximum, showBound(writer[maximum]), showBound(reader[maximum]));
    }
    if (reader.multipleOf !== undefined) {
      const writerStep = typeof writer.multipleOf === 'number' ? writer.multipleOf : undefined;
      const readerStep = reader.multipleOf as number;
      if (writerStep === undefined || !isMultiple(writerStep, readerStep)) {
        this.constraint(path, 'multipleOf', showBound(writer.multipleOf), String(readerStep));
      }
    }
    // A string format (zod's z.email(), z.iso.datetime(), ...) comes with its pattern: report the format only.
    const keywords = reader.format !== writer.format ? (['format'] as const) : (['pattern'] as const);
    for (const keyword of keywords) {
      if (reader[keyword] === undefined || reader[keyword] === writer[keyword]) continue;
      if (writer[keyword] === undefined) this.constraint(path, keyword, 'none', shorten(reader[keyword]));
      else {
        const [before, after] = this.ordered(shorten(writer[keyword]), shorten(reader[keyword]));
        this.add(path, 'unknown', `${keyword} changed from ${before} to ${after}, which the check cannot compare`);
      }
    }
  }

  private compareLower(writer: Schema, reader: Schema, path: string): void {
    const writerBound = lowerBound(writer);
    const readerBound = lowerBound(reader);
    if (readerBound === undefined) return;
    const looser =
      writerBound !== undefined &&
      (writerBound.value > readerBound.value || (writerBound.value === readerBound.value && (writerBound.exclusive || !readerBound.exclusive)));
    if (!looser) this.constraint(path, 'lower bound', showLimit(writerBound, '>'), showLimit(readerBound, '>'));
  }

  private compareUpper(writer: Schema, reader: Schema, path: string): void {
    const writerBound = upperBound(writer);
    const readerBound = upperBound(reader);
    if (readerBound === undefined) return;
    const looser =
      writerBound !== undefined &&
      (writerBound.value < readerBound.value || (writerBound.value === readerBound.value && (writerBound.exclusive || !readerBound.exclusive)));
    if (!looser) this.constraint(path, 'upper bound', showLimit(writerBound, '<'), showLimit(readerBound, '<'));
  }

  private compareObjects(writer: Schema, reader: Schema, path: string): void {
    const writerProperties = (writer.properties ?? {}) as Record<string, unknown>;
    const readerProperties = (reader.properties ?? {}) as Record<string, unknown>;
    const writerRequired = new Set((writer.required ?? []) as string[]);
    const readerRequired = new Set((reader.required ?? []) as string[]);
    const names = [...new Set([...Object.keys(writerProperties), ...Object.keys(readerProperties)])].sort();
    for (const name of names) {
      const field = path ? `${path}.${name}` : name;
      const inWriter = Object.hasOwn(writerProperties, name);
      const inReader = Object.hasOwn(readerProperties, name);
      if (inWriter && !inReader) {
        // Backward: the field was removed; stored values are ignored. Forward: a field was added, which old consumers ignore.
        if (this.backward) this.add(field, 'warning', 'field removed (stored values of it are ignored)');
        else this.compareExtra(writerProperties[name], reader, field);
        continue;
      }
      if (!inWriter && inReader) {
        if (this.backward) {
          // A default is filled in when a payload is parsed, and stored payloads are never parsed
          // again: data stored before lacks the field, required or not in the reader's JSON Schema
          // (an input schema lists a defaulted field as optional; an output schema, as required).
          const filled = defaultOf(readerProperties[name]);
          if (filled) this.add(field, 'breaking', 'required field added with a default, which stored data does not get', filled);
          else if (readerRequired.has(name)) this.add(field, 'breaking', 'required field added without a default');
          else this.compareExtra(readerProperties[name], writer, field, true);
        } else this.add(field, 'breaking', 'field removed or renamed');
        continue;
      }
      if (readerRequired.has(name) && !writerRequired.has(name)) {
        this.add(field, 'breaking', this.backward ? 'optional field made required' : 'required field made optional');
      } else if (this.backward && !writerRequired.has(name) && !defaultOf(writerProperties[name])) {
        const filled = defaultOf(readerProperties[name]);
        if (filled) this.add(field, 'breaking', 'optional field given a default, which stored data does not get', filled);
      }
      this.compare(writerProperties[name], readerProperties[name], field);
    }
    if (isRecord(writer) || isRecord(reader)) {
      this.compare(recordValues(writer), recordValues(reader), path ? `${path}.*` : '*');
    }
  }

  /**
   * A field one side declares and the other leaves to its record values (`additionalProperties`
   * schema): the values must agree. Nothing to check when the other side is a plain object.
   */
  private compareExtra(field: unknown, other: Schema, path: string, otherWrites = false): void {
    if (!isRecord(other)) return;
    if (otherWrites) this.compare(recordValues(other), field, path);
    else this.compare(field, recordValues(other), path);
  }
}

/** The `default` a property schema declares, boxed (a default may be any JSON value, `null` included). */
function defaultOf(schema: unknown): { readonly value: unknown } | undefined {
  if (schema === null || typeof schema !== 'object' || !Object.hasOwn(schema, 'default')) return undefined;
  return { value: (schema as Schema).default };
}

/** Drops annotations and `additionalProperties: false`; `true` becomes `{}`. */
function normalize(schema: unknown): Schema {
  if (schema === true || schema === undefined) return {};
  if (schema === false) return { not: {} };
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return { invalid: schema };
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (ANNOTATIONS.has(key)) continue;
    if (key === 'additionalProperties' && (value === false || value === true)) continue;
    result[key] = value;
  }
  return result;
}

function isAny(schema: Schema): boolean {
  return Object.keys(schema).length === 0;
}

function isNull(schema: Schema): boolean {
  return schema.type === 'null' || (Array.isArray(schema.type) && schema.type.length === 1 && schema.type[0] === 'null');
}

function isRecord(schema: Schema): boolean {
  return typeof schema.additionalProperties === 'object' && schema.additionalProperties !== null;
}

function recordValues(schema: Schema): unknown {
  return isRecord(schema) ? schema.additionalProperties : {};
}

/** The alternatives of a schema: its `anyOf`/`oneOf` branches (with the outer keywords merged in) or the schema itself; `type` lists split. */
function branches(schema: Schema): Schema[] {
  const alternatives = (schema.anyOf ?? schema.oneOf) as unknown[] | undefined;
  const { anyOf: _anyOf, oneOf: _oneOf, ...outer } = schema;
  const list = alternatives ? alternatives.map((branch) => ({ ...outer, ...normalize(branch) })) : [schema];
  return list.flatMap((branch) => {
    if (!Array.isArray(branch.type) || !branch.type.includes('null') || branch.type.length < 2) return [branch];
    return [{ ...branch, type: branch.type.filter((type) => type !== 'null') }, { type: 'null' }];
  });
}

/** The JSON types a schema allows, from `type`, or from `enum`/`const` values; undefined for any. */
function typesOf(schema: Schema): string[] | undefined {
  if (typeof schema.type === 'string') return [schema.type];
  if (Array.isArray(schema.type)) return [...(schema.type as string[])].sort();
  const values = valuesOf(schema);
  if (values) return [...new Set(values.map(jsonType))].sort();
  if (schema.properties !== undefined) return ['object'];
  if (schema.items !== undefined) return ['array'];
  return undefined;
}

function accepts(readerTypes: readonly string[], type: string): boolean {
  return readerTypes.includes(type) || (type === 'integer' && readerTypes.includes('number'));
}

function overlaps(a: Schema, b: Schema): boolean {
  const left = typesOf(a);
  const right = typesOf(b);
  if (!left || !right) return true;
  return left.some((type) => accepts(right, type)) || right.some((type) => accepts(left, type));
}

/** Whether two object alternatives have a field whose constant values differ (`kind: "card"` and `kind: "cash"`). */
function discriminatedApart(a: Schema, b: Schema): boolean {
  const left = (a.properties ?? {}) as Record<string, unknown>;
  const right = (b.properties ?? {}) as Record<string, unknown>;
  return Object.keys(left).some((name) => {
    if (!Object.hasOwn(right, name)) return false;
    const [x, y] = [valuesOf(normalize(left[name])), valuesOf(normalize(right[name]))];
    return x?.length === 1 && y?.length === 1 && canonical(x[0]) !== canonical(y[0]);
  });
}

/** An alternative of a union, by the constant fields that tell it apart (`kind: "cash"`), else by position and type. */
function describeAlternative(schema: Schema, index: number): string {
  const properties = (schema.properties ?? {}) as Record<string, unknown>;
  const constants = Object.entries(properties)
    .map(([name, property]) => [name, valuesOf(normalize(property))] as const)
    .filter(([, values]) => values?.length === 1)
    .map(([name, values]) => `${name}: ${show(values![0])}`);
  return constants.length > 0 ? `{ ${constants.join(', ')} }` : `#${index + 1} (${describeType(schema)})`;
}

function describeType(schema: Schema): string {
  const types = typesOf(schema);
  return types ? types.join(' | ') : 'any value';
}

function valuesOf(schema: Schema): unknown[] | undefined {
  if (Array.isArray(schema.enum)) return schema.enum;
  if (schema.const !== undefined) return [schema.const];
  return undefined;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

interface Limit {
  readonly value: number;
  readonly exclusive: boolean;
}

function lowerBound(schema: Schema): Limit | undefined {
  return tighter(schema.minimum, schema.exclusiveMinimum, (a, b) => a > b);
}

function upperBound(schema: Schema): Limit | undefined {
  return tighter(schema.maximum, schema.exclusiveMaximum, (a, b) => a < b);
}

/** The tighter of an inclusive and an exclusive bound (numbers; draft-04's boolean `exclusiveMinimum` is read as a flag). */
function tighter(inclusive: unknown, exclusive: unknown, stricter: (a: number, b: number) => boolean): Limit | undefined {
  if (exclusive === true && typeof inclusive === 'number') return { value: inclusive, exclusive: true };
  const a = typeof inclusive === 'number' ? { value: inclusive, exclusive: false } : undefined;
  const b = typeof exclusive === 'number' ? { value: exclusive, exclusive: true } : undefined;
  if (!a) return b;
  if (!b) return a;
  return stricter(b.value, a.value) || b.value === a.value ? b : a;
}

function showLimit(limit: Limit | undefined, direction: '>' | '<'): string {
  if (!limit) return 'none';
  return `${direction}${limit.exclusive ? '' : '='} ${limit.value}`;
}

function showBound(value: unknown): string {
  return value === undefined ? 'none' : String(value);
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}

function isMultiple(step: number, of: number): boolean {
  const ratio = step / of;
  return Math.abs(ratio - Math.round(ratio)) < 1e-9;
}

/** A pattern or format for a message: JSON, cut to 40 characters. */
function shorten(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length <= 40 ? text : `${text.slice(0, 39)}…"`;
}

function show(value: unknown): string {
  return JSON.stringify(value);
}

/** JSON with object keys sorted: equal for equal schemas whatever the key order. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item !== null && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  ) ?? 'undefined';
}
