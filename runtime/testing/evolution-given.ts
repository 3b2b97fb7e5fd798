/**
 * given/when/then on the version-1 records a store holds (see `evolution.ts`): the records as
 * read from the store, without a version, are upcast before the version-2 rules see them.
 * Separate from the scenario because `given` asserts with `node:assert` (Node test runners
 * only), while the scenario also runs in browsers.
 */
import { createEvent } from '../event.js';
import type { AggregateRef, EventRecord, EventStore } from '../types.js';
import { type AccountV2, accountsV2 } from './evolution.js';
import { given } from './given.js';

/** Runs given(the first three stored records).when(a version-2 deposit).then(the version-2 state). */
export async function checkGivenOnStoredHistory(store: EventStore<any, any, any>, ref: AggregateRef): Promise<void> {
  const stored: EventRecord[] = [];
  for await (const event of store.readHistory(ref)) {
    if (stored.length === 3) break;
    stored.push(event);
  }
  const at = new Date(Date.UTC(2025, 0, 1, 10, 3));
  const expected: AccountV2 = { owner: 'Ann', balanceCents: 1255, deposits: 3, lastDepositAt: at };
  given(accountsV2(store, ref.type, { past: [] }), stored)
    .when(createEvent('DEPOSITED', { cents: 5, currency: 'EUR', at }))
    .then(expected);
}
