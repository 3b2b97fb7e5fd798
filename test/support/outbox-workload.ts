/**
 * Commits a workload of outbound events to any EventStore through a real Aggregate: every
 * deposit publishes two outbound events, so commits carry several outbox records.
 */
import { Aggregate, Processor, createEvent, type EventStore, type OutboxRecord, type StateUpdater } from 'event-sourced-rules-engine';

export interface Wallet {
  balance: number;
}
export interface Deposited {
  amount: number;
}
export type WalletOutbound = { balance: number } | { amount: number; note: string };

export interface WorkloadOptions {
  /** Aggregate type (make it unique per test). */
  readonly type: string;
  readonly aggregates: number;
  readonly depositsPerAggregate: number;
}

/**
 * Appends `depositsPerAggregate` deposits to each of `aggregates` aggregates, the aggregates
 * concurrently, and returns every outbox record written, in commit order.
 */
export async function commitWorkload(
  store: EventStore<Wallet, Deposited, WalletOutbound>,
  options: WorkloadOptions,
): Promise<OutboxRecord<WalletOutbound>[]> {
  const rules = new Map<string, StateUpdater<Wallet, Deposited, WalletOutbound, Deposited>>([
    [
      'DEPOSITED',
      (input) => {
        const amount = (input.current as Deposited).amount;
        input.state.balance += amount;
        input.publish('DEPOSIT_RECORDED', { amount, note: `deposit of ${amount}` });
        input.publish('BALANCE_CHANGED', { balance: input.state.balance });
        return input.state;
      },
    ],
  ]);
  const wallets = new Aggregate<Wallet, Deposited, WalletOutbound>({
    type: options.type,
    store,
    processor: new Processor(rules, () => ({ balance: 0 })),
  });
  const written: OutboxRecord<WalletOutbound>[] = [];
  // Aggregates advance concurrently (so their commits interleave); each one's deposits in order.
  await Promise.all(
    Array.from({ length: options.aggregates }, async (_, n) => {
      for (let round = 1; round <= options.depositsPerAggregate; round++) {
        const result = await wallets.append(`wallet-${n}`, createEvent('DEPOSITED', { amount: round }));
        written.push(...result.outbound);
      }
    }),
  );
  return written;
}
