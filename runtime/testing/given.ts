import assert from 'node:assert/strict';
import type { Processor, ProcessResult } from '../processor.js';
import type { DomainEvent, EventRecord } from '../types.js';
import { EventUpcaster, type Upcasters } from '../upcasting.js';

/**
 * An event of a scenario: made by `createEvent` (or a generated creator), so at the current
 * version of its type; or carrying the `schemaVersion` it was stored with, e.g.
 * `{ ...createEvent('DEPOSITED', { amount: 10 }), schemaVersion: 1 }`; or a record read from a
 * store (it has a `sequence`), where no `schemaVersion` means 1, as in the stores. Older
 * events are upcast before the rules see them, as stored ones are.
 */
export type ScenarioEvent<TInbound> =
  | DomainEvent<string, TInbound>
  | (DomainEvent<string, unknown> & { readonly schemaVersion: number })
  | EventRecord<unknown>;

/** Options of {@link given}. */
export interface GivenOptions {
  /** Upcasters of the aggregate (see `AggregateOptions.upcasters`); events with an older `schemaVersion` go through them. */
  readonly upcasters?: Upcasters;
  /** Aggregate type and id of the scenario's records (default `"SCENARIO"` / `"scenario"`), e.g. for error messages. */
  readonly aggregateType?: string;
  readonly aggregateId?: string;
}

/** What `given` runs: a processor, or anything that has one and its upcasters (an `Aggregate`; for a generated class, its `aggregate`). */
export type ScenarioSubject<TState, TInbound, TOutbound> =
  | Processor<TState, TInbound, TOutbound>
  | { readonly processor: Processor<TState, TInbound, TOutbound>; readonly upcasters?: Upcasters; readonly type?: string };

/** What a scenario's rules published: type and payload. */
export interface PublishedEvent<TOutbound = unknown> {
  readonly type: string;
  readonly payload: TOutbound;
}

/** The `when` step of a rules scenario. */
export interface WhenStep<TState, TInbound, TOutbound> {
  /** The events under test, applied after the `given` history. */
  when(...events: ScenarioEvent<TInbound>[]): ThenStep<TState, TOutbound>;
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
 * `given` events are folded from the processor's initial state first. Pass an `Aggregate` (for
 * a generated class, its `aggregate`) instead of its processor, or `options.upcasters`, and events
 * that carry an older `schemaVersion` are upcast before the rules see them, in `given` and in
 * `when`: rules only ever see current payloads, as in the stores. An upcasting failure is
 * thrown (an `UpcastError`) when the scenario runs.
 */
export function given<TState, TInbound, TOutbound>(
  subject: ScenarioSubject<TState, TInbound, TOutbound>,
  history: readonly ScenarioEvent<NoInfer<TInbound>>[] = [],
  options: GivenOptions = {},
): WhenStep<TState, TInbound, TOutbound> {
  const processor = 'processor' in subject ? subject.processor : subject;
  const ownType = 'processor' in subject ? subject.type : undefined;
  const ref = { type: options.aggregateType ?? ownType ?? 'SCENARIO', id: options.aggregateId ?? 'scenario' };
  const upcasters = options.upcasters ?? ('processor' in subject ? subject.upcasters : undefined);
  const upcaster = new EventUpcaster(ref.type, upcasters);
  // A recorded event (one read from a store) without a version was stored before versions
  // existed: version 1. An event made by createEvent is at the current version of its type.
  const record = (event: ScenarioEvent<TInbound>, sequence: number): EventRecord<TInbound> =>
    upcaster.upcast({
      ...(event as DomainEvent<string, TInbound>),
      aggregateType: ref.type,
      aggregateId: ref.id,
      sequence,
      schemaVersion: versionOf(event) ?? ('sequence' in event ? 1 : upcaster.versionOf(event.type)),
    });
  return {
    when(...events) {
      const describe = () =>
        `given [${history.map((event) => event.type).join(', ')}] when [${events.map((event) => event.type).join(', ')}]`;
      /** The scenario's records, upcast; an UpcastError is thrown as it is. */
      const records = () => {
        const past = history.map((event, index) => record(event, index + 1));
        return { past, incoming: events.map((event, index) => record(event, past.length + index + 1)) };
      };
      const run = ({ past, incoming }: ReturnType<typeof records>) =>
        processor.run({ state: processor.initialState(), stateIndex: 0, pastEvents: past, newEvents: incoming });
      return {
        then(expectedState, expectedPublished) {
          const scenario = records();
          let result: ProcessResult<TState, TOutbound>;
          try {
            result = run(scenario);
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
            run(records());
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

function versionOf(event: ScenarioEvent<unknown>): number | undefined {
  return (event as { readonly schemaVersion?: number }).schemaVersion;
}
