/**
 * The idempotency part of the contract, through {@link Aggregate}: concurrent appends with one
 * idempotency key all return the first result and write once, whatever the retry setting.
 */
import { Aggregate } from '../aggregate.js';
import { createEvent } from '../event.js';
import { Processor } from '../processor.js';
import type { EventStore } from '../types.js';
import { ensure, firstDifference } from './exact.js';

type AnyStore = EventStore<any, any, any>;
type Test = (title: string, body: (store: AnyStore, type: string) => Promise<void>) => void;

/** Adds the same-key race tests through `test`: with the default retry and with `retry: false`. */
export function idempotencyRaceTests(test: Test, callers = 16): void {
  for (const retry of ['default', false] as const) {
    test(`idempotency: ${callers} concurrent appends with one key all get the first result and write once (retry: ${String(retry)})`, async (store, type) => {
      const aggregate = new Aggregate<{ total: number }, { amount: number }, { total: number }>({
        type,
        store,
        processor: new Processor<{ total: number }, { amount: number }, { total: number }>(
          {
            ADDED: (input) => {
              input.publish('TOTAL_CHANGED', { total: input.state.total + input.current.amount });
              return { total: input.state.total + input.current.amount };
            },
          },
          () => ({ total: 0 }),
        ),
        ...(retry === false ? { retry: false as const } : {}),
      });
      const outcomes = await Promise.allSettled(
        Array.from({ length: callers }, (_, i) => aggregate.append({ id: 'race', idempotencyKey: 'once' }, createEvent('ADDED', { amount: i + 1 }))),
      );
      const failed = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
      ensure(failed.length === 0, `${failed.length} of ${callers} callers failed, e.g. ${String(failed[0]?.reason)}`);
      const record = await store.loadIdempotencyRecord({ type, id: 'race' }, 'once');
      ensure(record !== undefined, 'the idempotency record is stored');
      for (const outcome of outcomes) {
        const difference = firstDifference((outcome as PromiseFulfilledResult<unknown>).value, record.result);
        ensure(difference === undefined, `a caller got another result than the first: ${difference}`);
      }
      const snapshot = await aggregate.get('race');
      ensure(snapshot.sequence === 1, `the key wrote once (sequence ${snapshot.sequence})`);
    });
  }
}
