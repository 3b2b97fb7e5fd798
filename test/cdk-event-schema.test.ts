// The EventBridge schema of an outbound event: the generated payload JSON Schema (draft
// 2020-12) rewritten into draft-04, the dialect of EventBridge's schema registry.
import { expect } from 'chai';
import { z } from 'zod';
import { eventBridgeEventSchema, toDraft4, type JsonSchemaDocument } from 'event-sourced-rules-engine/cdk';

type Json = Record<string, unknown>;

/** What the compiler writes for an outbound payload (zod 4, output side, draft 2020-12). */
const generated = (schema: z.ZodType): JsonSchemaDocument => z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as JsonSchemaDocument;
/** zod's own draft-04 rendering of the same schema: an oracle independent of our conversion. */
const zodDraft4 = (schema: z.ZodType): Json => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any', target: 'draft-4' }) as Json;
  return rest;
};

/** Every `{ key: value }` pair anywhere in `value`, with its JSON path. */
function* entries(value: unknown, path = '#'): Generator<[string, string, unknown]> {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) yield* entries(item, `${path}/${index}`);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      yield [path, key, item];
      yield* entries(item, `${path}/${key}`);
    }
  }
}

/** Resolves a local JSON pointer (`#/a/b`) in `document`. */
function resolve(document: unknown, pointer: string): unknown {
  const parts = pointer === '#' ? [] : pointer.slice(2).split('/').map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  return parts.reduce<unknown>((node, part) => (node as Json | undefined)?.[part], document);
}

const Payment = z.object({
  amount: z.number().positive(),
  fee: z.number().min(1).gt(0),
  cap: z.number().lt(100).max(50),
  currency: z.literal('EUR'),
  status: z.enum(['open', 'closed']),
  pair: z.tuple([z.string(), z.number().int()]),
  tags: z.array(z.string()).max(3),
  totals: z.record(z.string(), z.number()),
  note: z.string().nullable(),
  customer: z.object({ id: z.string(), vip: z.boolean().optional() }),
});

describe('EventBridge event schemas (draft-04)', () => {
  it('rewrites the generated 2020-12 payload schema exactly as zod renders the same schema for draft-04', () => {
    const event = eventBridgeEventSchema('com.example.pay', 'PAYMENT_TAKEN', generated(Payment));
    const payload = ((event['properties'] as Json)['detail'] as { properties: Json }).properties['payload'];
    expect(payload).to.deep.equal(zodDraft4(Payment));
  });

  it('leaves no keyword that draft-04 reads differently or rejects', () => {
    const event = eventBridgeEventSchema('com.example.pay', 'PAYMENT_TAKEN', generated(Payment));
    const offending = [...entries(event)]
      .filter(([path, key, value]) => !/\/(properties|enum|required)$/.test(path) && (
        ((key === 'exclusiveMinimum' || key === 'exclusiveMaximum') && typeof value !== 'boolean') ||
        (key === 'items' && typeof value === 'boolean') ||
        ['const', 'prefixItems', '$defs', 'propertyNames'].includes(key) ||
        (key === '$schema' && path !== '#')))
      .map(([path, key]) => `${path}/${key}`);
    expect(offending).to.deep.equal([]);
  });

  it('moves definitions to the top level and points every reference (also a recursive `#`) at a schema in the document', () => {
    const Money = z.object({ amount: z.number().nonnegative(), currency: z.string() }).meta({ id: 'Money' });
    interface Category {
      name: string;
      children: Category[];
    }
    const Category: z.ZodType<Category> = z.lazy(() => z.object({ name: z.string(), children: z.array(Category) }));
    const payload = z.object({ price: Money, discount: Money.optional(), category: Category });
    const source = generated(payload);
    expect(JSON.stringify(source), 'the generated schema uses $defs and a reference').to.include('"$ref":"#');

    const event = eventBridgeEventSchema('com.example.shop', 'PRICED', source);
    const refs = [...entries(event)].filter(([, key]) => key === '$ref').map(([, , value]) => value as string);
    expect(refs.length).to.be.greaterThan(1);
    for (const ref of refs) {
      expect(ref, ref).to.match(/^#\//);
      const target = resolve(event, ref);
      expect(target, `${ref} resolves`).to.be.an('object').that.is.not.empty;
    }
    const money = resolve(event, '#/definitions/Money') as { properties: { amount: Json } };
    expect(money.properties.amount).to.deep.equal({ type: 'number', minimum: 0 });

    // A payload that contains itself: zod refers to it as `#`, the root of the payload document.
    const Tree: z.ZodType = z.object({
      name: z.string(),
      get children() {
        return z.array(Tree);
      },
    });
    const tree = eventBridgeEventSchema('com.example.shop', 'TREE_GROWN', generated(Tree));
    const items = resolve(tree, '#/properties/detail/properties/payload/properties/children/items') as { $ref: string };
    expect(generated(Tree)).to.have.nested.property('properties.children.items.$ref', '#');
    expect(resolve(tree, items.$ref)).to.have.nested.property('properties.name.type', 'string');
  });

  it('rewrites a recursive root reference to the payload, and keeps property names and data values that look like keywords', () => {
    const payload: JsonSchemaDocument = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: {
        const: { const: 3 },
        items: { type: 'array', prefixItems: [{ type: 'string' }], items: false },
        parent: { $ref: '#' },
        sibling: { $ref: '#/properties/const' },
        $schema: { type: 'string', default: { $ref: '#', const: 1 } },
      },
    };
    const converted = toDraft4(payload, { root: '#/properties/detail/properties/payload' });
    expect(converted).to.deep.equal({
      type: 'object',
      properties: {
        const: { enum: [3] },
        items: { type: 'array', items: [{ type: 'string' }], additionalItems: false },
        parent: { $ref: '#/properties/detail/properties/payload' },
        sibling: { $ref: '#/properties/detail/properties/payload/properties/const' },
        $schema: { type: 'string', default: { $ref: '#', const: 1 } },
      },
    });
  });

  it('keeps the stricter bound when both an inclusive and an exclusive one are given, and refuses what is not a schema', () => {
    const root = '#';
    expect(toDraft4({ minimum: 5, exclusiveMinimum: 2 }, { root })).to.deep.equal({ minimum: 5 });
    expect(toDraft4({ minimum: 2, exclusiveMinimum: 5 }, { root })).to.deep.equal({ minimum: 5, exclusiveMinimum: true });
    expect(toDraft4({ maximum: 2, exclusiveMaximum: 5 }, { root })).to.deep.equal({ maximum: 2 });
    expect(toDraft4({ maximum: 5, exclusiveMaximum: 5 }, { root })).to.deep.equal({ maximum: 5, exclusiveMaximum: true });
    expect(toDraft4({ not: false, anyOf: [true] }, { root })).to.deep.equal({ not: { not: {} }, anyOf: [{}] });
    expect(() => toDraft4('string', { root })).to.throw(TypeError, /Not a JSON Schema/);
  });
});
