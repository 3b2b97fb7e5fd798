/**
 * The codec table of the EventStore contract: for each kind of value, in each place a store
 * keeps values (event payload, event metadata, snapshot state, index-entry snapshot, outbox
 * payload), either "reads back exactly" or "refused with UnsupportedValueError naming the
 * path, nothing written". Every store runs the same table (see `docs/codec.md`).
 */
import { InvalidKeyError, InvalidOptionError, UnsupportedValueError } from '../errors.js';
import { newId } from '../ids.js';
import { MAX_NESTING } from '../codec/tags.js';
import type { AggregateRef, Commit, EventRecord, EventStore, OutboxRecord, Snapshot } from '../types.js';
import { ensure, ensureExact } from './exact.js';

type AnyStore = EventStore<any, any, any>;

/** One row: a value, and either what it reads back as, or the path (below `v`) and reason of its refusal. */
export interface CodecRow {
  readonly name: string;
  /** A fresh value (rows that mutate or compare identity need a new one each time). */
  readonly value: () => unknown;
  /** What it reads back as (default: exactly itself). */
  readonly readsBackAs?: () => unknown;
  /** For refused values: the path below the value (`""`: the value itself; `.self`, `[1]`, ...). */
  readonly refused?: { readonly at: string; readonly reason: RegExp };
}

const EARLY = new Date(-8.64e15);
const LATE = new Date(8.64e15);

function nest(levels: number): unknown {
  let value: unknown = {};
  for (let i = 1; i < levels; i++) value = { d: value };
  return value;
}

function circular(): unknown {
  const value: Record<string, unknown> = { name: 'loop' };
  value.self = value;
  return value;
}

class Money {
  constructor(readonly amount: number) {}
}

/** The rows of the table. */
export const CODEC_ROWS: readonly CodecRow[] = [
  {
    name: 'JSON values (strings, numbers, booleans, null, arrays, objects)',
    value: () => ({ s: 'text é 😀', n: 1.5, i: -3, big: Number.MAX_SAFE_INTEGER, tiny: 5e-324, huge: 1e308, t: true, f: false, z: null, a: [1, 'x', { y: [] }], o: { deep: { er: 'ok' } }, empty: {}, none: [] }),
  },
  { name: 'a string holding a lone surrogate (as a value, not a key)', value: () => ['\uD800', 'x\uDC00y'] },
  { name: 'valid Dates, before 1970 and at both ends of the Date range', value: () => [new Date('1969-07-20T20:17:40.000Z'), new Date(0), EARLY, LATE, new Date('2024-02-29T12:00:00.123Z')] },
  { name: 'negative zero', value: () => ({ zero: -0, list: [-0, 0] }) },
  { name: 'an own __proto__ key', value: () => JSON.parse('{"amount":1,"__proto__":{"polluted":true}}') as unknown },
  { name: 'own constructor, prototype and toString keys', value: () => ({ constructor: 'c', prototype: { x: 1 }, toString: 't', hasOwnProperty: 1 }) },
  {
    name: "objects that look like the codec's tags",
    value: () => [{ $date: '2020-01-01T00:00:00.000Z' }, { $number: '-0' }, { $object: { a: 1 } }, { $date: 5 }, { $date: 'x', other: 1 }, { $object: { $date: '2020-01-01T00:00:00.000Z' } }],
  },
  {
    name: 'an object property whose value is undefined (the same as an absent one)',
    value: () => ({ kept: 1, gone: undefined, inner: { gone: undefined } }),
    readsBackAs: () => ({ kept: 1, inner: {} }),
  },
  { name: `nesting ${MAX_NESTING} levels deep (the limit)`, value: () => nest(MAX_NESTING - 1) },
  { name: 'a Map', value: () => new Map([['a', 1]]), refused: { at: '', reason: /Map/ } },
  { name: 'a Set', value: () => ({ tags: new Set(['a']) }), refused: { at: '.tags', reason: /Set/ } },
  { name: 'a bigint', value: () => ({ amount: 10n }), refused: { at: '.amount', reason: /bigint/ } },
  { name: 'a typed array', value: () => [new Uint8Array([1, 2])], refused: { at: '[0]', reason: /binary/ } },
  { name: 'an ArrayBuffer', value: () => new ArrayBuffer(2), refused: { at: '', reason: /binary/ } },
  { name: 'a function', value: () => ({ call: () => 1 }), refused: { at: '.call', reason: /function/ } },
  { name: 'a symbol', value: () => ({ s: Symbol('s') }), refused: { at: '.s', reason: /symbol/ } },
  { name: 'a symbol-keyed property', value: () => ({ [Symbol('k')]: 1 }), refused: { at: '', reason: /symbol/ } },
  { name: 'a class instance other than Date', value: () => ({ price: new Money(5) }), refused: { at: '.price', reason: /Money/ } },
  { name: 'an invalid Date', value: () => ({ at: new Date(Number.NaN) }), refused: { at: '.at', reason: /invalid Date/ } },
  { name: 'NaN', value: () => [1, Number.NaN], refused: { at: '[1]', reason: /finite/ } },
  { name: 'Infinity', value: () => ({ x: Number.POSITIVE_INFINITY }), refused: { at: '.x', reason: /finite/ } },
  { name: '-Infinity', value: () => ({ x: Number.NEGATIVE_INFINITY }), refused: { at: '.x', reason: /finite/ } },
  { name: 'undefined inside an array', value: () => [1, undefined], refused: { at: '[1]', reason: /undefined/ } },
  // eslint-disable-next-line no-sparse-arrays
  { name: 'a hole in an array', value: () => [1, , 2], refused: { at: '[1]', reason: /hole/ } },
  { name: 'a circular value', value: circular, refused: { at: '.self', reason: /circular/ } },
  { name: `nesting deeper than ${MAX_NESTING} levels`, value: () => nest(MAX_NESTING), refused: { at: '.d'.repeat(MAX_NESTING - 1), reason: /levels/ } },
];

/** Where a value can sit in a commit. */
interface Place {
  readonly name: string;
  /** The path of the value (`v`) in the record holding it. */
  readonly path: string;
  commit(ref: AggregateRef, value: unknown): Commit;
  read(store: AnyStore, ref: AggregateRef): Promise<unknown>;
}

const EVENT_TIME = new Date('2025-03-04T05:06:07.089Z');

function event(ref: AggregateRef, payload: unknown, metadata?: Record<string, unknown>): EventRecord {
  return {
    id: newId(),
    type: 'VALUE_STORED',
    payload,
    occurredAt: EVENT_TIME,
    ...(metadata ? { metadata } : {}),
    aggregateType: ref.type,
    aggregateId: ref.id,
    sequence: 1,
  };
}

function snapshot(ref: AggregateRef, state: unknown): Snapshot {
  return { aggregateType: ref.type, aggregateId: ref.id, sequence: 1, state, updatedAt: EVENT_TIME };
}

function commitOf(ref: AggregateRef, parts: { payload?: unknown; metadata?: unknown; state?: unknown; indexState?: unknown; outbox?: unknown }): Commit {
  const inbound = event(ref, parts.payload ?? { v: 'plain' }, parts.metadata === undefined ? undefined : { v: parts.metadata });
  const after = snapshot(ref, parts.state ?? { v: 'plain' });
  const outbox: OutboxRecord[] =
    parts.outbox === undefined
      ? []
      : [{ id: newId(), type: 'VALUE_PUBLISHED', payload: parts.outbox, occurredAt: EVENT_TIME, aggregateType: ref.type, aggregateId: ref.id, sequence: 1, position: 0, causationId: inbound.id }];
  return {
    ref,
    expectedSequence: 0,
    events: [inbound],
    snapshot: after,
    indexPuts: parts.indexState === undefined ? [] : [{ index: 'byValue', key: 'k', snapshot: snapshot(ref, parts.indexState) }],
    indexDeletes: [],
    outbox,
  };
}

async function firstEvent(store: AnyStore, ref: AggregateRef): Promise<EventRecord | undefined> {
  for await (const item of store.readHistory(ref)) return item;
  return undefined;
}

const PLACES: readonly Place[] = [
  {
    name: 'an event payload',
    path: 'payload.v',
    commit: (ref, value) => commitOf(ref, { payload: { v: value } }),
    read: async (store, ref) => ((await firstEvent(store, ref))?.payload as { v: unknown }).v,
  },
  {
    name: 'event metadata',
    path: 'metadata.v',
    commit: (ref, value) => commitOf(ref, { metadata: value }),
    read: async (store, ref) => ((await firstEvent(store, ref))?.metadata as { v: unknown }).v,
  },
  {
    name: 'a snapshot state',
    path: 'state.v',
    commit: (ref, value) => commitOf(ref, { state: { v: value } }),
    read: async (store, ref) => ((await store.loadSnapshot(ref))?.state as { v: unknown }).v,
  },
  {
    name: 'an index-entry snapshot',
    path: 'state.v',
    commit: (ref, value) => commitOf(ref, { indexState: { v: value } }),
    read: async (store, ref) => {
      const found = (await store.queryIndex(ref.type, 'byValue', 'k')).filter((entry) => entry.aggregateId === ref.id);
      return (found[0]?.state as { v: unknown } | undefined)?.v;
    },
  },
  {
    name: 'an outbox payload',
    path: 'payload.v',
    commit: (ref, value) => commitOf(ref, { outbox: { v: value } }),
    read: async (store, ref) => {
      const pending = await store.pendingOutbox({ limit: 100_000 });
      return (pending.find((record) => record.aggregateId === ref.id && record.aggregateType === ref.type)?.payload as { v: unknown }).v;
    },
  },
];

type Test = (title: string, body: (store: AnyStore, type: string) => Promise<void>) => void;

/** Adds the codec table's tests through `test` (one per value kind, each over every place). */
export function codecTableTests(test: Test): void {
  for (const row of CODEC_ROWS) {
    const title = row.refused
      ? `codec: refuses ${row.name} with UnsupportedValueError naming the path, writing nothing`
      : `codec: reads ${row.name} back exactly`;
    test(title, async (store, type) => {
      for (const [i, place] of PLACES.entries()) {
        const ref = { type, id: `codec-${i}` };
        const value = row.value();
        const commit = place.commit(ref, value);
        if (row.refused) {
          const error = await store.commit(commit).then(
            () => undefined,
            (e: unknown) => e,
          );
          ensure(error instanceof UnsupportedValueError, `${place.name}: expected UnsupportedValueError, got ${error === undefined ? 'success' : String(error)}`);
          ensure(error.path === place.path + row.refused.at, `${place.name}: error path ${JSON.stringify(error.path)}, expected ${JSON.stringify(place.path + row.refused.at)}`);
          ensure(row.refused.reason.test(error.message), `${place.name}: message ${JSON.stringify(error.message)} does not match ${row.refused.reason}`);
          ensure((await store.loadSnapshot(ref)) === undefined, `${place.name}: a snapshot was written`);
          ensure((await firstEvent(store, ref)) === undefined, `${place.name}: an event was written`);
          ensure((await store.queryIndex(type, 'byValue', 'k')).length === 0, `${place.name}: an index entry was written`);
          if (place.name === 'an outbox payload') {
            const pending = await store.pendingOutbox({ limit: 100_000 });
            ensure(!pending.some((record) => record.aggregateType === type), `${place.name}: an outbox record was written`);
          }
        } else {
          await store.commit(commit);
          const expected = row.readsBackAs ? row.readsBackAs() : row.value();
          ensureExact(await place.read(store, ref), expected, `${row.name} in ${place.name}`);
        }
      }
    });
  }
}

/** Keys (contract 2) and history options: the same typed errors in every store. */
export function keyAndOptionTests(test: Test): void {
  const illFormed = ['\uD800', 'x\uDC00', '\uDBFF\uDBFF'];
  test('keys: refuses ill-formed UTF-16 in aggregate ids, types, event types, index keys and idempotency keys with InvalidKeyError, writing nothing', async (store, type) => {
    const expectKeyError = async (what: string, run: () => Promise<unknown>) => {
      const error = await run().then(
        () => undefined,
        (e: unknown) => e,
      );
      ensure(error instanceof InvalidKeyError, `${what}: expected InvalidKeyError, got ${error === undefined ? 'success' : String(error)}`);
    };
    for (const bad of illFormed) {
      await expectKeyError(`aggregate id ${JSON.stringify(bad)}`, () => store.commit(commitOf({ type, id: bad }, {})));
      await expectKeyError(`aggregate type ${JSON.stringify(bad)}`, () => store.commit(commitOf({ type: type + bad, id: 'k' }, {})));
      const badEvent = commitOf({ type, id: 'bad-event' }, {});
      await expectKeyError(`event type ${JSON.stringify(bad)}`, () => store.commit({ ...badEvent, events: [{ ...badEvent.events[0]!, type: bad }] }));
      const indexed = commitOf({ type, id: 'bad-index' }, { indexState: { v: 1 } });
      await expectKeyError(`index key ${JSON.stringify(bad)}`, () => store.commit({ ...indexed, indexPuts: [{ ...indexed.indexPuts[0]!, key: bad }] }));
      const keyed = commitOf({ type, id: 'bad-idempotency' }, {});
      await expectKeyError(`idempotency key ${JSON.stringify(bad)}`, () =>
        store.commit({ ...keyed, idempotency: { key: bad, aggregateType: type, aggregateId: 'bad-idempotency', result: { snapshot: keyed.snapshot, events: keyed.events, outbound: [] }, createdAt: EVENT_TIME } }),
      );
      await expectKeyError('loadSnapshot', () => store.loadSnapshot({ type, id: bad }));
      await expectKeyError('readHistory', () => firstEvent(store, { type, id: bad }));
      await expectKeyError('queryIndex', () => store.queryIndex(type, 'byValue', bad));
      await expectKeyError('loadIdempotencyRecord', () => store.loadIdempotencyRecord({ type, id: 'k' }, bad));
    }
    for (const id of ['bad-event', 'bad-index', 'bad-idempotency']) {
      ensure((await store.loadSnapshot({ type, id })) === undefined, `${id}: nothing may be written`);
    }
    // Well-formed neighbours of the ill-formed keys stay apart.
    await store.commit(commitOf({ type, id: 'x?' }, { state: { v: 'question' } }));
    await store.commit(commitOf({ type, id: 'x\uFFFD' }, { state: { v: 'replacement' } }));
    await store.commit(commitOf({ type, id: 'x\uD83D\uDE00' }, { state: { v: 'emoji' } }));
    ensureExact((await store.loadSnapshot({ type, id: 'x?' }))?.state, { v: 'question' }, 'x?');
    ensureExact((await store.loadSnapshot({ type, id: 'x\uFFFD' }))?.state, { v: 'replacement' }, 'x\\uFFFD');
    ensureExact((await store.loadSnapshot({ type, id: 'x\uD83D\uDE00' }))?.state, { v: 'emoji' }, 'x\\uD83D\\uDE00');
  });

  test('history options: refuses a pageSize that is not a positive integer and an afterSequence that is not a non-negative integer with InvalidOptionError', async (store, type) => {
    const ref = { type, id: 'paged' };
    await store.commit(commitOf(ref, {}));
    for (const options of [{ pageSize: 2.5 }, { pageSize: Number.NaN }, { pageSize: 0 }, { pageSize: -1 }, { afterSequence: -5 }, { afterSequence: 0.5 }, { afterSequence: Number.NaN }]) {
      const read = async () => {
        for await (const _ of store.readHistory(ref, options)) return;
      };
      const error = await read().then(
        () => undefined,
        (e: unknown) => e,
      );
      ensure(error instanceof InvalidOptionError, `${JSON.stringify(options)}: expected InvalidOptionError, got ${error === undefined ? 'success' : String(error)}`);
    }
    ensure((await firstEvent(store, ref))?.sequence === 1, 'valid defaults still read');
    const error = await store.pendingOutbox({ limit: 2.5 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    ensure(error instanceof InvalidOptionError, `pendingOutbox limit 2.5: expected InvalidOptionError, got ${String(error)}`);
  });
}
