/**
 * The schema-evolution scenario every store runs: an ACCOUNT history written at version 1 by
 * the release before versions existed (no `schemaVersion` on events, no versions on
 * snapshots), read by code where `DEPOSITED` is at version 2 and the state at version 2, then 3.
 * The fixture files under `test/fixtures/schema-evolution/` hold the same history as each
 * store wrote it; {@link seedUnversionedHistory} writes it through a store's `commit` instead.
 * No `node:assert` here: the scenario also runs in browsers.
 */
import { Aggregate } from '../aggregate.js';
import { createEvent } from '../event.js';
import { defineIndex } from '../indexes.js';
import { Processor } from '../processor.js';
import type { AggregateRef, EventRecord, EventStore, Snapshot } from '../types.js';
import type { Upcasters } from '../upcasting.js';
import { ensure, firstDifference } from './exact.js';

type AnyStore = EventStore<any, any, any>;

const at = (minute: number) => new Date(Date.UTC(2025, 0, 1, 10, minute));
const WRITTEN_AT = new Date('2025-01-01T12:00:00.000Z');

/** Payloads as version 1 wrote them. */
type OpenedV1 = { owner: string };
type DepositedV1 = { amount: number; at: Date };
/** `DEPOSITED` at version 2: cents and a currency instead of a decimal amount. */
type DepositedV2 = { cents: number; currency: string; at: Date };

/** State at version 2 (version 1 had `balance` as a decimal number). */
export interface AccountV2 {
  owner: string;
  balanceCents: number;
  deposits: number;
  lastDepositAt: Date | null;
}
/** State at version 3: the balance carries its currency. */
interface AccountV3 {
  owner: string;
  balance: { cents: number; currency: string };
  deposits: number;
  lastDepositAt: Date | null;
}

/** The version-1 history, as the old release committed it (two appends). */
function unversionedCommits(ref: AggregateRef) {
  const record = (sequence: number, id: string, type: string, payload: unknown, metadata?: Record<string, unknown>) =>
    ({
      id,
      type,
      payload,
      occurredAt: at(sequence - 1),
      ...(metadata ? { metadata } : {}),
      aggregateType: ref.type,
      aggregateId: ref.id,
      sequence,
    }) as EventRecord;
  const events = [
    record(1, '01JGKZ0000000000000000OPEN', 'OPENED', { owner: 'Ann' } satisfies OpenedV1),
    record(2, '01JGKZ0000000000000000DEP1', 'DEPOSITED', { amount: 10, at: at(1) } satisfies DepositedV1),
    record(3, '01JGKZ0000000000000000DEP2', 'DEPOSITED', { amount: 2.5, at: at(2) } satisfies DepositedV1, { by: 'teller' }),
  ];
  const snapshot = (sequence: number, balance: number, lastDepositAt: Date): Snapshot => ({
    aggregateType: ref.type,
    aggregateId: ref.id,
    sequence,
    state: { owner: 'Ann', balance, lastDepositAt },
    updatedAt: WRITTEN_AT,
  });
  const first = snapshot(2, 10, at(1));
  const second = snapshot(3, 12.5, at(2));
  return [
    { ref, expectedSequence: 0, events: events.slice(0, 2), snapshot: first, indexPuts: [{ index: 'byOwner', key: 'Ann', snapshot: first }], indexDeletes: [], outbox: [] },
    { ref, expectedSequence: 2, events: events.slice(2), snapshot: second, indexPuts: [{ index: 'byOwner', key: 'Ann', snapshot: second }], indexDeletes: [], outbox: [] },
  ];
}

/** Writes the version-1 ACCOUNT history through the store, exactly as the release before versions did. */
export async function seedUnversionedHistory(store: AnyStore, ref: AggregateRef): Promise<void> {
  for (const commit of unversionedCommits(ref)) await store.commit(commit);
}

const UPCASTERS: Upcasters = {
  DEPOSITED: {
    version: 2,
    steps: { 1: ({ amount, at }: DepositedV1): DepositedV2 => ({ cents: Math.round(amount * 100), currency: 'EUR', at }) },
  },
};

/** A version-2 rule refuses a version-1 payload: if one reached it, the scenario fails there. */
function deposited(payload: unknown): DepositedV2 {
  const deposit = payload as DepositedV2;
  ensure(typeof deposit.cents === 'number' && !('amount' in deposit), `a rule saw a version-1 payload: ${JSON.stringify(payload)}`);
  return deposit;
}

/** What the rules saw in `pastEvents`, for the assertions. */
export interface Seen {
  past: unknown[];
}

export function accountsV2(store: AnyStore, type: string, seen: Seen) {
  return new Aggregate<AccountV2, OpenedV1 | DepositedV2>({
    type,
    store,
    upcasters: UPCASTERS,
    stateVersion: 2,
    rulesVersion: 2,
    processor: new Processor<AccountV2, OpenedV1 | DepositedV2>(
      {
        OPENED: ({ state, current, pastEvents, replaying }) => {
          if (replaying) seen.past.push(...pastEvents.map((event) => event.payload));
          return { ...state, owner: (current as OpenedV1).owner };
        },
        DEPOSITED: ({ state, current }) => {
          const { cents, at } = deposited(current);
          return { ...state, balanceCents: state.balanceCents + cents, deposits: state.deposits + 1, lastDepositAt: at };
        },
      },
      () => ({ owner: '', balanceCents: 0, deposits: 0, lastDepositAt: null }),
    ),
    indexes: [defineIndex<AccountV2>('byOwner', (snapshot) => snapshot.state.owner || null)],
    clock: () => WRITTEN_AT,
    retry: false,
  });
}

function accountsV3(store: AnyStore, type: string) {
  return new Aggregate<AccountV3, OpenedV1 | DepositedV2>({
    type,
    store,
    upcasters: UPCASTERS,
    stateVersion: 3,
    rulesVersion: 2,
    processor: new Processor<AccountV3, OpenedV1 | DepositedV2>(
      {
        OPENED: ({ state, current }) => ({ ...state, owner: (current as OpenedV1).owner }),
        DEPOSITED: ({ state, current }) => {
          const { cents, currency, at } = deposited(current);
          return { ...state, balance: { cents: state.balance.cents + cents, currency }, deposits: state.deposits + 1, lastDepositAt: at };
        },
      },
      () => ({ owner: '', balance: { cents: 0, currency: 'EUR' }, deposits: 0, lastDepositAt: null }),
    ),
    indexes: [defineIndex<AccountV3>('byOwner', (snapshot) => snapshot.state.owner || null)],
    clock: () => WRITTEN_AT,
    retry: false,
  });
}

/** Throws, naming `what` and the first difference, unless `actual` and `expected` are equal (dates by time). */
function equal(actual: unknown, expected: unknown, what = 'value'): void {
  const difference = firstDifference(actual, expected);
  if (difference) throw new Error(`schema evolution: ${what}: ${difference}`);
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/**
 * Runs the scenario on a store that holds the version-1 ACCOUNT history under `ref` (seeded by
 * {@link seedUnversionedHistory} or loaded from a fixture): history, append (rules see version-2
 * payloads in `pastEvents` while the stale snapshot is rebuilt), recalculate, and a state
 * version bump that makes the next `get` return (and store) the rebuilt snapshot.
 * (given/when/then on the same records: {@link checkGivenOnStoredHistory}.)
 */
export async function checkSchemaEvolution(store: AnyStore, ref: AggregateRef): Promise<void> {
  const stored = await collect(store.readHistory(ref));
  equal(
    stored.map((event) => event.schemaVersion),
    [undefined, undefined, undefined],
    'the version-1 data carries no version (absent reads as 1)',
  );
  const before = await store.loadSnapshot(ref);
  ensure(before, 'the version-1 data has a snapshot');
  equal([before.stateVersion, before.rulesVersion], [undefined, undefined]);

  const seen: Seen = { past: [] };
  const v2 = accountsV2(store, ref.type, seen);

  // history: every DEPOSITED comes out at version 2, dates intact; OPENED stays version 1.
  const history = await collect(v2.history(ref.id));
  equal(
    history.map((event) => [event.type, event.schemaVersion ?? 1, event.payload]),
    [
      ['OPENED', 1, { owner: 'Ann' }],
      ['DEPOSITED', 2, { cents: 1000, currency: 'EUR', at: at(1) }],
      ['DEPOSITED', 2, { cents: 250, currency: 'EUR', at: at(2) }],
    ],
  );
  equal(history[2]!.metadata, { by: 'teller' }, 'upcasting keeps the rest of the event');
  equal(await collect(store.readHistory(ref)), stored, 'reading upcasts without rewriting stored events');

  // append: the version-1 snapshot is stale, so the rules replay history and see version 2.
  const result = await v2.append(ref.id, createEvent('DEPOSITED', { cents: 5, currency: 'EUR', at: at(3) }));
  equal(seen.past, [{ owner: 'Ann' }, { cents: 1000, currency: 'EUR', at: at(1) }, { cents: 250, currency: 'EUR', at: at(2) }]);
  equal(result.events[0]!.schemaVersion, 2, 'a new event is stamped with the current version of its type');
  const expected: AccountV2 = { owner: 'Ann', balanceCents: 1255, deposits: 3, lastDepositAt: at(3) };
  equal(result.snapshot.state, expected);
  equal([result.snapshot.stateVersion, result.snapshot.rulesVersion], [2, 2]);
  equal(await store.loadSnapshot(ref), result.snapshot);
  equal(await store.queryIndex(ref.type, 'byOwner', 'Ann'), [result.snapshot], 'the index entry follows the new snapshot');
  const raw = await collect(store.readHistory(ref));
  equal(
    raw.map((event) => event.schemaVersion),
    [undefined, undefined, undefined, 2],
    'the store keeps each event with the version it was written with',
  );
  equal(raw[3]!.payload, { cents: 5, currency: 'EUR', at: at(3) });

  // recalculate: rules replay the whole history at version 2.
  seen.past = [];
  const recalculated = await v2.recalculate(ref.id);
  equal(recalculated.state, expected);
  equal(seen.past.length, 4);
  ensure(seen.past.slice(1).every((payload) => typeof (payload as DepositedV2).cents === 'number'), 'recalculate replays version-2 payloads');

  // A state version bump: the next get returns the snapshot rebuilt from history, and stores it.
  const v3 = accountsV3(store, ref.type);
  const rebuilt = await v3.get(ref.id);
  const expectedV3: AccountV3 = { owner: 'Ann', balance: { cents: 1255, currency: 'EUR' }, deposits: 3, lastDepositAt: at(3) };
  equal(rebuilt.state, expectedV3);
  equal([rebuilt.sequence, rebuilt.stateVersion, rebuilt.rulesVersion], [4, 3, 2]);
  equal(await store.loadSnapshot(ref), rebuilt, 'the rebuilt snapshot is stored');
  equal(await v3.query('byOwner', 'Ann'), [rebuilt], 'the index entry follows the rebuilt snapshot');
  equal(await store.queryIndex(ref.type, 'byOwner', 'Ann'), [rebuilt]);
  equal((await collect(store.readHistory(ref))).length, 4, 'rebuilding adds no events');
}
