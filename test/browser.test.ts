import { expect } from 'chai';
import { IDBKeyRange as FakeKeyRange, IDBFactory as FakeFactory } from 'fake-indexeddb';
import { Aggregate, ConcurrencyError, Processor, StoreLimitError, createEvent, type Snapshot } from 'event-sourced-rules-engine';
import {
  CorruptStorageError,
  IndexedDBBlockedError,
  IndexedDBEventStore,
  IndexedDBVersionError,
  LocalStorageEventStore,
  MemoryStorage,
  StorageQuotaError,
  WebStorageEventStore,
  type StoreChange,
} from 'event-sourced-rules-engine/browser';
import { describeEventStoreContract } from 'event-sourced-rules-engine/testing';

interface Note {
  text: string;
  edits: number;
  at: Date | null;
}
type NoteEvent = { text: string; at: Date };

function notes(store: WebStorageEventStore<Note, NoteEvent, { text: string }> | IndexedDBEventStore<Note, NoteEvent, { text: string }>) {
  return new Aggregate<Note, NoteEvent, { text: string }>({
    type: 'NOTE',
    store,
    processor: new Processor<Note, NoteEvent, { text: string }>(
      {
        EDITED: (input) => {
          input.state.text = input.current.text;
          input.state.edits += 1;
          input.state.at = input.current.at;
          input.publish('NOTE_EDITED', { text: input.current.text });
          return input.state;
        },
      },
      () => ({ text: '', edits: 0, at: null }),
    ),
    retry: false,
  });
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** Everything stored about one aggregate, to compare before and after a failed commit. */
async function observe(store: WebStorageEventStore<any, any, any>, id: string) {
  const ref = { type: 'NOTE', id };
  return {
    snapshot: await store.loadSnapshot(ref),
    history: await collect(store.readHistory(ref)),
    outbox: await store.pendingOutbox({ limit: 1000 }),
  };
}

const edit = (text: string) => createEvent('EDITED', { text, at: new Date('2025-01-02T03:04:05.006Z') });

describe('browser stores (in Node)', () => {
  describeEventStoreContract('WebStorageEventStore on a MemoryStorage', () => new WebStorageEventStore({ storage: new MemoryStorage(), namespace: 'contract' }));

  const factory = new FakeFactory();
  describeEventStoreContract(
    'IndexedDBEventStore on fake-indexeddb',
    () => new IndexedDBEventStore({ name: 'contract', indexedDB: factory, IDBKeyRange: FakeKeyRange }),
  );

  describe('WebStorageEventStore', () => {
    it('keeps every key under its namespace, so two namespaces on one storage do not see each other', async () => {
      const storage = new MemoryStorage();
      const one = notes(new WebStorageEventStore({ storage, namespace: 'one' }));
      const two = notes(new WebStorageEventStore({ storage, namespace: 'two' }));
      await one.append('n1', edit('from one'));
      expect((await two.get('n1')).sequence).to.equal(0);
      expect(await two.store.pendingOutbox()).to.deep.equal([]);
      for (let i = 0; i < storage.length; i++) expect(storage.key(i)).to.match(/^one\//);
    });

    it('stores dates explicitly, as tagged JSON, and reads them back as Date objects', async () => {
      const storage = new MemoryStorage();
      const store = new WebStorageEventStore<Note, NoteEvent, { text: string }>({ storage });
      await notes(store).append('dated', edit('hello'));
      const raw = storage.getItem('esre/snapshot/NOTE/dated')!;
      expect(JSON.parse(raw).snapshot.state.at).to.deep.equal({ $date: '2025-01-02T03:04:05.006Z' });
      const snapshot = await store.loadSnapshot({ type: 'NOTE', id: 'dated' });
      expect(snapshot!.state.at).to.be.instanceOf(Date);
      const [event] = await collect(store.readHistory({ type: 'NOTE', id: 'dated' }));
      expect(event!.occurredAt).to.be.instanceOf(Date);
    });

    it('handles ids and types containing "/" and other characters', async () => {
      const store = new WebStorageEventStore<Note, NoteEvent, { text: string }>({ storage: new MemoryStorage() });
      const aggregate = notes(store);
      await aggregate.append('a/b c', edit('x'));
      await aggregate.append('a', edit('y'));
      expect((await aggregate.get('a/b c')).state.text).to.equal('x');
      expect((await aggregate.get('a')).state.text).to.equal('y');
    });

    it('fails a commit that does not fit with StorageQuotaError and keeps the earlier state intact', async () => {
      const storage = new MemoryStorage({ quota: 6_000 });
      const store = new WebStorageEventStore<Note, NoteEvent, { text: string }>({ storage });
      const aggregate = notes(store);
      await aggregate.append('full', edit('first'), edit('second'));
      const before = await observe(store, 'full');
      const used = storage.used;
      let caught: unknown;
      try {
        // Events, outbox and snapshot each carry the text: the first keys fit, a later one does not.
        await aggregate.append('full', edit('x'.repeat(1_500)));
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(StorageQuotaError);
      expect(caught).to.be.instanceOf(StoreLimitError);
      // The snapshot is written last, so the events and outbox keys were written and then rolled back.
      expect((caught as StorageQuotaError).key).to.equal('esre/snapshot/NOTE/full');
      expect(await observe(store, 'full')).to.deep.equal(before);
      expect(storage.used, 'rolled back to the same bytes').to.equal(used);
      await aggregate.append('full', edit('small again'));
      expect((await aggregate.get('full')).sequence).to.equal(3);
    });

    it('names the key holding corrupt JSON', async () => {
      const storage = new MemoryStorage();
      const store = new WebStorageEventStore<Note, NoteEvent, { text: string }>({ storage });
      await notes(store).append('bad', edit('fine'));
      storage.setItem('esre/snapshot/NOTE/bad', '{"v":1,"snapshot":');
      let caught: unknown;
      try {
        await store.loadSnapshot({ type: 'NOTE', id: 'bad' });
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(CorruptStorageError);
      expect((caught as CorruptStorageError).key).to.equal('esre/snapshot/NOTE/bad');
      expect((caught as Error).message).to.contain('"esre/snapshot/NOTE/bad"').and.contain('not valid JSON');

      storage.setItem('esre/events/NOTE/bad/0', '{"not":"a list"}');
      let history: unknown;
      try {
        await collect(store.readHistory({ type: 'NOTE', id: 'bad' }));
      } catch (error) {
        history = error;
      }
      expect(history).to.be.instanceOf(CorruptStorageError);
      expect((history as CorruptStorageError).key).to.equal('esre/events/NOTE/bad/0');
    });

    it('notifies subscribers of local commits with ref, source and snapshot, until they unsubscribe', async () => {
      const store = new WebStorageEventStore<Note, NoteEvent, { text: string }>({ storage: new MemoryStorage() });
      const aggregate = notes(store);
      const seen: StoreChange<Note>[] = [];
      const unsubscribe = store.subscribe((change) => seen.push(change));
      await aggregate.append('sub', edit('one'));
      expect(seen).to.have.length(1);
      expect(seen[0]!.ref).to.deep.equal({ type: 'NOTE', id: 'sub' });
      expect(seen[0]!.source).to.equal('local');
      expect(seen[0]!.snapshot!.state.text).to.equal('one');
      expect(seen[0]!.snapshot!.state.at).to.be.instanceOf(Date);
      unsubscribe();
      unsubscribe();
      await aggregate.append('sub', edit('two'));
      expect(seen).to.have.length(1);
    });

    it('does not notify when a commit fails', async () => {
      const store = new WebStorageEventStore<Note, NoteEvent, { text: string }>({ storage: new MemoryStorage() });
      const aggregate = notes(store);
      const first = await aggregate.append('conflict', edit('one'));
      await aggregate.appendTo(first.snapshot, edit('two'));
      const seen: StoreChange<Note>[] = [];
      store.subscribe((change) => seen.push(change));
      let caught: unknown;
      try {
        await aggregate.appendTo(first.snapshot, edit('stale'));
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(ConcurrencyError);
      expect(seen).to.deep.equal([]);
    });

    it('rejects bad options clearly', () => {
      expect(() => new WebStorageEventStore({ storage: {} as never })).to.throw(TypeError, /storage/);
      expect(() => new WebStorageEventStore({ storage: new MemoryStorage(), namespace: 'a/b' })).to.throw(TypeError, /namespace/);
      expect(() => new LocalStorageEventStore({ namespace: 'x' })).to.throw(/localStorage/);
    });
  });

  describe('IndexedDBEventStore', () => {
    const options = (name: string, indexedDB: IDBFactory = new FakeFactory()) => ({ name, indexedDB, IDBKeyRange: FakeKeyRange });

    it('keeps data across store instances (a reload) and closes cleanly', async () => {
      const indexedDB = new FakeFactory();
      const first = new IndexedDBEventStore<Note, NoteEvent, { text: string }>(options('reload', indexedDB));
      await notes(first).append('kept', edit('one'), edit('two'));
      await first.close();
      const second = new IndexedDBEventStore<Note, NoteEvent, { text: string }>(options('reload', indexedDB));
      const snapshot: Snapshot<Note> = await notes(second).get('kept');
      expect(snapshot.sequence).to.equal(2);
      expect(snapshot.state.at).to.be.instanceOf(Date);
      expect((await second.pendingOutbox()).map((record) => record.payload)).to.deep.equal([{ text: 'one' }, { text: 'two' }]);
      await second.close();
    });

    it('fails with IndexedDBVersionError when the database is newer than this library', async () => {
      const indexedDB = new FakeFactory();
      await new Promise<void>((resolve, reject) => {
        const request = indexedDB.open('newer', 7);
        request.onsuccess = () => {
          request.result.close();
          resolve();
        };
        request.onerror = () => reject(request.error);
      });
      const store = new IndexedDBEventStore(options('newer', indexedDB));
      let caught: unknown;
      try {
        await store.loadSnapshot({ type: 'NOTE', id: 'x' });
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(IndexedDBVersionError);
      expect((caught as Error).message).to.contain('"newer"').and.contain('newer version');
    });

    it('fails with IndexedDBVersionError on a database of the same name that is not one of its own', async () => {
      const indexedDB = new FakeFactory();
      await new Promise<void>((resolve, reject) => {
        const request = indexedDB.open('foreign', 1);
        request.onupgradeneeded = () => request.result.createObjectStore('todos');
        request.onsuccess = () => {
          request.result.close();
          resolve();
        };
        request.onerror = () => reject(request.error);
      });
      let caught: unknown;
      try {
        await new IndexedDBEventStore(options('foreign', indexedDB)).loadSnapshot({ type: 'NOTE', id: 'x' });
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(IndexedDBVersionError);
      expect((caught as Error).message).to.contain('lacks the object stores');
    });

    it('steps aside when another tab upgrades the database, then fails clearly instead of blocking it', async () => {
      const indexedDB = new FakeFactory();
      const store = new IndexedDBEventStore<Note, NoteEvent, { text: string }>(options('upgraded', indexedDB));
      await notes(store).append('n', edit('one'));
      await new Promise<void>((resolve, reject) => {
        const request = indexedDB.open('upgraded', 2);
        request.onblocked = () => reject(new Error('the store blocked the upgrade'));
        request.onsuccess = () => {
          request.result.close();
          resolve();
        };
        request.onerror = () => reject(request.error);
      });
      let caught: unknown;
      try {
        await store.loadSnapshot({ type: 'NOTE', id: 'n' });
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(IndexedDBVersionError);
    });

    it('reports IndexedDBBlockedError when deleting a database another connection holds open', async () => {
      const indexedDB = new FakeFactory();
      const holder = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open('held', 1);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      let caught: unknown;
      try {
        await IndexedDBEventStore.deleteDatabase('held', indexedDB);
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(IndexedDBBlockedError);
      expect((caught as Error).message).to.contain('"held"');
      holder.close();
    });

    it('notifies subscribers of its own commits (local) and of other store objects on the database (remote)', async () => {
      const indexedDB = new FakeFactory();
      const watcher = new IndexedDBEventStore<Note, NoteEvent, { text: string }>(options('watched', indexedDB));
      const writer = new IndexedDBEventStore<Note, NoteEvent, { text: string }>(options('watched', indexedDB));
      const seen: StoreChange<Note>[] = [];
      const remote = new Promise<void>((resolve) =>
        watcher.subscribe((change) => {
          seen.push(change);
          resolve();
        }),
      );
      const own: StoreChange<Note>[] = [];
      const stop = writer.subscribe((change) => own.push(change));
      await notes(writer).append('w', edit('written elsewhere'));
      await remote;
      expect(own.map((change) => [change.source, change.snapshot!.state.text])).to.deep.equal([['local', 'written elsewhere']]);
      expect(seen).to.have.length(1);
      expect(seen[0]!.source).to.equal('remote');
      expect(seen[0]!.ref).to.deep.equal({ type: 'NOTE', id: 'w' });
      expect(seen[0]!.snapshot!.state.text).to.equal('written elsewhere');
      stop();
      await notes(writer).append('w', edit('again'));
      expect(own).to.have.length(1);
      await watcher.close();
      await writer.close();
    });

    it('refuses to be used after close', async () => {
      const store = new IndexedDBEventStore(options('closed'));
      await store.close();
      let caught: unknown;
      try {
        await store.loadSnapshot({ type: 'NOTE', id: 'x' });
      } catch (error) {
        caught = error;
      }
      expect((caught as Error).message).to.contain('closed');
    });
  });
});
