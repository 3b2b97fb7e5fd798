/**
 * recalculate of 100,000 events (about 0.5 KB each) on the memory store: RSS growth over the RSS
 * before it starts.
 */
import { InMemoryEventStore } from 'event-sourced-rules-engine';
import { RECALCULATE_MEMO_LENGTH, accountAggregate, fill } from '../lib/account.js';
import { recalculateRow } from '../lib/recalculate.js';
import type { BenchRow } from '../lib/row.js';

const EVENTS = 100_000;

export default async function recalculateMemoryBench(): Promise<BenchRow[]> {
  const store = new InMemoryEventStore();
  await fill(accountAggregate(store), 'long', EVENTS, 1000, RECALCULATE_MEMO_LENGTH);
  await fill(accountAggregate(store), 'warm-up', 2_000, 1000, RECALCULATE_MEMO_LENGTH);
  return [
    await recalculateRow({
      benchmark: 'recalculate 100,000 events, memory store (RSS growth)',
      store,
      id: 'long',
      warmupId: 'warm-up',
      events: EVENTS,
      rounds: Number(process.env.BENCH_ROUNDS ?? 3),
      contrastWholeLoad: true,
    }),
  ];
}
