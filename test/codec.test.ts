/**
 * The codec and its neighbours, beyond the contract table every store runs: the stored format
 * (old tagged dates still read), ids for any valid date, checked options, and isolation of a
 * corrupt record in every store that can hold one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { IDBKeyRange as FakeKeyRange, IDBFactory as FakeFactory } from 'fake-indexeddb';
import {
  Aggregate,
  CorruptRecordError,
  InMemoryEventStore,
  InvalidKeyError,
  InvalidOptionError,
  MAX_NESTING,
  Processor,
  UnsupportedValueError,
  createEvent,
  defineIndex,
  deserialize,
  fromPlain,
  newId,
  serialize,
  toPlain,
  type EventStore,
} from 'event-sourced-rules-engine';
import { CorruptStorageError, IndexedDBEventStore, MemoryStorage, WebStorageEventStore } from 'event-sourced-rules-engine/browser';
import { SqliteEventStore } from 'event-sourced-rules-engine/sqlite';

type Order = { items: { sku: string; at: Date }[] };

function orders(store: EventStore<any, any, any>, options: { retry?: false } = {}) {
  return new Aggregate<{ count: number }, Order, { count: number }>({
    type: 'ORDER',
    store,
    processor: new Processor<{ count: number }, Order, { count: number }>(
      {
        PLACED: (input) => {
          input.publish('COUNTED', { count: input.state.count + 1 });
          return { count: input.state.count + 1 };
        },
      },
      () => ({ count: 0 }),
    ),
    indexes: [],
    ...options,
  });
}

const placed = () => createEvent('PLACED', { items: [{ sku: 'a', at: new Date(1) }] });

async function rejection(run: () => Promise<unknown> | unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('codec', () => {
  describe('toPlain / fromPlain / serialize / deserialize', () => {
    it('reads dates tagged by earlier releases as Dates, unchanged', () => {
      const stored = '{"at":{"$date":"2024-01-02T03:04:05.678Z"},"list":[{"$date":"1969-12-31T23:59:59.999Z"}]}';
      const value = deserialize<{ at: Date; list: Date[] }>(stored);
      expect(value.at).to.be.instanceOf(Date);
      expect(value.at.toISOString()).to.equal('2024-01-02T03:04:05.678Z');
      expect(value.list[0]!.getTime()).to.equal(-1);
      expect(serialize(value)).to.equal(stored, 'dates are still written the same way');
    });

    it('keeps a payload that looks like a date tag as the object it is', () => {
      const lookAlike = { $date: '2024-01-02T03:04:05.678Z' };
      expect(fromPlain(toPlain(lookAlike))).to.deep.equal(lookAlike);
      expect(deserialize(serialize({ nested: lookAlike }))).to.deep.equal({ nested: lookAlike });
    });

    it('keeps -0 and an own __proto__ key', () => {
      const value = JSON.parse('{"__proto__":{"x":1},"zero":0}') as Record<string, unknown>;
      value.zero = -0;
      const back = deserialize<Record<string, unknown>>(serialize(value));
      expect(Object.is(back.zero, -0)).to.equal(true);
      expect(Object.keys(back)).to.deep.equal(['__proto__', 'zero']);
      expect(Object.getPrototypeOf(back)).to.equal(Object.prototype);
      expect(({} as Record<string, unknown>).x).to.equal(undefined, 'no prototype was polluted');
    });

    it('refuses unsupported values with UnsupportedValueError naming the path', () => {
      const error = (() => {
        try {
          toPlain({ items: [{}, {}, { at: new Map() }] });
        } catch (e) {
          return e;
        }
      })();
      expect(error).to.be.instanceOf(UnsupportedValueError);
      expect((error as UnsupportedValueError).path).to.equal('items[2].at');
      expect(() => toPlain({ 'odd key': 1n })).to.throw(UnsupportedValueError, /\["odd key"\]/);
    });

    it('counts nesting from the value: the limit is the same in a payload and in a state', async () => {
      const deep = (levels: number): unknown => (levels === 1 ? {} : { d: deep(levels - 1) });
      expect(() => toPlain(deep(MAX_NESTING))).not.to.throw();
      expect(() => toPlain(deep(MAX_NESTING + 1))).to.throw(UnsupportedValueError, /levels/);
      const store = new InMemoryEventStore();
      const error = await rejection(() =>
        orders(store).append({ id: 'deep', idempotencyKey: 'k' }, createEvent('PLACED', deep(MAX_NESTING + 1) as Order)),
      );
      expect((error as UnsupportedValueError).path).to.equal('payload' + '.d'.repeat(MAX_NESTING));
      await orders(store).append({ id: 'deep', idempotencyKey: 'k' }, createEvent('PLACED', deep(MAX_NESTING) as Order));
    });
  });

  describe('the memory store behaves like the others', () => {
    it('refuses a Map in a payload, naming the path, and writes nothing', async () => {
      const store = new InMemoryEventStore();
      const event = createEvent('PLACED', { items: [{ sku: 'a', at: new Date(0) }, { sku: 'b', at: new Date(0) }, { sku: 'c', at: new Map() }] } as unknown as Order);
      const error = await rejection(() => orders(store).append('o-1', event));
      expect(error).to.be.instanceOf(UnsupportedValueError);
      expect((error as UnsupportedValueError).path).to.equal('payload.items[2].at');
      expect((error as Error).message).to.include(event.id);
      expect(await store.loadSnapshot({ type: 'ORDER', id: 'o-1' })).to.equal(undefined);
      expect(await store.pendingOutbox()).to.deep.equal([]);
    });
  });

  describe('ids and createEvent', () => {
    const times = [-8.64e15, -1e12, -1, 0, 1, Date.UTC(2026, 0, 1), 2 ** 50 - 1, 2 ** 50, 8.64e15];

    it('encodes any valid date, before 1970 and after 37648 too, and ids sort by time', () => {
      const ids = times.map((time) => createEvent('T', {}, { occurredAt: new Date(time) }).id);
      expect([...ids].sort()).to.deep.equal(ids);
      expect(new Set(ids).size).to.equal(ids.length);
      expect(ids[0]).to.match(/^-[0-9A-HJKMNP-TV-Z]{27}$/);
      expect(ids[5]).to.match(/^[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(ids[8]).to.match(/^~[0-9A-HJKMNP-TV-Z]{27}$/);
    });

    it('makes a 1969 event in a fresh id space without "exhausted" errors, also after newer ids', () => {
      newId();
      const early = [1, 2, 3].map(() => createEvent('T', {}, { occurredAt: new Date('1969-07-20T20:17:40Z') }).id);
      expect([...early].sort()).to.deep.equal(early, 'ids of one millisecond sort in creation order');
      expect(early[0]! < newId()).to.equal(true);
    });

    it('refuses an invalid date, a non-Date, an ill-formed type or id with typed errors', () => {
      expect(() => createEvent('T', {}, { occurredAt: new Date(Number.NaN) })).to.throw(InvalidOptionError, /occurredAt/);
      expect(() => createEvent('T', {}, { occurredAt: '2020-01-01' as unknown as Date })).to.throw(InvalidOptionError, /occurredAt/);
      expect(() => createEvent('T\uD800', {})).to.throw(InvalidKeyError, /event type/);
      expect(() => createEvent('T', {}, { id: 'x\uDC00' })).to.throw(InvalidKeyError, /event id/);
      expect(() => newId(Number.NaN)).to.throw(InvalidOptionError);
      expect(() => newId(8.64e15 + 1)).to.throw(InvalidOptionError);
    });

    it('keeps ids of "now" in creation order', () => {
      const ids = Array.from({ length: 500 }, () => newId());
      expect([...ids].sort()).to.deep.equal(ids);
    });
  });

  describe('option checks', () => {
    const store = new InMemoryEventStore();

    it('history: pageSize must be a positive integer, afterSequence a non-negative integer', async () => {
      const aggregate = orders(store);
      for (let i = 0; i < 5; i++) await aggregate.append('h', placed());
      for (const options of [{ pageSize: 2.5 }, { pageSize: Number.NaN }, { pageSize: 0 }, { afterSequence: -5 }, { afterSequence: 1.5 }]) {
        expect(() => aggregate.history('h', options), JSON.stringify(options)).to.throw(InvalidOptionError);
      }
      let count = 0;
      for await (const _ of aggregate.history('h', { pageSize: 2 })) count++;
      expect(count).to.equal(5);
    });

    it('retry: attempts a positive integer, delays finite numbers ≥ 0, or false', () => {
      const make = (retry: unknown) => () => new Aggregate({ type: 'X', store, processor: new Processor({}, () => 0) as never, retry: retry as never });
      for (const retry of [{ attempts: 0 }, { attempts: 2.5 }, { attempts: Number.NaN }, { baseDelayMs: -1 }, { maxDelayMs: Number.POSITIVE_INFINITY }, null, 'often', true]) {
        expect(make(retry), JSON.stringify(retry)).to.throw(InvalidOptionError);
      }
      expect(make(false)).not.to.throw();
      expect(make({ attempts: 3 })).not.to.throw();
    });

    it('recalculate: window must be a positive integer', async () => {
      const aggregate = orders(store);
      await aggregate.append('w', placed());
      for (const window of [0, 2.5, Number.NaN, -1]) {
        expect(await rejection(() => aggregate.recalculate('w', { window }))).to.be.instanceOf(InvalidOptionError);
      }
      expect((await aggregate.recalculate('w', { window: 1 })).sequence).to.equal(1);
    });

    it('store options and pendingOutbox limits are checked, not rounded', async () => {
      expect(() => new InMemoryEventStore({ pageSize: 0.5 })).to.throw(InvalidOptionError);
      expect(await rejection(() => store.pendingOutbox({ limit: -1 }))).to.be.instanceOf(InvalidOptionError);
      expect(await rejection(() => orders(store).append({ id: 'i', idempotencyKey: '\uD800' }, placed()))).to.be.instanceOf(InvalidKeyError);
      expect(await rejection(() => orders(store).get('\uDFFF'))).to.be.instanceOf(InvalidKeyError);
    });
  });

  describe('a corrupt record affects only its own aggregate', () => {
    /** Two aggregates with pending outbox records and index entries; then `corrupt` breaks aggregate "x". */
    async function scenario(store: EventStore<any, any, any>, corrupt: () => Promise<void> | void, reported: CorruptRecordError[]) {
      const aggregate = new Aggregate<{ tag: string }, { tag: string }, { tag: string }>({
        type: 'TAGGED',
        store,
        processor: new Processor<{ tag: string }, { tag: string }, { tag: string }>(
          {
            TAGGED: (input) => {
              input.publish('RETAGGED', { tag: input.current.tag });
              return { tag: input.current.tag };
            },
          },
          () => ({ tag: '' }),
        ),
        indexes: [defineIndex<{ tag: string }>('byTag', (snapshot) => snapshot.state.tag)],
      });
      for (const id of ['w', 'x', 'y']) await aggregate.append(id, createEvent('TAGGED', { tag: 'shared' }));
      await corrupt();
      const pending = await store.pendingOutbox({ limit: 100 });
      expect(pending.map((record) => record.aggregateId).sort()).to.deep.equal(['w', 'y'], "the others' records are still relayed");
      const shared = await aggregate.query('byTag', 'shared');
      expect(shared.map((snapshot) => snapshot.aggregateId)).to.deep.equal(['w', 'y'], "the others' index entries still answer");
      expect(reported.length).to.be.at.least(2, 'each skipped record is reported');
      for (const error of reported) expect(error).to.be.instanceOf(CorruptRecordError);
      expect((await aggregate.get('y')).state.tag).to.equal('shared');
      return reported;
    }

    it('Web Storage: a corrupt outbox or index key of x is skipped and reported by key; reads of x name the key', async () => {
      const storage = new MemoryStorage();
      const reported: CorruptRecordError[] = [];
      const store = new WebStorageEventStore({ storage, onCorruptRecord: (error) => reported.push(error) });
      await scenario(store, () => {
        storage.setItem('esre/outbox/TAGGED/x', '[{"c":');
        storage.setItem('esre/index/TAGGED/byTag/shared/x', 'null');
        storage.setItem('esre/snapshot/TAGGED/x', '{"v":1,"snapshot":');
      }, reported);
      expect(reported.map((error) => error.key).sort()).to.deep.equal(['esre/index/TAGGED/byTag/shared/x', 'esre/outbox/TAGGED/x']);
      const error = await rejection(() => store.loadSnapshot({ type: 'TAGGED', id: 'x' }));
      expect(error).to.be.instanceOf(CorruptStorageError);
      expect((error as CorruptStorageError).key).to.equal('esre/snapshot/TAGGED/x');
    });

    it('SQLite: a corrupt outbox row or index row of x is skipped and reported by key', async () => {
      const folder = mkdtempSync(join(tmpdir(), 'esre-codec-'));
      try {
        const filename = join(folder, 'corrupt.db');
        const reported: CorruptRecordError[] = [];
        const store = new SqliteEventStore({ filename, onCorruptRecord: (error) => reported.push(error) });
        await scenario(store, () => {
          const db = new Database(filename);
          db.prepare("UPDATE esre_outbox SET body = '{oops' WHERE aggregate_id = 'x'").run();
          db.prepare("UPDATE esre_index_entries SET body = '[' WHERE aggregate_id = 'x'").run();
          db.close();
        }, reported);
        expect(reported.map((error) => error.key).join(' ')).to.match(/esre_outbox\/\w+/).and.match(/esre_index_entries\/TAGGED\/byTag\/shared\/x/);
        store.close();
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    });

    it('IndexedDB: a corrupt outbox record or index entry of x is skipped and reported by key', async () => {
      const factory = new FakeFactory();
      const reported: CorruptRecordError[] = [];
      const store = new IndexedDBEventStore({ name: 'corrupt', indexedDB: factory, IDBKeyRange: FakeKeyRange, onCorruptRecord: (error) => reported.push(error) });
      await scenario(store, () => corruptIndexedDB(factory), reported);
      expect(reported.map((error) => error.key).join(' ')).to.include('corrupt/indexEntries/TAGGED/byTag/shared/x').and.include('corrupt/outbox/');
      await store.close();
    });

    it('IndexedDB: records stored by structured clone before the codec still read as they were', async () => {
      const factory = new FakeFactory();
      const store = new IndexedDBEventStore({ name: 'legacy', indexedDB: factory, IDBKeyRange: FakeKeyRange });
      await orders(store).append('new', placed());
      const legacy = { aggregateType: 'ORDER', aggregateId: 'old', sequence: 1, state: { count: 1, lookAlike: { $date: 'x' } }, updatedAt: new Date(5) };
      await putRaw(factory, 'legacy', 'snapshots', legacy);
      expect(await store.loadSnapshot({ type: 'ORDER', id: 'old' })).to.deep.equal(legacy);
      await store.close();
    });
  });

  describe('idempotency with retry: false', () => {
    it('a same-key race on SQLite returns the first result to every caller', async () => {
      const folder = mkdtempSync(join(tmpdir(), 'esre-codec-'));
      try {
        const store = new SqliteEventStore({ filename: join(folder, 'race.db') });
        const aggregate = orders(store, { retry: false });
        const results = await Promise.all(Array.from({ length: 40 }, () => aggregate.append({ id: 'r', idempotencyKey: 'k' }, placed())));
        for (const result of results) expect(result).to.deep.equal(results[0]);
        expect((await aggregate.get('r')).sequence).to.equal(1);
        store.close();
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    });
  });
});

function openRaw(factory: IDBFactory, name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = factory.open(name);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function putRaw(factory: IDBFactory, name: string, storeName: string, value: unknown): Promise<void> {
  const db = await openRaw(factory, name);
  await new Promise<void>((resolve, reject) => {
    const tx = db.transaction([storeName], 'readwrite');
    tx.objectStore(storeName).put(value);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
  db.close();
}

/** Replaces the JSON of aggregate x's outbox record and index entry with text that is not JSON. */
async function corruptIndexedDB(factory: IDBFactory): Promise<void> {
  const db = await openRaw(factory, 'corrupt');
  await new Promise<void>((resolve, reject) => {
    const tx = db.transaction(['outbox', 'indexEntries'], 'readwrite');
    for (const storeName of ['outbox', 'indexEntries']) {
      const store = tx.objectStore(storeName);
      const cursor = store.openCursor();
      cursor.onsuccess = () => {
        const at = cursor.result;
        if (!at) return;
        const value = at.value as { json: string };
        if (value.json.includes('"aggregateId":"x"')) at.update({ ...value, json: '{broken' });
        at.continue();
      };
    }
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
  db.close();
}
