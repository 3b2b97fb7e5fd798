/**
 * recalculate of 100,000 version-1 events (about 0.5 KB each) on the memory store by code where
 * DEPOSITED is at version 2 (`amount` became `cents`): every deposit goes through an upcaster
 * step as the history streams. Rows: RSS growth over the RSS before it starts (flat memory, as
 * the plain recalculate row; target < 50 MB), and, reported without a target, the time against
 * recalculating the same history with the version-1 code, measured alternately in the same
 * process (the upcaster step itself, an object rest/spread per deposit, is most of the cost).
 */
import { Aggregate, InMemoryEventStore, Processor, type EventStore, type Rules } from 'event-sourced-rules-engine';
import { RECALCULATE_MEMO_LENGTH, accountAggregate, fill, type AccountInbound, type AccountState } from '../lib/account.js';
import { recalculateRow } from '../lib/recalculate.js';
import { pairedRow } from '../lib/rows.js';
import type { BenchRow } from '../lib/row.js';
import { progress } from '../lib/time.js';

const EVENTS = 100_000;

/** DEPOSITED at version 2: the amount in cents. */
interface AccountInboundV2 {
  OPENED: AccountInbound['OPENED'];
  DEPOSITED: { cents: number; reference: string; memo?: string };
  WITHDRAWN: AccountInbound['WITHDRAWN'];
}
type PayloadV2 = AccountInboundV2[keyof AccountInboundV2];

const rulesV2: Rules<AccountState, AccountInboundV2, Record<never, never>> = {
  OPENED: ({ state, current }) => ({ ...state, owner: current.owner }),
  DEPOSITED: ({ state, current }) => ({ ...state, balance: state.balance + current.cents / 100, transactions: state.transactions + 1 }),
  WITHDRAWN: ({ state, current }) => ({ ...state, balance: state.balance - current.amount, transactions: state.transactions + 1 }),
};

/** The account as the next release reads it: DEPOSITED at version 2, one upcaster step. */
function accountV2(store: EventStore<any, any, any>): Aggregate<AccountState, PayloadV2, never> {
  return new Aggregate<AccountState, PayloadV2, never>({
    type: 'ACCOUNT',
    store: store as EventStore<AccountState, PayloadV2, never>,
    processor: new Processor<AccountState, PayloadV2, never>(rulesV2, () => ({ owner: '', balance: 0, transactions: 0 })),
    upcasters: {
      DEPOSITED: {
        version: 2,
        steps: { 1: ({ amount, ...rest }: AccountInbound['DEPOSITED']) => ({ ...rest, cents: Math.round(amount * 100) }) },
      },
    },
    rulesVersion: 2,
    retry: false,
  });
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

export default async function recalculateUpcastMemoryBench(): Promise<BenchRow[]> {
  const store = new InMemoryEventStore();
  await fill(accountAggregate(store), 'long', EVENTS, 1000, RECALCULATE_MEMO_LENGTH);
  await fill(accountAggregate(store), 'warm-up', 2_000, 1000, RECALCULATE_MEMO_LENGTH);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const memory = await recalculateRow({
    benchmark: 'recalculate 100,000 version-1 events under version 2 (upcast), memory store (RSS growth)',
    store,
    id: 'long',
    warmupId: 'warm-up',
    events: EVENTS,
    rounds,
    contrastWholeLoad: true,
    aggregate: accountV2,
  });
  // Time: the same history recalculated by the version-1 code (no upcasting) and by the
  // version-2 code, alternating within each round so both see the same machine load.
  const plain = accountAggregate(store);
  const upcasting = accountV2(store);
  const baseline: number[] = [];
  const measured: number[] = [];
  for (let round = 0; round < rounds; round++) {
    baseline.push(await timed(() => plain.recalculate('long')));
    measured.push(await timed(() => upcasting.recalculate('long')));
    progress(`upcast recalculate round ${round + 1}/${rounds}: ${measured.at(-1)!.toFixed(0)} ms vs ${baseline.at(-1)!.toFixed(0)} ms without upcasting`);
  }
  const time = pairedRow({
    benchmark: 'recalculate 100,000 version-1 events under version 2 vs. at version 1 (time ratio)',
    measured,
    baseline,
    show: (ms) => `${(ms / 1000).toFixed(2)} s`,
    details: { events: EVENTS },
  });
  return [memory, time];
}
