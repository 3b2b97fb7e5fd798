/**
 * zod/mini schemas are accepted exactly like zod's: every case below is one schema written
 * both ways (classic `zod` methods, `zod/mini` functions), and each check runs on both and
 * compares: the input and output types (at compile time), the JSON Schemas the compiler emits
 * (byte for byte), what the runtime does with each sample payload (the stored payload, or the
 * ValidationError with its issues, paths and messages), the fields the compiler refuses as
 * unstorable, and the index key accessors of state paths.
 */
import { expect } from 'chai';
import { z } from 'zod';
import * as zm from 'zod/mini';
import { Aggregate, InMemoryEventStore, Processor, type Rules, type SchemaLike as RuntimeSchema, createEvent } from 'event-sourced-rules-engine';
import type { SchemaInput, SchemaLike, SchemaOutput } from 'event-sourced-rules-engine/schema';
import { jsonSchemaConverters, toJsonSchema } from '../compiler/json-schema.js';
import { statePathAccessor } from '../compiler/state-path.js';
import { unstorableFields } from '../compiler/storable.js';
import { isZodMini } from '../compiler/zod.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** `unknown` when both schemas have the same input and output types; otherwise a type no schema has, so the call does not compile. */
type SameTypes<C, M> =
  [Equal<SchemaOutput<C>, SchemaOutput<M>>, Equal<SchemaInput<C>, SchemaInput<M>>] extends [true, true] ? unknown : { readonly 'zod and zod/mini types differ': never };

interface Case {
  readonly name: string;
  readonly zod: SchemaLike;
  readonly mini: SchemaLike;
  /** Sample payloads, valid and not. */
  readonly values: readonly unknown[];
  /** State paths to compare index key accessors for. */
  readonly paths?: readonly string[];
}

/** The same output type, and an input type that takes at least what classic zod's takes. */
type WiderInput<C, M> =
  [Equal<SchemaOutput<C>, SchemaOutput<M>>, SchemaInput<C> extends SchemaInput<M> ? true : false] extends [true, true] ? unknown : { readonly 'zod/mini output differs or input is narrower': never };

/** One schema written with zod and with zod/mini; the mini one must have the same types. */
function pair<C extends SchemaLike, M extends SchemaLike>(name: string, classic: C, mini: M & SameTypes<C, M>, values: readonly unknown[], paths?: readonly string[]): Case {
  return { name, zod: classic, mini, values, ...(paths ? { paths } : {}) };
}

/**
 * The one known difference, in zod's own types: zod/mini's `z.stringbool()` has the input type
 * `unknown` where classic zod's has `string` (the values it accepts are the same), so the
 * generated `...Input` type of such a field is `unknown` with zod/mini.
 */
function pairWiderInput<C extends SchemaLike, M extends SchemaLike>(name: string, classic: C, mini: M & WiderInput<C, M>, values: readonly unknown[]): Case {
  return { name, zod: classic, mini, values };
}

// The type check can fail: a mini schema of another type does not compile.
// @ts-expect-error: a number is not a string
pair('types differ', z.object({ a: z.number() }), zm.object({ a: zm.string() }), []);
// @ts-expect-error: the same output, another input (a default makes the field optional on input)
pair('input types differ', z.object({ a: z.number().default(1) }), zm.object({ a: zm.number() }), []);
// @ts-expect-error: the mini input type is narrower
pairWiderInput('narrower input', z.object({ a: z.string() }), zm.object({ a: zm.literal('x') }), []);
// @ts-expect-error: stringbool's input types differ
pair('stringbool', z.object({ a: z.stringbool() }), zm.object({ a: zm.stringbool() }), []);

const at = new Date('2026-01-02T03:04:05.000Z');
interface Tree {
  name: string;
  children: Tree[];
}
const classicTree: z.ZodType<Tree> = z.object({ name: z.string(), children: z.array(z.lazy(() => classicTree)) });
const miniTree: zm.ZodMiniType<Tree> = zm.object({ name: zm.string(), children: zm.array(zm.lazy(() => miniTree)) });

const cases: Case[] = [
  pair(
    'strings and their checks',
    z.object({ name: z.string().min(2).max(5), code: z.string().regex(/^[A-Z]+$/), email: z.email(), id: z.uuid(), site: z.url(), trimmed: z.string().trim().toLowerCase() }),
    zm.object({
      name: zm.string().check(zm.minLength(2), zm.maxLength(5)),
      code: zm.string().check(zm.regex(/^[A-Z]+$/)),
      email: zm.email(),
      id: zm.uuid(),
      site: zm.url(),
      trimmed: zm.string().check(zm.trim(), zm.toLowerCase()),
    }),
    [
      { name: 'ada', code: 'AB', email: 'a@b.co', id: '6f1c1d1e-8e3a-4b7a-9c1d-2e3f4a5b6c7d', site: 'https://x.example', trimmed: '  MiXed ' },
      { name: 'a', code: 'ab', email: 'nope', id: 'x', site: 'not a url', trimmed: 3 },
      { name: 'abcdef' },
      'not an object',
    ],
  ),
  pair(
    'numbers and their checks',
    z.object({ count: z.number().int().positive(), price: z.number().nonnegative().multipleOf(0.5), percent: z.number().min(0).max(100), ratio: z.number().gt(0).lt(1), whole: z.int() }),
    zm.object({
      count: zm.number().check(zm.int(), zm.positive()),
      price: zm.number().check(zm.nonnegative(), zm.multipleOf(0.5)),
      percent: zm.number().check(zm.gte(0), zm.lte(100)),
      ratio: zm.number().check(zm.gt(0), zm.lt(1)),
      whole: zm.int(),
    }),
    [
      { count: 2, price: 1.5, percent: 100, ratio: 0.5, whole: 7 },
      { count: 1.5, price: -1, percent: 101, ratio: 1, whole: 1.1 },
      { count: '2', price: Number.NaN, percent: Infinity, ratio: null },
    ],
  ),
  pair(
    'booleans, literals, enums, null',
    z.object({ flag: z.boolean(), kind: z.literal('card'), level: z.literal([1, 2, 3]), status: z.enum(['draft', 'placed']), nothing: z.null() }),
    zm.object({ flag: zm.boolean(), kind: zm.literal('card'), level: zm.literal([1, 2, 3]), status: zm.enum(['draft', 'placed']), nothing: zm.null() }),
    [
      { flag: true, kind: 'card', level: 2, status: 'placed', nothing: null },
      { flag: 'yes', kind: 'cash', level: 4, status: 'open', nothing: undefined },
    ],
    ['status', 'kind', 'level'],
  ),
  pair(
    'optional, nullable, nullish, default, prefault, catch, readonly',
    z.object({
      note: z.string().optional(),
      email: z.string().nullable(),
      nick: z.string().nullish(),
      currency: z.string().default('EUR'),
      tags: z.array(z.string()).prefault([]),
      mood: z.enum(['ok', 'bad']).catch('ok'),
      frozen: z.object({ a: z.number() }).readonly(),
    }),
    zm.object({
      note: zm.optional(zm.string()),
      email: zm.nullable(zm.string()),
      nick: zm.nullish(zm.string()),
      currency: zm._default(zm.string(), 'EUR'),
      tags: zm.prefault(zm.array(zm.string()), []),
      mood: zm.catch(zm.enum(['ok', 'bad']), 'ok'),
      frozen: zm.readonly(zm.object({ a: zm.number() })),
    }),
    [
      { email: null, frozen: { a: 1 } },
      { note: 'n', email: 'e', nick: null, currency: 'USD', tags: ['x'], mood: 'weird', frozen: { a: 2 } },
      { note: 1, currency: null, tags: 'x', frozen: {} },
    ],
    ['email', 'nick', 'currency', 'mood', 'note'],
  ),
  pair(
    'arrays, tuples, records, strict and loose objects',
    z.object({
      lines: z.array(z.object({ sku: z.string(), quantity: z.number() })).min(1).max(3),
      pair: z.tuple([z.string(), z.number()]),
      rest: z.tuple([z.string()], z.number()),
      totals: z.record(z.string(), z.number()),
      keyed: z.record(z.enum(['a', 'b']), z.boolean()),
      strict: z.strictObject({ a: z.string() }),
      loose: z.looseObject({ a: z.string() }),
    }),
    zm.object({
      lines: zm.array(zm.object({ sku: zm.string(), quantity: zm.number() })).check(zm.minLength(1), zm.maxLength(3)),
      pair: zm.tuple([zm.string(), zm.number()]),
      rest: zm.tuple([zm.string()], zm.number()),
      totals: zm.record(zm.string(), zm.number()),
      keyed: zm.record(zm.enum(['a', 'b']), zm.boolean()),
      strict: zm.strictObject({ a: zm.string() }),
      loose: zm.looseObject({ a: zm.string() }),
    }),
    [
      { lines: [{ sku: 'A', quantity: 1 }], pair: ['x', 1], rest: ['x', 1, 2], totals: { a: 1 }, keyed: { a: true, b: false }, strict: { a: 'x' }, loose: { a: 'x', extra: [1] } },
      { lines: [], pair: ['x'], rest: ['x', 'y'], totals: { a: '1' }, keyed: { a: true }, strict: { a: 'x', b: 1 }, loose: {} },
      { lines: [{ sku: 1 }, { quantity: 'x' }, {}, {}], pair: [1, 'x', 3] },
    ],
    ['lines.sku', 'lines.quantity', 'pair', 'totals'],
  ),
  pair(
    'unions, discriminated unions, intersections, exclusive unions',
    z.object({
      reference: z.union([z.string(), z.number()]),
      payment: z.discriminatedUnion('kind', [z.object({ kind: z.literal('card'), last4: z.string().length(4) }), z.object({ kind: z.literal('invoice'), dueDays: z.number().int() })]),
      both: z.intersection(z.object({ a: z.string() }), z.object({ b: z.number() })),
      one: z.xor([z.object({ a: z.string() }), z.object({ b: z.number() })]),
    }),
    zm.object({
      reference: zm.union([zm.string(), zm.number()]),
      payment: zm.discriminatedUnion('kind', [
        zm.object({ kind: zm.literal('card'), last4: zm.string().check(zm.length(4)) }),
        zm.object({ kind: zm.literal('invoice'), dueDays: zm.number().check(zm.int()) }),
      ]),
      both: zm.intersection(zm.object({ a: zm.string() }), zm.object({ b: zm.number() })),
      one: zm.xor([zm.object({ a: zm.string() }), zm.object({ b: zm.number() })]),
    }),
    [
      { reference: 'r', payment: { kind: 'card', last4: '4242' }, both: { a: 'x', b: 1 }, one: { a: 'x' } },
      { reference: true, payment: { kind: 'cash' }, both: { a: 'x' }, one: { a: 'x', b: 1 } },
      { reference: 1, payment: { kind: 'invoice', dueDays: 1.5 }, both: {}, one: {} },
    ],
    ['reference', 'payment'],
  ),
  pair(
    'dates, ISO strings, template literals',
    z.object({ at: z.date().min(new Date('2020-01-01T00:00:00.000Z')), stamp: z.iso.datetime(), day: z.iso.date(), ref: z.templateLiteral(['order-', z.number()]) }),
    zm.object({ at: zm.date().check(zm.gte(new Date('2020-01-01T00:00:00.000Z'))), stamp: zm.iso.datetime(), day: zm.iso.date(), ref: zm.templateLiteral(['order-', zm.number()]) }),
    [
      { at, stamp: '2026-01-02T03:04:05Z', day: '2026-01-02', ref: 'order-12' },
      { at: new Date('2019-01-01T00:00:00.000Z'), stamp: '2026-01-02', day: '2026-13-45', ref: 'order-x' },
      { at: '2026-01-02T03:04:05.000Z', stamp: 1, day: null, ref: 'nope' },
      { at: new Date(Number.NaN) },
    ],
    ['ref', 'stamp'],
  ),
  pair(
    'coercion, transforms, pipes',
    z.object({ count: z.coerce.number(), label: z.coerce.string(), length: z.string().transform((text) => text.length), checked: z.string().pipe(z.email()) }),
    zm.object({
      count: zm.coerce.number(),
      label: zm.coerce.string(),
      length: zm.pipe(
        zm.string(),
        zm.transform((text: string) => text.length),
      ),
      checked: zm.pipe(zm.string(), zm.email()),
    }),
    [
      { count: '12', label: 5, length: 'four', checked: 'a@b.co' },
      { count: 'x', label: 5, length: 4, checked: 'nope' },
    ],
  ),
  pairWiderInput('string booleans (input type unknown with zod/mini)', z.object({ enabled: z.stringbool() }), zm.object({ enabled: zm.stringbool() }), [
    { enabled: 'yes' },
    { enabled: 'maybe' },
    { enabled: true },
  ]),
  pair(
    'refinements and custom messages',
    z
      .object({
        from: z.number(),
        to: z.number(),
        name: z.string().min(3, 'At least 3 characters').refine((text) => text !== 'root', { message: 'Reserved name', path: [] }),
        code: z.string({ error: (issue) => (issue.input === undefined ? 'Code is required' : 'Code must be text') }),
      })
      .refine((range) => range.from <= range.to, { message: 'from must not be after to', path: ['to'] })
      .superRefine((range, context) => {
        if (range.to - range.from > 10) context.addIssue({ code: 'custom', message: 'at most 10 apart', path: ['to'] });
      }),
    zm
      .object({
        from: zm.number(),
        to: zm.number(),
        name: zm.string().check(zm.minLength(3, 'At least 3 characters'), zm.refine((text) => text !== 'root', { message: 'Reserved name', path: [] })),
        code: zm.string({ error: (issue) => (issue.input === undefined ? 'Code is required' : 'Code must be text') }),
      })
      .check(
        zm.refine((range) => range.from <= range.to, { message: 'from must not be after to', path: ['to'] }),
        zm.superRefine((range, context) => {
          if (range.to - range.from > 10) context.addIssue({ code: 'custom', message: 'at most 10 apart', path: ['to'] });
        }),
      ),
    [
      { from: 1, to: 2, name: 'ada', code: 'x' },
      { from: 3, to: 2, name: 'ab', code: 1 },
      { from: 1, to: 20, name: 'root' },
    ],
  ),
  pair(
    'recursive schemas and brands',
    z.object({ tree: classicTree, sku: z.string().brand<'Sku'>() }),
    zm.object({ tree: miniTree, sku: zm.string().brand<'Sku'>() }),
    [
      { tree: { name: 'root', children: [{ name: 'leaf', children: [] }] }, sku: 'A-1' },
      { tree: { name: 'root', children: [{ name: 1, children: [{}] }] }, sku: 1 },
    ],
    ['sku', 'tree.name'],
  ),
  pair(
    'types no store keeps (refused by the compiler, naming the field)',
    z.object({
      big: z.bigint(),
      map: z.map(z.string(), z.number()),
      set: z.set(z.string()),
      symbol: z.symbol(),
      nan: z.nan(),
      promise: z.promise(z.string()),
      custom: z.custom<Date>((value) => value instanceof Date),
      instance: z.instanceof(URL),
      nothing: z.undefined(),
      empty: z.void(),
      file: z.file(),
      nested: z.array(z.object({ when: z.optional(z.bigint()) })),
      big1: z.literal(1n),
    }),
    zm.object({
      big: zm.bigint(),
      map: zm.map(zm.string(), zm.number()),
      set: zm.set(zm.string()),
      symbol: zm.symbol(),
      nan: zm.nan(),
      promise: zm.promise(zm.string()),
      custom: zm.custom<Date>((value) => value instanceof Date),
      instance: zm.instanceof(URL),
      nothing: zm.undefined(),
      empty: zm.void(),
      file: zm.file(),
      nested: zm.array(zm.object({ when: zm.optional(zm.bigint()) })),
      big1: zm.literal(1n),
    }),
    [],
  ),
];

const converters = await jsonSchemaConverters();

/** What the runtime does with `payload` as an inbound event of this schema: the stored payload, or the error. */
async function appended(schema: SchemaLike, payload: unknown): Promise<unknown> {
  type In = { [type: string]: unknown };
  const rules: Rules<{ last?: unknown }, In, never> = { THING_HAPPENED: ({ current }) => ({ last: current }) };
  const aggregate = new Aggregate<{ last?: unknown }, unknown, never>({
    type: 'THING',
    store: new InMemoryEventStore(),
    processor: new Processor<{ last?: unknown }, In, never>(rules, () => ({})) as never,
    schemas: { inbound: { THING_HAPPENED: schema as RuntimeSchema } },
  });
  try {
    const result = await aggregate.append('t-1', createEvent('THING_HAPPENED', payload));
    const stored: unknown[] = [];
    for await (const record of aggregate.history('t-1')) stored.push(record.payload);
    return { stored, state: result.snapshot.state };
  } catch (error) {
    const { name, message } = error as Error;
    return { name, message, ...(error as object) };
  }
}

describe('zod/mini schemas, compiled and validated exactly like zod', () => {
  it('tells zod/mini schemas from classic zod ones', () => {
    expect(cases.map((one) => [isZodMini(one.zod), isZodMini(one.mini)])).to.deep.equal(cases.map(() => [false, true]));
    expect(isZodMini(z.string())).to.equal(false);
    expect(isZodMini(zm.string())).to.equal(true);
  });

  for (const one of cases) {
    describe(one.name, () => {
      it('gives byte-identical JSON Schemas, of the input (inbound events) and of the output (outbound events, state)', () => {
        for (const io of ['input', 'output'] as const) {
          const classic = JSON.stringify(toJsonSchema(converters, one.zod, io), null, 2);
          expect(classic.length, 'a schema with content').to.be.greaterThan(40);
          expect(JSON.stringify(toJsonSchema(converters, one.mini, io), null, 2), io).to.equal(classic);
        }
      });

      it('refuses the same unstorable fields with the same messages', () => {
        expect(unstorableFields(one.mini)).to.deep.equal(unstorableFields(one.zod));
      });

      if (one.values.length > 0) {
        it('stores the same parsed payloads, and throws the same ValidationError (issues, paths, messages) for invalid ones', async () => {
          const outcomes = { zod: [] as unknown[], mini: [] as unknown[] };
          for (const value of one.values) {
            outcomes.zod.push(await appended(one.zod, value));
            outcomes.mini.push(await appended(one.mini, value));
          }
          expect(outcomes.zod.some((outcome) => (outcome as { name?: string }).name === 'ValidationError'), 'an invalid sample').to.equal(true);
          expect(outcomes.zod.some((outcome) => 'stored' in (outcome as object)), 'a valid sample').to.equal(true);
          expect(outcomes.mini).to.deep.equal(outcomes.zod);
        });
      }

      if (one.paths) {
        it('gives the same index key accessor, or the same refusal, for each state path', () => {
          for (const path of one.paths!) expect(statePathAccessor(one.mini, path), path).to.deep.equal(statePathAccessor(one.zod, path));
        });
      }
    });
  }

  it('refuses every unstorable type, naming each field (the zod/mini case above is not vacuous)', () => {
    const refused = cases.find((one) => one.name.startsWith('types no store keeps'))!;
    expect(unstorableFields(refused.mini).map((field) => field.path)).to.deep.equal([
      '.big',
      '.map',
      '.set',
      '.symbol',
      '.nan',
      '.promise',
      '.custom',
      '.instance',
      '.nothing',
      '.empty',
      '.file',
      '.nested[].when',
      '.big1',
    ]);
  });
});
