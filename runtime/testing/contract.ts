import assert from 'node:assert/strict';
import { ConcurrencyError, InvalidKeyError, InvalidOptionError } from '../errors.js';
import { newId } from '../ids.js';
import { codecTableTests, keyAndOptionTests } from './codec-table.js';
import { idempotencyRaceTests } from './idempotency-race.js';
import type {
  AggregateRef,
  Commit,
  EventRecord,
  EventStore,
  IdempotencyRecord,
  IndexEntry,
  OutboxRecord,
  Snapshot,
} from '../types.js';
import { checkSchemaEvolution, seedUnversionedHistory } from './evolution.js';
import { checkGivenOnStoredHistory } from './evolution-given.js';

/** Options of {@link describeEventStoreContract}. */
export interface ContractOptions {
  /** Per-test timeout in ms for slow stores (default 60 000). */
  readonly timeout?: number;
  /** Events in the long-history test (default 2 050; at least 2 000 to prove paging). */
  readonly longHistory?: number;
  /** Events per commit when building the long history (default 50: fits a 100-item transaction). */
  readonly eventsPerCommit?: number;
  /** Aggregates of one type in the listing test (default 2 500). */
  readonly listedAggregates?: number;
  /** Commits sent at a time while building the listing test's aggregates (default 16). */
  readonly setupConcurrency?: number;
}

type AnyStore = EventStore<any, any, any>;
type Hooks = {
  describe: (name: string, body: () => void) => void;
  it: (name: string, body: () => Promise<void>) => { timeout?(ms: number): unknown } | void;
};

interface TestState {
  balance: number;
  tags: string[];
  openedAt: Date;
  profile: { email: string | null; nested: { level: number } };
}

/**
 * The EventStore contract as a mocha (or any `describe`/`it` runner) suite. An adapter's test
 * file calls it with a factory; every test uses its own aggregate type, so the factory may hand
 * out one shared store.
 *
 * ```ts
 * describeEventStoreContract('SqliteEventStore', () => new SqliteEventStore({ filename }));
 * ```
 */
export function describeEventStoreContract(
  name: string,
  createStore: () => AnyStore | Promise<AnyStore>,
  options: ContractOptions = {},
): void {
  const { describe, it } = globalThis as unknown as Hooks;
  if (typeof describe !== 'function' || typeof it !== 'function') {
    throw new Error('describeEventStoreContract needs a test runner with describe/it globals (mocha, jest, vitest globals)');
  }
  const timeout = options.timeout ?? 60_000;
  const longHistory = options.longHistory ?? 2_050;
  const perCommit = options.eventsPerCommit ?? 50;
  const listed = options.listedAggregates ?? 2_500;
  const setupConcurrency = options.setupConcurrency ?? 16;
  const test = (title: string, body: (store: AnyStore, type: string) => Promise<void>) => {
    const handle = it(title, async () => body(await createStore(), uniqueType()));
    if (handle && typeof handle.timeout === 'function') handle.timeout(timeout);
  };

  describe(`EventStore contract: ${name}`, () => {
    test('reads nothing for an aggregate that has no events', async (store, type) => {
      const ref = { type, id: 'missing' };
      assert.equal(await store.loadSnapshot(ref), undefined);
      assert.deepEqual(await collect(store.readHistory(ref)), []);
      assert.deepEqual(await store.queryIndex(type, 'byEmail', 'nobody'), []);
      assert.equal(await store.loadIdempotencyRecord(ref, 'key'), undefined);
    });

    test('commits events, snapshot, index entries and outbox records, and reads them back equal (dates included)', async (store, type) => {
      const ref = { type, id: 'a-1' };
      const commit = change(ref, 0, 3, { email: 'one@example.com', outbound: 2 });
      await store.commit(commit);
      const snapshot = await store.loadSnapshot(ref);
      assert.deepEqual(snapshot, commit.snapshot);
      assert.ok(snapshot!.state.openedAt instanceof Date, 'dates in state read back as Date');
      assert.ok(snapshot!.updatedAt instanceof Date, 'updatedAt reads back as Date');
      const history = await collect(store.readHistory(ref));
      assert.deepEqual(history, commit.events);
      assert.ok(history[0]!.occurredAt instanceof Date);
      assert.deepEqual(await store.queryIndex(type, 'byEmail', 'one@example.com'), [commit.snapshot]);
      const pending = await pendingOf(store, type);
      assert.deepEqual(pending, commit.outbox);
    });

    test('returns copies: mutating what was read or committed does not change what is stored', async (store, type) => {
      const ref = { type, id: 'copy' };
      const commit = change(ref, 0, 1, { email: 'copy@example.com' });
      await store.commit(commit);
      (commit.snapshot.state as TestState).balance = 999;
      const first = await store.loadSnapshot(ref);
      assert.equal(first!.state.balance, 1);
      first!.state.balance = 12345;
      assert.equal((await store.loadSnapshot(ref))!.state.balance, 1);
    });

    test('appends later commits after earlier ones', async (store, type) => {
      const ref = { type, id: 'twice' };
      await store.commit(change(ref, 0, 2));
      await store.commit(change(ref, 2, 3));
      const history = await collect(store.readHistory(ref));
      assert.deepEqual(history.map((event) => event.sequence), [1, 2, 3, 4, 5]);
      assert.equal((await store.loadSnapshot(ref))!.sequence, 5);
    });

    test('rejects a commit whose expected sequence is stale with ConcurrencyError and writes none of it', async (store, type) => {
      const ref = { type, id: 'conflict' };
      await store.commit(change(ref, 0, 2, { email: 'before@example.com', outbound: 1 }));
      const before = await observe(store, ref, ['before@example.com', 'after@example.com']);
      for (const expected of [0, 1, 3]) {
        const stale = change(ref, expected, 2, {
          email: 'after@example.com',
          outbound: 2,
          deletes: [{ index: 'byEmail', key: 'before@example.com' }],
        });
        await assert.rejects(store.commit(stale), (error: unknown) => {
          assert.ok(error instanceof ConcurrencyError, `expected ConcurrencyError, got ${String(error)}`);
          assert.equal(error.aggregateType, type);
          assert.equal(error.aggregateId, ref.id);
          return true;
        });
      }
      assert.deepEqual(await observe(store, ref, ['before@example.com', 'after@example.com']), before);
    });

    test('lets exactly one of two commits with the same expected sequence win', async (store, type) => {
      const ref = { type, id: 'race' };
      await store.commit(change(ref, 0, 1));
      const results = await Promise.allSettled([store.commit(change(ref, 1, 1)), store.commit(change(ref, 1, 1))]);
      assert.equal(results.filter((result) => result.status === 'fulfilled').length, 1);
      const failed = results.find((result) => result.status === 'rejected') as PromiseRejectedResult;
      assert.ok(failed.reason instanceof ConcurrencyError);
      assert.deepEqual((await collect(store.readHistory(ref))).map((event) => event.sequence), [1, 2]);
    });

    test('rejects a first commit for an aggregate that already exists', async (store, type) => {
      const ref = { type, id: 'exists' };
      await store.commit(change(ref, 0, 1));
      await assert.rejects(store.commit(change(ref, 0, 1)), ConcurrencyError);
      assert.equal((await collect(store.readHistory(ref))).length, 1);
    });

    test('puts index entries and deletes the old key in the same commit', async (store, type) => {
      const one = { type, id: 'idx-1' };
      const two = { type, id: 'idx-2' };
      await store.commit(change(two, 0, 1, { email: 'shared@example.com' }));
      await store.commit(change(one, 0, 1, { email: 'shared@example.com' }));
      const shared = await store.queryIndex(type, 'byEmail', 'shared@example.com');
      assert.deepEqual(
        shared.map((snapshot) => snapshot.aggregateId),
        ['idx-1', 'idx-2'],
        'entries under one key, ordered by aggregate id',
      );
      const moved = change(one, 1, 1, {
        email: 'new@example.com',
        deletes: [{ index: 'byEmail', key: 'shared@example.com' }],
      });
      await store.commit(moved);
      assert.deepEqual(
        (await store.queryIndex(type, 'byEmail', 'shared@example.com')).map((snapshot) => snapshot.aggregateId),
        ['idx-2'],
      );
      assert.deepEqual(await store.queryIndex(type, 'byEmail', 'new@example.com'), [moved.snapshot]);
      assert.deepEqual(await store.queryIndex(uniqueType(), 'byEmail', 'new@example.com'), [], 'index is per aggregate type');
      assert.deepEqual(await store.queryIndex(type, 'other', 'new@example.com'), [], 'index is per name');
    });

    test('keeps an index entry up to date with the latest snapshot', async (store, type) => {
      const ref = { type, id: 'fresh' };
      await store.commit(change(ref, 0, 1, { email: 'same@example.com' }));
      const second = change(ref, 1, 2, { email: 'same@example.com' });
      await store.commit(second);
      const [entry] = await store.queryIndex(type, 'byEmail', 'same@example.com');
      assert.equal(entry!.sequence, 3);
      assert.deepEqual(entry, second.snapshot);
    });

    test(`reads a history of ${longHistory} events in order, page by page, and from a given sequence`, async (store, type) => {
      const ref = { type, id: 'long' };
      for (let at = 0; at < longHistory; at += perCommit) {
        await store.commit(change(ref, at, Math.min(perCommit, longHistory - at)));
      }
      let expected = 1;
      for await (const event of store.readHistory(ref, { pageSize: 97 })) {
        assert.equal(event.sequence, expected, 'history is in sequence order without gaps');
        assert.equal(event.aggregateId, ref.id);
        expected++;
      }
      assert.equal(expected - 1, longHistory);
      const tail = await collect(store.readHistory(ref, { afterSequence: longHistory - 5 }));
      assert.deepEqual(tail.map((event) => event.sequence), [1, 2, 3, 4, 5].map((n) => longHistory - 5 + n));
      let count = 0;
      for await (const _ of store.readHistory(ref)) count++;
      assert.equal(count, longHistory, 'default paging reads everything too');
    });

    test('commits a change without new events (recalculation) conditional on the sequence', async (store, type) => {
      const ref = { type, id: 'recalc' };
      await store.commit(change(ref, 0, 2, { email: 'r@example.com' }));
      const snapshot = { ...snapshotOf(ref, 2, 'r2@example.com'), state: { ...state(2, 'r2@example.com'), balance: 42 } };
      const recalculated: Commit<TestState> = {
        ref,
        expectedSequence: 2,
        events: [],
        snapshot,
        indexPuts: [{ index: 'byEmail', key: 'r2@example.com', snapshot }],
        indexDeletes: [{ index: 'byEmail', key: 'r@example.com' }],
        outbox: [],
      };
      await assert.rejects(store.commit({ ...recalculated, expectedSequence: 1 }), ConcurrencyError);
      await store.commit(recalculated);
      assert.deepEqual(await store.loadSnapshot(ref), snapshot);
      assert.equal((await collect(store.readHistory(ref))).length, 2);
      assert.deepEqual(await store.queryIndex(type, 'byEmail', 'r@example.com'), []);
    });

    test('stores an idempotency record with its commit and rejects a second commit with the same key', async (store, type) => {
      const ref = { type, id: 'idem' };
      const first = change(ref, 0, 1, { idempotencyKey: 'request-1', outbound: 1 });
      await store.commit(first);
      assert.deepEqual(await store.loadIdempotencyRecord(ref, 'request-1'), first.idempotency);
      assert.equal(await store.loadIdempotencyRecord(ref, 'request-2'), undefined);
      assert.equal(await store.loadIdempotencyRecord({ type, id: 'other' }, 'request-1'), undefined, 'keys are per aggregate');
      const again = change(ref, 1, 1, { idempotencyKey: 'request-1' });
      await assert.rejects(store.commit(again), ConcurrencyError);
      assert.equal((await store.loadSnapshot(ref))!.sequence, 1, 'the repeated key wrote nothing');
      assert.equal((await collect(store.readHistory(ref))).length, 1);
    });

    test('keeps the schema version of events and the versions of snapshots as written', async (store, type) => {
      const ref = { type, id: 'versions' };
      const commit = change(ref, 0, 2, { email: 'v@example.com' });
      const events = commit.events.map((event, i) => (i === 0 ? event : { ...event, schemaVersion: 3 }));
      const snapshot = { ...commit.snapshot, stateVersion: 2, rulesVersion: 5 };
      await store.commit({ ...commit, events, snapshot, indexPuts: [{ index: 'byEmail', key: 'v@example.com', snapshot }] });
      const history = await collect(store.readHistory(ref));
      assert.deepEqual(history.map((event) => event.schemaVersion), [undefined, 3]);
      assert.deepEqual(history, events);
      assert.deepEqual(await store.loadSnapshot(ref), snapshot);
      assert.deepEqual(await store.queryIndex(type, 'byEmail', 'v@example.com'), [snapshot]);
    });

    test('serves data written before versions existed at the current versions: history, append, recalculate, given/when/then, rebuilt snapshots', async (store, type) => {
      const ref = { type, id: 'evolution' };
      await seedUnversionedHistory(store, ref);
      await checkGivenOnStoredHistory(store, ref);
      await checkSchemaEvolution(store, ref);
    });

    test('commits several idempotency records in one commit (grouped appends) and rejects a commit reusing any of them', async (store, type) => {
      const ref = { type, id: 'idem-group' };
      const first = change(ref, 0, 1, { idempotencyKey: 'g-1' });
      const second = change(ref, 0, 2, { idempotencyKey: 'g-2' });
      const records = [first.idempotency as IdempotencyRecord, second.idempotency as IdempotencyRecord];
      await store.commit({ ...second, idempotency: records });
      assert.deepEqual(await store.loadIdempotencyRecord(ref, 'g-1'), records[0]);
      assert.deepEqual(await store.loadIdempotencyRecord(ref, 'g-2'), records[1]);
      const again = change(ref, 2, 1, { idempotencyKey: 'g-3' });
      const reused = { ...again, idempotency: [again.idempotency as IdempotencyRecord, { ...records[1]!, createdAt: new Date() }] };
      await assert.rejects(store.commit(reused), ConcurrencyError);
      assert.equal(await store.loadIdempotencyRecord(ref, 'g-3'), undefined, 'nothing of the rejected commit was written');
      const twice = { ...again, idempotency: [again.idempotency as IdempotencyRecord, again.idempotency as IdempotencyRecord] };
      await assert.rejects(store.commit(twice), ConcurrencyError, 'a key twice in one commit is a used key');
      assert.equal((await store.loadSnapshot(ref))!.sequence, 2);
    });

    test('lists the ids of a type ascending, page by page, without other types, and refuses a foreign cursor', async (store, type) => {
      assert.deepEqual(await store.listAggregateIds(type), { ids: [] });
      const ids = ['b', 'a', 'c/d', 'é', 'A', 'a#1', 'a%2', 'z'];
      for (const id of ids) await store.commit(change({ type, id }, 0, 1));
      await store.commit(change({ type: `${type}_OTHER`, id: 'b2' }, 0, 1));
      await store.commit(change({ type: type.slice(0, -1), id: 'b3' }, 0, 1));
      const expected = [...ids].sort();
      assert.deepEqual(await store.listAggregateIds(type), { ids: expected }, 'one page, no cursor');
      const first = await store.listAggregateIds(type, { limit: 3 });
      assert.deepEqual(first.ids, expected.slice(0, 3));
      assert.equal(typeof first.cursor, 'string');
      const rest: string[] = [];
      let cursor = first.cursor;
      while (cursor !== undefined) {
        const page = await store.listAggregateIds(type, { limit: 3, cursor });
        assert.ok(page.ids.length > 0 && page.ids.length <= 3, 'pages are never empty nor larger than the limit');
        rest.push(...page.ids);
        cursor = page.cursor;
      }
      assert.deepEqual([...first.ids, ...rest], expected);
      await store.commit(change({ type, id: 'b' }, 1, 1));
      assert.deepEqual((await store.listAggregateIds(type)).ids, expected, 'later commits do not list an aggregate again');
      await assert.rejects(store.listAggregateIds(type, { cursor: 'not a cursor' }), InvalidOptionError);
      await assert.rejects(store.listAggregateIds(type, { limit: 0 }), InvalidOptionError);
      await assert.rejects(store.listAggregateIds('\uD800'), InvalidKeyError);
    });

    test(`pages over ${listed} aggregates of one type among others: no duplicates and no misses while new aggregates are added`, async (store, type) => {
      const name = (i: number) => `id-${String(i * 2).padStart(6, '0')}`;
      const existing = Array.from({ length: listed }, (_, i) => name(i));
      const others = Array.from({ length: Math.ceil(listed / 10) }, (_, i) => name(i * 10 + 1));
      const commits = [
        ...existing.map((id) => change({ type, id }, 0, 1)),
        ...others.map((id) => change({ type: `${type}_OTHER`, id }, 0, 1)),
        ...others.map((id) => change({ type: `X${type}`, id }, 0, 1)),
      ];
      await inParallel(commits, setupConcurrency, (commit) => store.commit(commit));
      const seen: string[] = [];
      let cursor: string | undefined;
      let added = 0;
      do {
        const page = await store.listAggregateIds(type, { limit: 97, ...(cursor === undefined ? {} : { cursor }) });
        seen.push(...page.ids);
        cursor = page.cursor;
        // New aggregates before, inside and after the part already listed.
        const at = Math.min(seen.length, listed - 1);
        for (const id of [`${name(at)}-new-${added}`, `id-000000-new-${added}`, `id-999999-new-${added}`]) {
          await store.commit(change({ type, id }, 0, 1));
        }
        added++;
      } while (cursor !== undefined);
      assert.equal(new Set(seen).size, seen.length, 'no id is listed twice');
      for (let i = 1; i < seen.length; i++) assert.ok(seen[i - 1]! < seen[i]!, `ascending: ${seen[i - 1]} before ${seen[i]}`);
      const listedIds = new Set(seen);
      const missing = existing.filter((id) => !listedIds.has(id));
      assert.deepEqual(missing, [], 'every aggregate that existed before the listing began is listed');
      assert.ok(seen.every((id) => id.startsWith('id-')), 'only ids of the type');
    });

    test('lists pending outbox records oldest first, honours the limit, and forgets published ones', async (store, type) => {
      const a = { type, id: 'out-a' };
      const b = { type, id: 'out-b' };
      const first = change(a, 0, 1, { outbound: 2 });
      const second = change(b, 0, 1, { outbound: 1 });
      const third = change(a, 1, 1, { outbound: 2 });
      for (const commit of [first, second, third]) await store.commit(commit);
      const all = [...first.outbox, ...second.outbox, ...third.outbox];
      const pending = await pendingOf(store, type);
      assert.deepEqual(pending, all, 'pending records in commit order, then position');
      const limited = await store.pendingOutbox({ limit: 2 });
      assert.ok(limited.length <= 2, 'limit respected');
      await store.markPublished([all[0]!, all[2]!]);
      assert.deepEqual(await pendingOf(store, type), [all[1], all[3], all[4]]);
      await store.markPublished([all[1]!, all[3]!, all[4]!]);
      assert.deepEqual(await pendingOf(store, type), []);
      await store.markPublished([all[0]!]);
      assert.deepEqual(await pendingOf(store, type), [], 'marking again is harmless');
    });

    codecTableTests(test);
    keyAndOptionTests(test);
    idempotencyRaceTests(test);
  });
}

let typeCounter = 0;
function uniqueType(): string {
  return `CONTRACT_${newId().slice(-8)}_${++typeCounter}`;
}

function state(balance: number, email: string | null): TestState {
  return {
    balance,
    tags: ['a', 'b'],
    openedAt: new Date('2024-01-02T03:04:05.678Z'),
    profile: { email, nested: { level: balance % 7 } },
  };
}

function snapshotOf(ref: AggregateRef, sequence: number, email: string | null): Snapshot<TestState> {
  return {
    aggregateType: ref.type,
    aggregateId: ref.id,
    sequence,
    state: state(sequence, email),
    updatedAt: new Date(Date.UTC(2024, 0, 1, 0, 0, sequence % 60)),
  };
}

interface ChangeOptions {
  email?: string;
  outbound?: number;
  deletes?: { index: string; key: string }[];
  idempotencyKey?: string;
}

/** A commit of `count` events after `expected`, with the given index entry and outbox records. */
function change(ref: AggregateRef, expected: number, count: number, options: ChangeOptions = {}): Commit<TestState> {
  const events: EventRecord<{ amount: number; at: Date }>[] = [];
  for (let i = 1; i <= count; i++) {
    const sequence = expected + i;
    events.push({
      id: newId(),
      type: 'DEPOSITED',
      payload: { amount: sequence, at: new Date(Date.UTC(2024, 1, 1, 0, 0, 0, sequence)) },
      occurredAt: new Date(Date.UTC(2024, 1, 1, 0, 0, sequence % 60)),
      ...(sequence % 2 === 0 ? { metadata: { correlationId: `c-${sequence}` } } : {}),
      aggregateType: ref.type,
      aggregateId: ref.id,
      sequence,
    });
  }
  const snapshot = snapshotOf(ref, expected + count, options.email ?? null);
  const indexPuts: IndexEntry<TestState>[] = options.email ? [{ index: 'byEmail', key: options.email, snapshot }] : [];
  const outbox: OutboxRecord[] = [];
  for (let position = 0; position < (options.outbound ?? 0); position++) {
    outbox.push({
      id: newId(),
      type: 'BALANCE_CHANGED',
      payload: { balance: snapshot.state.balance, position },
      occurredAt: snapshot.updatedAt,
      aggregateType: ref.type,
      aggregateId: ref.id,
      sequence: snapshot.sequence,
      position,
      causationId: events[events.length - 1]!.id,
    });
  }
  const idempotency: IdempotencyRecord<TestState> | undefined = options.idempotencyKey
    ? {
        key: options.idempotencyKey,
        aggregateType: ref.type,
        aggregateId: ref.id,
        result: { snapshot, events, outbound: outbox },
        createdAt: snapshot.updatedAt,
      }
    : undefined;
  return {
    ref,
    expectedSequence: expected,
    events,
    snapshot,
    indexPuts,
    indexDeletes: options.deletes ?? [],
    outbox,
    ...(idempotency ? { idempotency } : {}),
  };
}

async function inParallel<T>(items: readonly T[], concurrency: number, run: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await run(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

async function pendingOf(store: AnyStore, type: string): Promise<OutboxRecord[]> {
  const pending = await store.pendingOutbox({ limit: 100_000 });
  return pending.filter((record) => record.aggregateType === type);
}

/** Everything a failed commit must leave untouched. */
async function observe(store: AnyStore, ref: AggregateRef, keys: string[]) {
  return {
    snapshot: await store.loadSnapshot(ref),
    history: await collect(store.readHistory(ref)),
    indexes: await Promise.all(keys.map((key) => store.queryIndex(ref.type, 'byEmail', key))),
    outbox: await pendingOf(store, ref.type),
  };
}
