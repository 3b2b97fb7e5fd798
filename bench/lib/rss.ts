/**
 * Peak resident set size while an action runs, sampled by a timer and by the caller (e.g. a
 * store wrapper that samples as history is read).
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { AggregateRef, EventRecord, EventStore, HistoryOptions } from 'event-sourced-rules-engine';
import { collectGarbage } from './time.js';

/** A running peak-RSS sampler. */
export interface RssSampler {
  /** Takes one sample now. */
  sample(): void;
}

/** RSS before `action` (after a full GC) and the highest RSS seen while it ran, in bytes. */
export async function peakRss(action: (sampler: RssSampler) => Promise<unknown>): Promise<{ before: number; peak: number }> {
  collectGarbage();
  await delay(50);
  collectGarbage();
  const before = process.memoryUsage.rss();
  let peak = before;
  const sampler: RssSampler = {
    sample() {
      const rss = process.memoryUsage.rss();
      if (rss > peak) peak = rss;
    },
  };
  const timer = setInterval(() => sampler.sample(), 5);
  try {
    await action(sampler);
  } finally {
    clearInterval(timer);
    sampler.sample();
  }
  return { before, peak };
}

/** `store`, with `readHistory` taking an RSS sample every `every` events it yields. */
export function sampledStore<S, I, O>(store: EventStore<S, I, O>, sampler: () => RssSampler | undefined, every = 200): EventStore<S, I, O> {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'readHistory') {
        return async function* (ref: AggregateRef, options?: HistoryOptions): AsyncIterable<EventRecord<I>> {
          let count = 0;
          for await (const event of target.readHistory(ref, options)) {
            if (++count % every === 0) sampler()?.sample();
            yield event;
          }
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
