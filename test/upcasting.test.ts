import { expect } from 'chai';
import {
  Aggregate,
  ConcurrencyError,
  EventVersionError,
  InMemoryEventStore,
  InvalidOptionError,
  MissingUpcasterError,
  Processor,
  UpcastError,
  UpcasterFailedError,
  createEvent,
  defineIndex,
  type Commit,
  type EventRecord,
  type EventStore,
  type Snapshot,
  type Upcasters,
} from 'event-sourced-rules-engine';
import { given } from 'event-sourced-rules-engine/testing';

/** `NAMED` at version 1 was `{ name }`, at 2 `{ first, last }`, at 3 `{ first, last, display }`. */
type NamedV3 = { first: string; last: string; display: string };
interface Person {
  display: string;
  renames: number;
}

const steps = {
  1: ({ name }: { name: string }) => {
    const [first = '', last = ''] = name.split(' ');
    return { first, last };
  },
  2: ({ first, last }: { first: string; last: string }): NamedV3 => ({ first, last, display: `${last}, ${first}` }),
};
const UPCASTERS: Upcasters = { NAMED: { version: 3, steps } };

const processor = () =>
  new Processor<Person, NamedV3 | { note: string }>(
    {
      NAMED: ({ state, current }) => {
        const named = current as NamedV3;
        if (typeof named.display !== 'string') throw new Error(`a rule saw an old payload: ${JSON.stringify(current)}`);
        return { display: named.display, renames: state.renames + 1 };
      },
      NOTED: ({ state }) => state,
    },
    () => ({ display: '', renames: 0 }),
  );

function people(store: EventStore<any, any, any>, options: { upcasters?: Upcasters; stateVersion?: number; retry?: false } = {}) {
  return new Aggregate<Person, any>({
    type: 'PERSON',
    store,
    processor: processor(),
    upcasters: options.upcasters ?? UPCASTERS,
    stateVersion: options.stateVersion ?? 1,
    retry: options.retry ?? false,
  });
}

/** Stores events as an older release wrote them: the given payloads and versions, through the store itself. */
async function storeOld(store: EventStore<any, any, any>, id: string, events: { type: string; payload: unknown; schemaVersion?: number }[]) {
  const records: EventRecord[] = events.map((event, index) => ({
    ...createEvent(event.type, event.payload),
    ...(event.schemaVersion === undefined ? {} : { schemaVersion: event.schemaVersion }),
    aggregateType: 'PERSON',
    aggregateId: id,
    sequence: index + 1,
  }));
  const snapshot = { aggregateType: 'PERSON', aggregateId: id, sequence: records.length, state: { display: 'old', renames: 0 }, updatedAt: new Date(0) };
  await store.commit({ ref: { type: 'PERSON', id }, expectedSequence: 0, events: records, snapshot, indexPuts: [], indexDeletes: [], outbox: [] });
}

/** The store, with `hook` run before each commit reaches it (to interleave another writer). */
function beforeCommit(inner: InMemoryEventStore, hook: (commit: Commit) => Promise<void>): EventStore<any, any, any> {
  return {
    commit: async (commit) => {
      await hook(commit);
      return inner.commit(commit);
    },
    loadSnapshot: (ref) => inner.loadSnapshot(ref),
    readHistory: (ref, options) => inner.readHistory(ref, options),
    queryIndex: (type, index, key) => inner.queryIndex(type, index, key),
    loadIdempotencyRecord: (ref, key) => inner.loadIdempotencyRecord(ref, key),
    pendingOutbox: (options) => inner.pendingOutbox(options),
    markPublished: (records) => inner.markPublished(records),
  } as EventStore<any, any, any>;
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('Upcasting', () => {
  describe('reading', () => {
    it('runs every step from the stored version to the current one, and marks the event current', async () => {
      const store = new InMemoryEventStore();
      await storeOld(store, 'p', [
        { type: 'NAMED', payload: { name: 'Ada Lovelace' } },
        { type: 'NAMED', payload: { first: 'Ada', last: 'King' }, schemaVersion: 2 },
        { type: 'NAMED', payload: { first: 'A', last: 'K', display: 'K, A' }, schemaVersion: 3 },
      ]);
      const history = await collect(people(store).history('p'));
      expect(history.map((event) => [event.schemaVersion, event.payload])).to.deep.equal([
        [3, { first: 'Ada', last: 'Lovelace', display: 'Lovelace, Ada' }],
        [3, { first: 'Ada', last: 'King', display: 'King, Ada' }],
        [3, { first: 'A', last: 'K', display: 'K, A' }],
      ]);
    });

    it('upcasts while the history streams: one step call per event read so far', async () => {
      const store = new InMemoryEventStore({ pageSize: 10 });
      await storeOld(store, 'long', Array.from({ length: 500 }, (_, i) => ({ type: 'NAMED', payload: { name: `P ${i}` } })));
      let calls = 0;
      const counting: Upcasters = { NAMED: { version: 2, steps: { 1: (payload: unknown) => (calls++, payload) } } };
      let read = 0;
      for await (const _ of people(store, { upcasters: counting }).history('long')) {
        if (++read === 3) break;
      }
      expect(calls).to.equal(3);
    });

    it('stamps new events with the current version of their type (1 for a type without upcasters)', async () => {
      const store = new InMemoryEventStore();
      const result = await people(store).append('new', createEvent('NAMED', { first: 'Grace', last: 'Hopper', display: 'Hopper, Grace' }), createEvent('NOTED', { note: 'x' }));
      expect(result.events.map((event) => event.schemaVersion)).to.deep.equal([3, 1]);
      expect((await collect(store.readHistory({ type: 'PERSON', id: 'new' }))).map((event) => event.schemaVersion)).to.deep.equal([3, 1]);
    });
  });

  describe('errors', () => {
    it('a missing step is a MissingUpcasterError naming aggregate, id, event type, sequence and versions', async () => {
      const store = new InMemoryEventStore();
      await storeOld(store, 'gap', [
        { type: 'NOTED', payload: { note: 'first' } },
        { type: 'NAMED', payload: { name: 'Ada Lovelace' } },
      ]);
      const aggregate = people(store, { upcasters: { NAMED: { version: 3, steps: { 2: steps[2] } } } });
      const error = await caught(collect(aggregate.history('gap')));
      expect(error).to.be.instanceOf(MissingUpcasterError).and.instanceOf(UpcastError);
      const missing = error as MissingUpcasterError;
      expect([missing.aggregateType, missing.aggregateId, missing.eventType, missing.sequence]).to.deep.equal(['PERSON', 'gap', 'NAMED', 2]);
      expect([missing.storedVersion, missing.currentVersion, missing.fromVersion]).to.deep.equal([1, 3, 1]);
      expect(missing.message).to.equal(
        'Cannot upcast NAMED (sequence 2) of PERSON "gap" from schema version 1 to 3: no upcaster step from version 1 to 2',
      );
      expect(await caught(aggregate.recalculate('gap'))).to.be.instanceOf(MissingUpcasterError);
    });

    it('a step that throws is an UpcasterFailedError with the thrown error as its cause; one returning undefined too', async () => {
      const store = new InMemoryEventStore();
      await storeOld(store, 'bad', [{ type: 'NAMED', payload: { name: 'Ada Lovelace' } }]);
      const boom = new Error('no name');
      const throwing = people(store, { upcasters: { NAMED: { version: 2, steps: { 1: () => { throw boom; } } } } });
      const error = (await caught(collect(throwing.history('bad')))) as UpcasterFailedError;
      expect(error).to.be.instanceOf(UpcasterFailedError);
      expect(error.cause).to.equal(boom);
      expect([error.eventType, error.sequence, error.fromVersion, error.currentVersion]).to.deep.equal(['NAMED', 1, 1, 2]);
      expect(error.message).to.contain('threw: no name');
      const silent = people(store, { upcasters: { NAMED: { version: 2, steps: { 1: () => undefined } } } });
      expect(await caught(collect(silent.history('bad')))).to.be.instanceOf(UpcasterFailedError).with.property('message').that.contains('returned undefined');
    });

    it('an event stored at a version newer than the code knows is an EventVersionError', async () => {
      const store = new InMemoryEventStore();
      await storeOld(store, 'future', [{ type: 'NAMED', payload: {}, schemaVersion: 4 }]);
      const error = (await caught(collect(people(store).history('future')))) as EventVersionError;
      expect(error).to.be.instanceOf(EventVersionError);
      expect([error.storedVersion, error.currentVersion]).to.deep.equal([4, 3]);
      expect(error.message).to.contain('written by newer code');
    });

    it('refuses malformed upcasters and versions when the aggregate is built', () => {
      const store = new InMemoryEventStore();
      expect(() => people(store, { upcasters: { NAMED: { version: 0, steps: {} } } })).to.throw(TypeError, /NAMED: `version` must be a positive integer/);
      expect(() => people(store, { upcasters: { NAMED: { version: 2, steps: { 1: 'nope' as never } } } })).to.throw(TypeError, /step 1 must be a function/);
      expect(() => people(store, { stateVersion: 1.5 })).to.throw(InvalidOptionError, /stateVersion/);
    });
  });

  describe('snapshots of another state or rules version', () => {
    it('get rebuilds, stores and returns the snapshot; the stored one of the old version is never returned', async () => {
      const store = new InMemoryEventStore();
      await storeOld(store, 'p', [{ type: 'NAMED', payload: { name: 'Ada Lovelace' } }]);
      const rebuilt = await people(store, { stateVersion: 2 }).get('p');
      expect(rebuilt).to.include({ sequence: 1, stateVersion: 2, rulesVersion: 1 });
      expect(rebuilt.state).to.deep.equal({ display: 'Lovelace, Ada', renames: 1 });
      expect(await store.loadSnapshot({ type: 'PERSON', id: 'p' })).to.deep.equal(rebuilt);
    });

    it('a rebuild that loses the race to an append returns the appended snapshot', async () => {
      const inner = new InMemoryEventStore();
      await storeOld(inner, 'race', [{ type: 'NAMED', payload: { name: 'Ada Lovelace' } }]);
      let interleaved = false;
      const store = beforeCommit(inner, async (commit) => {
        if (commit.events.length === 0 && !interleaved) {
          interleaved = true; // another writer gets in between the rebuild's read and its commit
          await people(inner, { stateVersion: 2 }).append('race', createEvent('NAMED', { first: 'B', last: 'C', display: 'C, B' }));
        }
      });
      const result = await people(store, { stateVersion: 2 }).get('race');
      expect(result).to.include({ sequence: 2, stateVersion: 2 });
      expect(result.state).to.deep.equal({ display: 'C, B', renames: 2 });
    });

    it('a rebuild that keeps losing gives up with ConcurrencyError when retries are off', async () => {
      const inner = new InMemoryEventStore();
      await storeOld(inner, 'busy', [{ type: 'NAMED', payload: { name: 'Ada Lovelace' } }]);
      const store = beforeCommit(inner, async (commit) => {
        if (commit.events.length > 0) return;
        const stored = (await inner.loadSnapshot(commit.ref))!;
        const sequence = stored.sequence + 1; // another writer appends an event before each rebuild commits
        const event = { ...createEvent('NOTED', { note: 'n' }), aggregateType: 'PERSON', aggregateId: 'busy', sequence };
        await inner.commit({ ...commit, expectedSequence: stored.sequence, events: [event], snapshot: { ...stored, sequence } });
      });
      expect(await caught(people(store, { stateVersion: 2 }).get('busy'))).to.be.instanceOf(ConcurrencyError);
    });

    it('appendTo rebuilds a snapshot of another version before the rules see it', async () => {
      const store = new InMemoryEventStore();
      await storeOld(store, 'p', [{ type: 'NAMED', payload: { name: 'Ada Lovelace' } }]);
      const stale = (await store.loadSnapshot({ type: 'PERSON', id: 'p' })) as Snapshot<Person>;
      const result = await people(store, { stateVersion: 2 }).appendTo(stale, createEvent('NOTED', { note: 'n' }));
      expect(result.snapshot.state).to.deep.equal({ display: 'Lovelace, Ada', renames: 1 });
      expect(result.snapshot).to.include({ sequence: 2, stateVersion: 2 });
    });

    it('query rebuilds a stale index entry, and drops one under a key the rebuilt snapshot no longer has', async () => {
      const store = new InMemoryEventStore<any, any, any>();
      const v1 = new Aggregate<{ name: string }, any>({
        type: 'CITY',
        store,
        processor: new Processor<{ name: string }, any>({ NAMED: ({ current }) => ({ name: current.name }) }, () => ({ name: '' })),
        indexes: [defineIndex<{ name: string }>('byName', (snapshot) => snapshot.state.name)],
      });
      await v1.append('c1', createEvent('NAMED', { name: 'Paris' }));
      await v1.append('c2', createEvent('NAMED', { name: 'Rome' }));
      // Version 2 keeps the name in `label` and files it upper-cased; its key function cannot read version-1 state.
      const v2 = new Aggregate<{ label: { text: string } }, any>({
        type: 'CITY',
        store,
        stateVersion: 2,
        processor: new Processor<{ label: { text: string } }, any>({ NAMED: ({ current }) => ({ label: { text: current.name } }) }, () => ({ label: { text: '' } })),
        indexes: [defineIndex<{ label: { text: string } }>('byName', (snapshot) => snapshot.state.label.text.toUpperCase())],
      });
      expect(await v2.query('byName', 'Paris')).to.deep.equal([]);
      expect(await store.queryIndex('CITY', 'byName', 'Paris'), 'the leftover entry is removed').to.deep.equal([]);
      const [paris] = await v2.query('byName', 'PARIS');
      expect(paris).to.include({ aggregateId: 'c1', stateVersion: 2 });
      expect(paris!.state).to.deep.equal({ label: { text: 'Paris' } });
      expect((await store.queryIndex('CITY', 'byName', 'Rome')).map((snapshot) => snapshot.stateVersion), 'untouched until met').to.deep.equal([1]);
    });
  });

  describe('given/when/then', () => {
    it('upcasts given events that carry an older version, and records read from a store without one, before the rules see them', () => {
      const aggregate = people(new InMemoryEventStore());
      given(aggregate, [{ ...createEvent('NAMED', { name: 'Ada Lovelace' }), schemaVersion: 1 }])
        .when(createEvent('NAMED', { first: 'Ada', last: 'King', display: 'King, Ada' }))
        .then({ display: 'King, Ada', renames: 2 });
      const stored = { ...createEvent('NAMED', { name: 'Ada Lovelace' }), aggregateType: 'PERSON', aggregateId: 'p', sequence: 1 };
      given(processor(), [stored], { upcasters: UPCASTERS }).when().then({ display: 'Lovelace, Ada', renames: 1 });
    });

    it('takes events made by createEvent as current, and reports an upcasting failure as the UpcastError', () => {
      given(people(new InMemoryEventStore()), [createEvent('NAMED', { first: 'A', last: 'B', display: 'B, A' })])
        .when()
        .then({ display: 'B, A', renames: 1 });
      const broken = given(processor(), [{ ...createEvent('NAMED', { name: 'Ada Lovelace' }), schemaVersion: 1 }], {
        upcasters: { NAMED: { version: 3, steps: {} } },
      }).when();
      expect(() => broken.then({ display: '', renames: 0 })).to.throw(MissingUpcasterError, /SCENARIO "scenario"/);
      expect(broken.thenThrows(MissingUpcasterError)).to.be.instanceOf(MissingUpcasterError);
    });
  });
});
