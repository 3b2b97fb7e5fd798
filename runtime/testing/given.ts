import assert from 'node:assert/strict';
import type { Processor, ProcessResult } from '../processor.js';
import type { DomainEvent, EventRecord } from '../types.js';

/** What a scenario's rules published: type and payload. */
export interface PublishedEvent<TOutbound = unknown> {
  readonly type: string;
  readonly payload: TOutbound;
}

/** The `when` step of a rules scenario. */
export interface WhenStep<TState, TInbound, TOutbound> {
  /** The events under test, applied after the `given` history. */
  when(...events: DomainEvent<string, TInbound>[]): ThenStep<TState, TOutbound>;
}

/** The `then` step of a rules scenario. */
export interface ThenStep<TState, TOutbound> {
  /**
   * Asserts the state after the `when` events, and (when given) exactly what they published,
   * in order. Publications made while folding the `given` history are not counted. Returns
   * the processor's result for further checks.
   */
  then(expectedState: TState, expectedPublished?: readonly PublishedEvent<TOutbound>[]): ProcessResult<TState, TOutbound>;
  /** Asserts that applying the `when` events throws (optionally matching a class, message or pattern). */
  thenThrows(expected?: (new (...args: any[]) => Error) | RegExp | string): Error;
}

/**
 * A given/when/then scenario for rules:
 *
 * ```ts
 * given(processor, [opened]).when(deposited).then({ balance: 50 }, [{ type: 'BALANCE_CHANGED', payload: { balance: 50 } }]);
 * ```
 * `given` events are folded from the processor's initial state first.
 */
export function given<TState, TInbound, TOutbound>(
  processor: Processor<TState, TInbound, TOutbound>,
  history: readonly DomainEvent<string, TInbound>[] = [],
): WhenStep<TState, TInbound, TOutbound> {
  const past = history.map((event, index) => record(event, index + 1));
  return {
    when(...events) {
      const incoming = events.map((event, index) => record(event, past.length + index + 1));
      const describe = () =>
        `given [${past.map((event) => event.type).join(', ')}] when [${incoming.map((event) => event.type).join(', ')}]`;
      const run = () =>
        processor.run({ state: processor.initialState(), stateIndex: 0, pastEvents: past, newEvents: incoming });
      return {
        then(expectedState, expectedPublished) {
          let result: ProcessResult<TState, TOutbound>;
          try {
            result = run();
          } catch (error) {
            throw new assert.AssertionError({ message: `${describe()}: the rules threw ${String(error)}` });
          }
          assert.deepStrictEqual(result.state, expectedState, `${describe()}: the state is not the expected one`);
          if (expectedPublished) {
            const published = result.published.map(({ type, payload }) => ({ type, payload }));
            assert.deepStrictEqual(published, expectedPublished, `${describe()}: the published events are not the expected ones`);
          }
          return result;
        },
        thenThrows(expected) {
          try {
            run();
          } catch (error) {
            const thrown = error instanceof Error ? error : new Error(String(error));
            if (typeof expected === 'function' && !(thrown instanceof expected)) {
              throw new assert.AssertionError({ message: `${describe()}: expected ${expected.name}, the rules threw ${String(thrown)}` });
            }
            if (typeof expected === 'string' && !thrown.message.includes(expected)) {
              throw new assert.AssertionError({ message: `${describe()}: expected an error containing ${JSON.stringify(expected)}, got ${JSON.stringify(thrown.message)}` });
            }
            if (expected instanceof RegExp && !expected.test(thrown.message)) {
              throw new assert.AssertionError({ message: `${describe()}: expected an error matching ${expected}, got ${JSON.stringify(thrown.message)}` });
            }
            return thrown;
          }
          throw new assert.AssertionError({ message: `${describe()}: expected the rules to throw, they did not` });
        },
      };
    },
  };
}

function record<TInbound>(event: DomainEvent<string, TInbound>, sequence: number): EventRecord<TInbound> {
  return { ...event, aggregateType: 'SCENARIO', aggregateId: 'scenario', sequence };
}
