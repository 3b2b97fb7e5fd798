/**
 * The aggregate most benchmarks use: a bank account with three inbound event types, simple
 * rules and zod schemas for its payloads.
 */
import { z } from 'zod';
import { Aggregate, Processor, createEvent, type DomainEvent, type EventStore, type Rules } from 'event-sourced-rules-engine';

/** The account's state. */
export interface AccountState {
  owner: string;
  balance: number;
  transactions: number;
}

/** Inbound payloads by event type. */
export interface AccountInbound {
  OPENED: { owner: string; email: string };
  DEPOSITED: { amount: number; reference: string; memo?: string };
  WITHDRAWN: { amount: number; reference: string };
}

/** The union of inbound payloads. */
export type AccountPayload = AccountInbound[keyof AccountInbound];

/** zod schemas of the inbound payloads. */
export const accountSchemas = {
  inbound: {
    OPENED: z.object({ owner: z.string().min(1), email: z.string().email() }),
    DEPOSITED: z.object({ amount: z.number().positive(), reference: z.string().max(64), memo: z.string().optional() }),
    WITHDRAWN: z.object({ amount: z.number().positive(), reference: z.string().max(64) }),
  },
};

const rules: Rules<AccountState, AccountInbound, Record<never, never>> = {
  OPENED: ({ state, current }) => ({ ...state, owner: current.owner }),
  DEPOSITED: ({ state, current }) => ({ ...state, balance: state.balance + current.amount, transactions: state.transactions + 1 }),
  WITHDRAWN: ({ state, current }) => ({ ...state, balance: state.balance - current.amount, transactions: state.transactions + 1 }),
};

/** A fresh account processor. */
export function accountProcessor(): Processor<AccountState, AccountPayload, never> {
  return new Processor<AccountState, AccountPayload, never>(rules, () => ({ owner: '', balance: 0, transactions: 0 }));
}

/** An account aggregate on `store`; `validate` turns the zod schemas on. */
export function accountAggregate(store: EventStore<any, any, any>, validate = false): Aggregate<AccountState, AccountPayload, never> {
  return new Aggregate<AccountState, AccountPayload, never>({
    type: 'ACCOUNT',
    store: store as EventStore<AccountState, AccountPayload, never>,
    processor: accountProcessor(),
    retry: false,
    ...(validate ? { schemas: accountSchemas } : {}),
  });
}

/** An OPENED event. */
export function opened(owner = 'Ada Lovelace'): DomainEvent<string, AccountPayload> {
  return createEvent('OPENED', { owner, email: 'ada@example.com' });
}

/** A DEPOSITED event of `amount`, with a memo of `memoLength` characters when that is above 0. */
export function deposited(amount = 10, reference = 'bench deposit', memoLength = 0): DomainEvent<string, AccountPayload> {
  return createEvent('DEPOSITED', { amount, reference, ...(memoLength > 0 ? { memo: memo(memoLength, amount) } : {}) });
}

/** A memo text of `length` characters. */
function memo(length: number, seed: number): string {
  return `memo ${seed} `.padEnd(length, 'lorem ipsum dolor sit amet ');
}

/** `count` DEPOSITED events, each with a memo of `memoLength` characters. */
export function deposits(count: number, memoLength = 0): DomainEvent<string, AccountPayload>[] {
  return Array.from({ length: count }, (_, index) => deposited((index % 100) + 1, `deposit ${index}`, memoLength));
}

/** Memo length of the events in the recalculate benchmarks: about 0.5 KB per stored event. */
export const RECALCULATE_MEMO_LENGTH = 400;

/**
 * Gives aggregate `id` `total` events (one OPENED, then deposits) in commits of at most `batch`
 * events, through the aggregate (so each commit is a real append).
 */
export async function fill(
  aggregate: Aggregate<AccountState, AccountPayload, never>,
  id: string,
  total: number,
  batch: number,
  memoLength = 0,
): Promise<void> {
  await aggregate.append(id, opened());
  for (let done = 1; done < total; ) {
    const size = Math.min(batch, total - done);
    await aggregate.append(id, ...deposits(size, memoLength));
    done += size;
  }
}
