/**
 * What the Chromium codec test loads into its page: the contract's codec table, key and
 * option checks and same-key races, run against `LocalStorageEventStore` and
 * `IndexedDBEventStore` on the page's real storage. Exposed as `window.esreCodec.run(kind)`.
 */
import { IndexedDBEventStore, LocalStorageEventStore } from 'event-sourced-rules-engine/browser';
import { newId } from 'event-sourced-rules-engine';
import { codecTableTests, keyAndOptionTests } from '../../../runtime/testing/codec-table.js';
import { idempotencyRaceTests } from '../../../runtime/testing/idempotency-race.js';

type Body = (store: any, type: string) => Promise<void>;

/** One test's outcome. */
export interface Outcome {
  readonly title: string;
  readonly error?: string;
}

const tests: { title: string; body: Body }[] = [];
const add = (title: string, body: Body) => {
  tests.push({ title, body });
};
codecTableTests(add);
keyAndOptionTests(add);
idempotencyRaceTests(add);

async function run(kind: 'localStorage' | 'indexedDB'): Promise<Outcome[]> {
  const store = kind === 'localStorage' ? new LocalStorageEventStore() : new IndexedDBEventStore({ name: `codec-${newId()}` });
  const outcomes: Outcome[] = [];
  let n = 0;
  for (const { title, body } of tests) {
    try {
      await body(store, `CODEC_${++n}_${newId().slice(-6)}`);
      outcomes.push({ title });
    } catch (error) {
      outcomes.push({ title, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    }
  }
  return outcomes;
}

(globalThis as unknown as { esreCodec: { run: typeof run } }).esreCodec = { run };
