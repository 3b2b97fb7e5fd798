// Examples made from JSON Schemas (the request examples of openapi.json): deterministic, and
// valid for the schema they were made from.
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { expect } from 'chai';
import { z } from 'zod';
import { exampleOf } from '../compiler/json-schema-example.js';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);

/** The example of a zod schema's input JSON Schema, checked by ajv and by the zod schema itself. */
function checkedExample(schema: z.ZodType): unknown {
  const json = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
  const value = exampleOf(json);
  expect(value, JSON.stringify(json)).to.not.equal(undefined);
  expect(ajv.validate(json, value), `${JSON.stringify(value)}: ${ajv.errorsText()}`).to.equal(true);
  expect(schema.safeParse(value).success, JSON.stringify(value)).to.equal(true);
  return value;
}

describe('exampleOf: an example value from a JSON Schema', () => {
  it('uses a field’s default, const, first enum value, and leaves optional fields out', () => {
    const value = checkedExample(
      z.object({ limit: z.number().default(7), kind: z.literal('card'), status: z.enum(['new', 'open']), note: z.string().optional() }),
    );
    expect(value).to.deep.equal({ limit: 7, kind: 'card', status: 'new' });
  });

  it('writes format-aware placeholders for strings, within their length bounds and patterns', () => {
    const value = checkedExample(
      z.object({
        email: z.email(),
        id: z.uuid(),
        site: z.url(),
        at: z.iso.datetime(),
        day: z.iso.date(),
        ip: z.ipv4(),
        code: z.string().length(4),
        name: z.string().min(12).max(20),
        slug: z.string().regex(/^[a-z]+-\d$/),
      }),
    ) as Record<string, string>;
    expect(value.email).to.equal('user@example.com');
    expect(value.code).to.have.length(4);
    expect(value.slug).to.equal('example-1');
  });

  it('picks 1, 0 or -1 when the bounds allow, else the number next to a bound: positive, integer, multiples, exclusive and inclusive ranges', () => {
    expect(checkedExample(z.object({ n: z.number().positive() }))).to.deep.equal({ n: 1 });
    expect(checkedExample(z.object({ n: z.number().int().min(10).max(20) }))).to.deep.equal({ n: 10 });
    expect(checkedExample(z.object({ n: z.number().int().negative() }))).to.deep.equal({ n: -1 });
    expect(checkedExample(z.object({ n: z.number().multipleOf(5).gt(12) }))).to.deep.equal({ n: 15 });
    expect(checkedExample(z.object({ n: z.number().gt(0).lt(1) }))).to.deep.equal({ n: 0.5 });
  });

  it('fills arrays to their minimum, tuples item by item, unions with their first non-null option, nested objects and records', () => {
    const value = checkedExample(
      z.object({
        tags: z.array(z.string()).min(2),
        pair: z.tuple([z.number(), z.boolean()]),
        either: z.union([z.null(), z.number().int()]),
        payment: z.discriminatedUnion('kind', [z.object({ kind: z.literal('card'), last4: z.string().length(4) }), z.object({ kind: z.literal('invoice') })]),
        address: z.object({ city: z.string(), zip: z.string().nullable() }),
        prices: z.record(z.string(), z.number()),
      }),
    );
    expect(value).to.deep.include({ tags: ['string', 'string'], pair: [1, true], either: 1, prices: {} });
  });

  it('follows local references ($defs of recursive schemas)', () => {
    const node: z.ZodType = z.object({ name: z.string(), get children() {
      return z.array(node).optional();
    } });
    checkedExample(z.object({ root: node }));
  });

  it('gives undefined when it cannot make a value (callers then leave the example out)', () => {
    expect(exampleOf({ type: 'string', pattern: '^\\p{Lu}{3}\\d{5}$' })).to.equal(undefined);
    expect(exampleOf({ type: 'integer', minimum: 1, maximum: 1, multipleOf: 2 })).to.equal(undefined);
    expect(exampleOf({ type: 'object', properties: {}, required: ['missing'] })).to.equal(undefined);
  });

  it('is deterministic', () => {
    const schema = z.toJSONSchema(z.object({ a: z.array(z.object({ b: z.email(), c: z.number().min(3) })).min(3) }), { io: 'input' });
    expect(JSON.stringify(exampleOf(schema as Record<string, unknown>))).to.equal(JSON.stringify(exampleOf(schema as Record<string, unknown>)));
  });
});
