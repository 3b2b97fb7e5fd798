import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { IDBKeyRange as FakeKeyRange, IDBFactory as FakeFactory } from 'fake-indexeddb';
import {
  Aggregate,
  InMemoryEventStore,
  Processor,
  createEvent,
  defineIndex,
  idempotencyRecordsOf,
  type AppendResult,
  type Commit,
  type EventStore,
  type Rules,
  type StoreLimits,
} from 'event-sourced-rules-engine';
import { IndexedDBEventStore, MemoryStorage, WebStorageEventStore } from 'event-sourced-rules-engine/browser';
import { DynamoEventStore, createEventStoreTable } from 'event-sourced-rules-engine/dynamodb';
import { SqliteEventStore } from 'event-sourced-rules-engine/sqlite';
import { useDynamoDBLocal } from './support/dynamodb-local.js';

interface Wallet {
  balance: number;
}
type In = { amount: number };
type Out = { balance: number };
type InMap = { DEPOSITED: In; WITHDRAWN: In };
type OutMap = { BALANCE_CHANGED: Out };

/** Deposits publish the new balance; a withdrawal of more than the balance throws. */
const rules: Rules<Wallet, InMap, OutMap> = {
  DEPOSITED: (input) => {
    input.publish('BALANCE_CHANGED', { balance: input.state.balance + input.current.amount });
    return { balance: input.state.balance + input.current.amount };
  },
  WITHDRAWN: (input) => {
    if (input.current.amount > input.state.balance) throw new RangeError(`cannot withdraw ${input.current.amount} from ${input.state.balance}`);
    return { balance: input.state.balance - input.current.amount };
  },
};

function wallets(store: EventStore<Wallet, In, Out>, type = 'WALLET') {
  return new Aggregate<Wallet, In, Out>({
    type,
    store,
    processor: new Processor<Wallet, In, Out>(rules, () => ({ balance: 0 })),
    indexes: [defineIndex<Wallet>('byBalance', (snapshot) => String(snapshot.state.balance))],
  });
}

/** A real in-memory store that also keeps every commit it accepted, to see how appends were grouped. */
class RecordingStore extends InMemoryEventStore<Wallet, In, Out> {
  readonly commits: Commit<Wallet, In, Out>[] = [];
  constructor(readonly limits?: StoreLimits) {
    super();
  }
  override async commit(commit: Commit<Wallet, In, Out>): Promise<void> {
    await super.commit(commit);
    this.commits.push(commit);
  }
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** 8 writers × 50 appends of one deposit of 1, with default options; checks history, balance and every result. */
async function eightWritersOnOneAggregate(store: EventStore<Wallet, In, Out>, type: string): Promise<void> {
  const aggregate = wallets(store, type);
  const results: AppendResult<Wallet, In, Out>[] = [];
  const failures: unknown[] = [];
  const writer = async () => {
    for (let i = 0; i < 50; i++) {
      try {
        results.push(await aggregate.append('hot', createEvent('DEPOSITED', { amount: 1 })));
      } catch (error) {
        failures.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, writer));
  expect(failures, 'no append gave up').to.deep.equal([]);
  const history = await collect(aggregate.history('hot'));
  expect(history.map((event) => event.sequence)).to.deep.equal(Array.from({ length: 400 }, (_, i) => i + 1));
  const snapshot = await aggregate.get('hot');
  expect(snapshot.sequence).to.equal(400);
  expect(snapshot.state.balance).to.equal(400);
  // Each caller's result is its own: its one event at its own sequence, the balance after it.
  const sequences = results.map((result) => result.events[0]!.sequence).sort((a, b) => a - b);
  expect(sequences).to.deep.equal(Array.from({ length: 400 }, (_, i) => i + 1));
  for (const result of results) {
    expect(result.events).to.have.length(1);
    expect(result.snapshot.sequence).to.equal(result.events[0]!.sequence);
    expect(result.snapshot.state.balance).to.equal(result.events[0]!.sequence);
    expect(result.outbound.map((record) => [record.sequence, record.position, record.payload.balance])).to.deep.equal([
      [result.snapshot.sequence, 0, result.snapshot.sequence],
    ]);
  }
  expect(await aggregate.query('byBalance', '400')).to.have.length(1);
  expect(await aggregate.query('byBalance', '399')).to.deep.equal([], 'the index follows the last snapshot of each group');
}

describe('Aggregate write queue and group commit', () => {
  describe('8 writers × 50 appends on one aggregate, one process, default options: none gives up, history contiguous, balance 400', () => {
    const folder = mkdtempSync(join(tmpdir(), 'esre-group-'));
    const closers: (() => unknown)[] = [];
    after(async () => {
      for (const close of closers) await close();
      rmSync(folder, { recursive: true, force: true });
    });

    it('InMemoryEventStore, in fewer commits than appends', async () => {
      const store = new RecordingStore();
      await eightWritersOnOneAggregate(store, 'WALLET');
      expect(store.commits.length).to.be.lessThan(400);
    });

    it('SqliteEventStore (file)', async function () {
      this.timeout(60_000);
      const store = new SqliteEventStore<Wallet, In, Out>({ filename: join(folder, 'hot.db') });
      closers.push(() => store.close());
      await eightWritersOnOneAggregate(store, 'WALLET');
    });

    it('WebStorageEventStore', async () => {
      await eightWritersOnOneAggregate(new WebStorageEventStore<Wallet, In, Out>({ storage: new MemoryStorage(), storageEvents: null }), 'WALLET');
    });

    it('IndexedDBEventStore', async () => {
      const store = new IndexedDBEventStore<Wallet, In, Out>({ name: 'hot', indexedDB: new FakeFactory(), IDBKeyRange: FakeKeyRange });
      closers.push(() => store.close());
      await eightWritersOnOneAggregate(store, 'WALLET');
    });

    describe('DynamoEventStore on DynamoDB Local', () => {
      const local = useDynamoDBLocal();
      it('keeps each commit within 100 items', async function () {
        this.timeout(600_000);
        await createEventStoreTable(local().client, 'group-commit');
        await eightWritersOnOneAggregate(new DynamoEventStore<Wallet, In, Out>({ client: local().documentClient, tableName: 'group-commit' }), 'WALLET');
      });

      it('splits a group DynamoDB refuses as over 4 MB, and every append lands', async function () {
        this.timeout(180_000);
        await createEventStoreTable(local().client, 'group-commit-big', { ifNotExists: true });
        const store = new DynamoEventStore<Wallet, In, Out>({ client: local().documentClient, tableName: 'group-commit-big' });
        const aggregate = wallets(store);
        const blob = 'x'.repeat(300_000);
        // 15 events of 300 KB: 4.5 MB together, more than one transaction takes.
        const appends = Array.from({ length: 15 }, () => aggregate.append('big', createEvent('DEPOSITED', { amount: 1, blob } as In)));
        const results = await Promise.all(appends);
        expect(results.map((result) => result.events[0]!.sequence)).to.deep.equal(Array.from({ length: 15 }, (_, i) => i + 1));
        expect((await aggregate.get('big')).state.balance).to.equal(15);
      });
    });
  });

  describe('semantics', () => {
    it('commits the appends queued together in one commit, a bad one in the middle failing alone', async () => {
      const store = new RecordingStore();
      const aggregate = wallets(store);
      const outcomes = await Promise.allSettled([
        aggregate.append('w', createEvent('DEPOSITED', { amount: 10 })),
        aggregate.append('w', createEvent('DEPOSITED', { amount: 5 })),
        aggregate.append('w', createEvent('WITHDRAWN', { amount: 100 })),
        aggregate.append('w', createEvent('WITHDRAWN', { amount: 15 })),
        aggregate.append('w', createEvent('DEPOSITED', { amount: 1 })),
      ]);
      expect(outcomes.map((outcome) => outcome.status)).to.deep.equal(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      const failed = outcomes[2] as PromiseRejectedResult;
      expect(failed.reason).to.be.instanceOf(RangeError);
      expect(failed.reason.message).to.equal('cannot withdraw 100 from 15');
      expect(store.commits, 'one commit for the four good appends').to.have.length(1);
      const balances = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value.snapshot.state.balance] : []));
      expect(balances).to.deep.equal([10, 15, 0, 1]);
      expect((await collect(aggregate.history('w'))).map((event) => event.payload.amount)).to.deep.equal([10, 5, 15, 1]);
    });

    it('gives each caller exactly its own events, sequence range, snapshot and outbound events, in queue order', async () => {
      const store = new RecordingStore();
      const aggregate = wallets(store);
      const batches = [[1, 2], [3], [4, 5, 6]].map((amounts) => amounts.map((amount) => createEvent('DEPOSITED', { amount })));
      const results = await Promise.all(batches.map((events) => aggregate.append('w', ...events)));
      expect(store.commits).to.have.length(1);
      expect(results.map((result) => result.events.map((event) => event.id))).to.deep.equal(batches.map((events) => events.map((event) => event.id)));
      expect(results.map((result) => result.events.map((event) => event.sequence))).to.deep.equal([[1, 2], [3], [4, 5, 6]]);
      expect(results.map((result) => [result.snapshot.sequence, result.snapshot.state.balance])).to.deep.equal([
        [2, 3],
        [3, 6],
        [6, 21],
      ]);
      expect(results.map((result) => result.outbound.map((record) => [record.sequence, record.position, record.payload.balance, record.causationId]))).to.deep.equal([
        [
          [2, 0, 1, batches[0]![0]!.id],
          [2, 1, 3, batches[0]![1]!.id],
        ],
        [[3, 0, 6, batches[1]![0]!.id]],
        [
          [6, 0, 10, batches[2]![0]!.id],
          [6, 1, 15, batches[2]![1]!.id],
          [6, 2, 21, batches[2]![2]!.id],
        ],
      ]);
      const [commit] = store.commits;
      expect(commit!.outbox.map((record) => record.id)).to.deep.equal(results.flatMap((result) => result.outbound.map((record) => record.id)));
      expect(commit!.snapshot).to.deep.equal(results[2]!.snapshot);
    });

    it('returns the first result to an idempotent repeat inside one group, and stores each caller its own record', async () => {
      const store = new RecordingStore();
      const aggregate = wallets(store);
      const [first, other, repeat, second] = await Promise.all([
        aggregate.append({ id: 'w', idempotencyKey: 'k-1' }, createEvent('DEPOSITED', { amount: 10 })),
        aggregate.append('w', createEvent('DEPOSITED', { amount: 1 })),
        aggregate.append({ id: 'w', idempotencyKey: 'k-1' }, createEvent('DEPOSITED', { amount: 10 })),
        aggregate.append({ id: 'w', idempotencyKey: 'k-2' }, createEvent('DEPOSITED', { amount: 7 })),
      ]);
      expect(store.commits).to.have.length(1);
      expect(repeat).to.deep.equal(first);
      expect((await collect(aggregate.history('w'))).map((event) => event.payload.amount)).to.deep.equal([10, 1, 7]);
      expect(idempotencyRecordsOf(store.commits[0]!).map((record) => record.key)).to.deep.equal(['k-1', 'k-2']);
      expect((await store.loadIdempotencyRecord({ type: 'WALLET', id: 'w' }, 'k-1'))!.result).to.deep.equal(first);
      expect((await store.loadIdempotencyRecord({ type: 'WALLET', id: 'w' }, 'k-2'))!.result).to.deep.equal(second);
      expect(second!.snapshot.sequence).to.equal(3);
      expect(other!.snapshot.sequence).to.equal(2);
      const later = await aggregate.append({ id: 'w', idempotencyKey: 'k-2' }, createEvent('DEPOSITED', { amount: 7 }));
      expect(later).to.deep.equal(second, 'a later repeat returns the stored first result');
      expect(store.commits).to.have.length(1);
    });

    it('treats a repeat of a key whose first append failed as a new append', async () => {
      const store = new RecordingStore();
      const aggregate = wallets(store);
      const outcomes = await Promise.allSettled([
        aggregate.append({ id: 'w', idempotencyKey: 'k' }, createEvent('WITHDRAWN', { amount: 1 })),
        aggregate.append({ id: 'w', idempotencyKey: 'k' }, createEvent('DEPOSITED', { amount: 1 })),
      ]);
      expect(outcomes.map((outcome) => outcome.status)).to.deep.equal(['rejected', 'fulfilled']);
      expect((await aggregate.get('w')).state.balance).to.equal(1);
    });

    it('keeps a group within the store limits, committing the rest in the next group', async () => {
      const store = new RecordingStore({ commitItems: 10 });
      const aggregate = wallets(store);
      // Each append: 1 event + 1 outbox record; each commit also has a snapshot and index put/delete.
      const results = await Promise.all(Array.from({ length: 20 }, () => aggregate.append('w', createEvent('DEPOSITED', { amount: 1 }))));
      expect(results.map((result) => result.snapshot.sequence)).to.deep.equal(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(store.commits.length).to.be.greaterThan(2);
      for (const commit of store.commits) {
        const items = 1 + commit.events.length + commit.outbox.length + commit.indexPuts.length + commit.indexDeletes.length + (commit.expectedSequence === 0 ? 1 : 0);
        expect(items, 'items in one commit').to.be.at.most(10);
      }
    });

    it('appendTo waits for the queued appends and then fails on its stale snapshot, without a read', async () => {
      const store = new RecordingStore();
      const aggregate = wallets(store);
      const stale = await aggregate.get('w');
      const appended = aggregate.append('w', createEvent('DEPOSITED', { amount: 1 }));
      const direct = aggregate.appendTo(stale, createEvent('DEPOSITED', { amount: 2 }));
      await appended;
      const error = await direct.catch((e: unknown) => e);
      expect((error as Error).name).to.equal('ConcurrencyError');
      expect((await aggregate.get('w')).state.balance).to.equal(1);
    });
  });
});
