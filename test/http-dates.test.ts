/**
 * Dates over HTTP: JSON has no dates, so a `z.date()` field of an inbound event arrives as an
 * RFC 3339 string (what openapi.json says: `format: date-time`). The handler reads it into a
 * `Date` wherever the event's schema has a date, before validation, for zod 4, zod/mini and
 * zod 3 schemas alike; a string that is no date-time is a 400 naming its place.
 */
import { expect } from 'chai';
import * as z from 'zod';
import * as zm from 'zod/mini';
import * as z3 from 'zod/v3';
import { Aggregate, InMemoryEventStore, Processor } from 'event-sourced-rules-engine';
import { createHttpHandler, type HttpApiResult } from 'event-sourced-rules-engine/http';
import { parseDateTime } from '../runtime/http/date-time.js';
import { reviveDates } from '../runtime/http/revive-dates.js';
import { httpApiEvent } from './support/http-api-event.js';

/** The same payload schema in three zod flavours: dates in every kind of position. */
const SCHEDULED = {
  zod: z.object({
    at: z.date(),
    window: z.object({ from: z.date(), to: z.date().optional() }),
    stamps: z.array(z.date()),
    due: z.date().nullable(),
    since: z.date().default(() => new Date(0)),
    when: z.union([z.number(), z.date()]),
    plan: z.discriminatedUnion('kind', [z.object({ kind: z.literal('once'), at: z.date() }), z.object({ kind: z.literal('never') })]),
    label: z.union([z.string(), z.date()]),
    byDay: z.record(z.string(), z.date()),
    pair: z.tuple([z.string(), z.date()]),
    tree: z.lazy(() => node),
  }),
  'zod/mini': zm.object({
    at: zm.date(),
    window: zm.object({ from: zm.date(), to: zm.optional(zm.date()) }),
    stamps: zm.array(zm.date()),
    due: zm.nullable(zm.date()),
    since: zm._default(zm.date(), () => new Date(0)),
    when: zm.union([zm.number(), zm.date()]),
    plan: zm.discriminatedUnion('kind', [zm.object({ kind: zm.literal('once'), at: zm.date() }), zm.object({ kind: zm.literal('never') })]),
    label: zm.union([zm.string(), zm.date()]),
    byDay: zm.record(zm.string(), zm.date()),
    pair: zm.tuple([zm.string(), zm.date()]),
    tree: zm.lazy(() => miniNode),
  }),
  'zod/v3': z3.object({
    at: z3.date(),
    window: z3.object({ from: z3.date(), to: z3.date().optional() }),
    stamps: z3.array(z3.date()),
    due: z3.date().nullable(),
    since: z3.date().default(() => new Date(0)),
    when: z3.union([z3.number(), z3.date()]),
    plan: z3.discriminatedUnion('kind', [z3.object({ kind: z3.literal('once'), at: z3.date() }), z3.object({ kind: z3.literal('never') })]),
    label: z3.union([z3.string(), z3.date()]),
    byDay: z3.record(z3.string(), z3.date()),
    pair: z3.tuple([z3.string(), z3.date()]),
    tree: z3.lazy(() => v3Node),
  }),
} as const;
type Node = { at: Date; children: Node[] };
const node: z.ZodType<Node> = z.object({ at: z.date(), children: z.array(z.lazy(() => node)) });
const miniNode: zm.ZodMiniType<Node> = zm.object({ at: zm.date(), children: zm.array(zm.lazy(() => miniNode)) });
const v3Node: z3.ZodType<Node> = z3.object({ at: z3.date(), children: z3.array(z3.lazy(() => v3Node)) });

const ISO = '2024-05-01T12:00:00.000Z';
const payload = {
  at: ISO,
  window: { from: '2024-05-01T14:00:00+02:00' },
  stamps: ['2024-05-01t12:00:00z', '2024-05-01T12:00:00.250Z'],
  due: null,
  when: '2024-05-01T12:00:00Z',
  plan: { kind: 'once', at: '0099-12-31T23:59:59Z' },
  label: '2024-05-01T12:00:00Z',
  byDay: { monday: '2024-02-29T00:00:00.120000Z' },
  pair: ['start', ISO],
  tree: { at: ISO, children: [{ at: '2024-05-02T00:00:00Z', children: [] }] },
};

function scheduler(schema: unknown) {
  return new Aggregate<{ count: number }, Record<string, unknown>>({
    type: 'SCHEDULE',
    store: new InMemoryEventStore(),
    processor: new Processor<{ count: number }, Record<string, unknown>>({ SCHEDULED: ({ state }) => ({ count: state.count + 1 }) }, () => ({ count: 0 })),
    schemas: { inbound: { SCHEDULED: schema as z.ZodType } },
  });
}
const post = (body: unknown) => httpApiEvent({ method: 'POST', path: '/schedule/s-1/events', json: body });
const parse = (result: HttpApiResult) => JSON.parse(result.body) as Record<string, any>;

describe('createHttpHandler: dates in inbound payloads, sent as RFC 3339 strings', () => {
  for (const [flavour, schema] of Object.entries(SCHEDULED)) {
    describe(`with ${flavour} schemas`, () => {
      it('reads every date-time string at a date position into a Date before validation: fields, nested, arrays, optional, nullable, default, unions, records, tuples, lazy', async () => {
        const aggregate = scheduler(schema);
        const handler = createHttpHandler({ aggregate, path: 'schedule' });
        const response = await handler(post({ events: [{ type: 'SCHEDULED', payload }] }));
        expect(response.statusCode, response.body).to.equal(201);
        const records = [];
        for await (const record of aggregate.history('s-1')) records.push(record);
        const stored = records[0]!.payload as Record<string, any>;
        const time = (value: unknown) => (expect(value).to.be.instanceOf(Date), (value as Date).toISOString());
        expect(time(stored.at)).to.equal(ISO);
        expect(time(stored.window.from)).to.equal(ISO); // 14:00 at +02:00
        expect(stored.window).to.not.have.property('to');
        expect(stored.stamps.map(time)).to.deep.equal([ISO, '2024-05-01T12:00:00.250Z']);
        expect(stored.due).to.equal(null);
        expect(time(stored.since)).to.equal('1970-01-01T00:00:00.000Z'); // the default, as zod gives it
        expect(time(stored.when)).to.equal(ISO); // a number or a date: a string can only be the date
        expect(time(stored.plan.at)).to.equal('0099-12-31T23:59:59.000Z');
        expect(stored.label, 'a string or a date: the string as sent is a valid string').to.equal('2024-05-01T12:00:00Z');
        expect(time(stored.byDay.monday)).to.equal('2024-02-29T00:00:00.120Z');
        expect(stored.pair[0]).to.equal('start');
        expect(time(stored.pair[1])).to.equal(ISO);
        expect(time(stored.tree.children[0].at)).to.equal('2024-05-02T00:00:00.000Z');
        // the response carries the dates as ISO strings
        expect(parse(response).events[0].payload.window.from).to.equal(ISO);
      });

      it('answers 400 with the JSON Pointer of every string that is no date-time, and writes nothing', async () => {
        const aggregate = scheduler(schema);
        const handler = createHttpHandler({ aggregate, path: 'schedule' });
        const bad = {
          ...payload,
          at: '2024-05-01 12:00:00',
          window: { from: '2023-02-29T00:00:00Z' },
          stamps: [ISO, 'yesterday'],
          plan: { kind: 'once', at: '2024-05-01T12:00:00.123456Z' },
          pair: ['start', '2016-12-31T23:59:60Z'],
          tree: { at: ISO, children: [{ at: '2024-05-01T12:00:00', children: [] }] },
        };
        const response = await handler(post({ events: [{ type: 'SCHEDULED', payload }, { type: 'SCHEDULED', payload: bad }] }));
        expect(response.statusCode, response.body).to.equal(400);
        const issues = parse(response).issues as { path: string; message: string }[];
        const byPath = Object.fromEntries(issues.map((issue) => [issue.path, issue.message]));
        expect(byPath['/events/1/payload/at']).to.match(/RFC 3339 date-time with a time zone/);
        expect(byPath['/events/1/payload/window/from']).to.match(/2023-02-29 is not a calendar date/);
        expect(byPath['/events/1/payload/stamps/1']).to.match(/RFC 3339/);
        expect(byPath['/events/1/payload/plan/at']).to.match(/more precise than a millisecond/);
        expect(byPath['/events/1/payload/pair/1']).to.match(/leap second/);
        expect(byPath['/events/1/payload/tree/children/0/at']).to.match(/RFC 3339/);
        expect((await handler(httpApiEvent({ method: 'GET', path: '/schedule/s-1' }))).statusCode).to.equal(404);
      });
    });
  }

  it('leaves a payload without dates, and a schema-less aggregate’s payload, as sent', async () => {
    const plain = { text: '2024-05-01T12:00:00Z', list: [1, 2] };
    expect(reviveDates(z.object({ text: z.string(), list: z.array(z.number()) }), plain).value).to.equal(plain);
    expect(reviveDates(undefined, plain).value).to.equal(plain);
    expect(reviveDates(z.object({ at: z.coerce.date() }), { at: '2024' }).value, 'z.coerce.date() is left to zod').to.deep.equal({ at: '2024' });
    // a schema whose insides cannot be read (a zod yet to come): the payload goes to validation as sent
    const unreadable = { _zod: { def: { type: 'object', get shape(): never { throw new Error('not here') } } } };
    expect(reviveDates(unreadable, plain)).to.deep.equal({ value: plain, invalid: [] });
  });

  it('copies what it changes, and keeps an own __proto__ key an own key', () => {
    const sent = JSON.parse('{"__proto__": "2024-05-01T12:00:00Z", "other": "2024-05-01T12:00:00Z"}') as Record<string, unknown>;
    const { value } = reviveDates(z.record(z.string(), z.date()), sent) as { value: Record<string, unknown> };
    expect(Object.getPrototypeOf(value)).to.equal(Object.prototype);
    expect(Object.hasOwn(value, '__proto__')).to.equal(true);
    expect(Object.getOwnPropertyDescriptor(value, '__proto__')!.value).to.be.instanceOf(Date);
    expect(sent.other).to.equal('2024-05-01T12:00:00Z');
  });
});

describe('parseDateTime: RFC 3339 date-times into Dates, exactly or not at all', () => {
  const ok = (text: string) => {
    const date = parseDateTime(text);
    expect(date, text).to.be.instanceOf(Date);
    return (date as Date).toISOString();
  };
  const refused = (text: string) => {
    const date = parseDateTime(text);
    expect(date, text).to.not.be.instanceOf(Date);
    return (date as { reason: string }).reason;
  };

  it('reads Z and offsets, either case, fractions to the millisecond, leap days, years before 100', () => {
    expect(ok('2024-05-01T12:00:00Z')).to.equal('2024-05-01T12:00:00.000Z');
    expect(ok('2024-05-01t12:00:00z')).to.equal('2024-05-01T12:00:00.000Z');
    expect(ok('2024-05-01T00:30:00-05:30')).to.equal('2024-05-01T06:00:00.000Z');
    expect(ok('2024-05-01T12:00:00.5Z')).to.equal('2024-05-01T12:00:00.500Z');
    expect(ok('2024-05-01T12:00:00.123000000Z')).to.equal('2024-05-01T12:00:00.123Z');
    expect(ok('2000-02-29T00:00:00Z')).to.equal('2000-02-29T00:00:00.000Z');
    expect(ok('0001-01-01T00:00:00Z')).to.equal('0001-01-01T00:00:00.000Z');
    expect(ok('9999-12-31T23:59:59.999+00:00')).to.equal('9999-12-31T23:59:59.999Z');
  });

  it('refuses what is no RFC 3339 date-time, or what a Date cannot hold exactly', () => {
    for (const text of ['2024-05-01', '2024-05-01T12:00:00', '2024-05-01 12:00:00Z', '2024-05-01T12:00Z', '2024-5-1T12:00:00Z', '+002024-05-01T12:00:00Z', '2024-05-01T12:00:00+0200', ' 2024-05-01T12:00:00Z']) {
      expect(refused(text), text).to.match(/RFC 3339/);
    }
    expect(refused('1900-02-29T00:00:00Z')).to.match(/not a calendar date/);
    expect(refused('2024-04-31T00:00:00Z')).to.match(/not a calendar date/);
    expect(refused('2024-13-01T00:00:00Z')).to.match(/not a calendar date/);
    expect(refused('2024-05-01T24:00:00Z')).to.match(/not a time of day/);
    expect(refused('2024-05-01T12:00:00+24:00')).to.match(/not a time zone offset/);
    expect(refused('2016-12-31T23:59:60Z')).to.match(/leap second/);
    expect(refused('2024-05-01T12:00:00.0001Z')).to.match(/more precise than a millisecond/);
  });
});
