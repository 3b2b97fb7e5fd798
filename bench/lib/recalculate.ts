import type { EventStore, Snapshot } from 'event-sourced-rules-engine';
import { accountAggregate } from './account.js';
import { mb } from './format.js';
import { figureRow } from './rows.js';
import type { BenchRow } from './row.js';
import { peakRss, sampledStore, type RssSampler } from './rss.js';
import { progress } from './time.js';

/** Options of {@link recalculateRow}. */
export interface RecalculateRowOptions {
  readonly benchmark: string;
  /** A store where ACCOUNT `id` has `events` events. */
  readonly store: EventStore<any, any, any>;
  readonly id: string;
  readonly events: number;
  readonly rounds: number;
  /**
   * An aggregate with a short history, recalculated once before measuring, so one-time costs
   * (lazily loaded SDK code, first compilations) do not count as history held in memory.
   */
  readonly warmupId?: string;
  /** Also measure loading the whole history into an array, for contrast (default false). */
  readonly contrastWholeLoad?: boolean;
  /** The ACCOUNT aggregate that recalculates, on the given store (default: {@link accountAggregate}). */
  readonly aggregate?: (store: EventStore<any, any, any>) => { recalculate(id: string): Promise<Snapshot<unknown>> };
}

/** Recalculates the aggregate `rounds` times, each time measuring RSS growth over the RSS before it started. */
export async function recalculateRow(options: RecalculateRowOptions): Promise<BenchRow> {
  let current: RssSampler | undefined;
  const account = (options.aggregate ?? accountAggregate)(sampledStore(options.store, () => current));
  const growth: number[] = [];
  const before: number[] = [];
  const peaks: number[] = [];
  const seconds: number[] = [];
  if (options.warmupId !== undefined) await account.recalculate(options.warmupId);
  for (let round = 0; round < options.rounds; round++) {
    const started = Date.now();
    const result = await peakRss(async (sampler) => {
      current = sampler;
      try {
        const snapshot = await account.recalculate(options.id);
        if (snapshot.sequence !== options.events) throw new Error(`recalculated to ${snapshot.sequence}, expected ${options.events}`);
      } finally {
        current = undefined;
      }
    });
    seconds.push((Date.now() - started) / 1000);
    before.push(result.before);
    peaks.push(result.peak);
    growth.push((result.peak - result.before) / 1024 / 1024);
    progress(`${options.benchmark} round ${round + 1}/${options.rounds}: RSS ${mb(result.before)} → peak ${mb(result.peak)} in ${seconds.at(-1)} s`);
  }
  const details: Record<string, unknown> = { events: options.events, rssBeforeBytes: before, rssPeakBytes: peaks, seconds };
  if (options.contrastWholeLoad) {
    const whole = await peakRss(async () => {
      const all: unknown[] = [];
      for await (const event of options.store.readHistory({ type: 'ACCOUNT', id: options.id })) all.push(event);
      return all.length;
    });
    details.wholeHistoryLoadGrowthMB = (whole.peak - whole.before) / 1024 / 1024;
    progress(`for contrast, loading the whole history into an array: +${mb(whole.peak - whole.before)}`);
  }
  const middle = Math.floor(options.rounds / 2);
  return figureRow({
    benchmark: options.benchmark,
    samples: growth,
    unit: 'MB',
    measured:
      `peak RSS ${mb([...peaks].sort((a, b) => a - b)[middle]!)}` +
      (typeof details.wholeHistoryLoadGrowthMB === 'number' ? ` (whole history in an array: +${(details.wholeHistoryLoadGrowthMB as number).toFixed(0)} MB)` : ''),
    baseline: `RSS before ${mb([...before].sort((a, b) => a - b)[middle]!)}`,
    target: { below: 50 },
    details,
  });
}
