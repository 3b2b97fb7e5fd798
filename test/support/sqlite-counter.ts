/**
 * A tiny aggregate shared by the SQLite crash test and the child process it kills: every
 * DEPOSITED event adds to a total and publishes one outbound event.
 */
import { Aggregate, Processor, type EventStore, type StateUpdater } from 'event-sourced-rules-engine';

export interface Counter {
  count: number;
  total: number;
  lastAt: Date | null;
}
export interface Deposited {
  amount: number;
  at: Date;
}
export interface Noted {
  total: number;
}

export const COUNTER_TYPE = 'CRASH_COUNTER';
export const COUNTER_ID = 'counter-1';

const deposited: StateUpdater<Counter, Deposited, Noted> = (input) => {
  input.state.count += 1;
  input.state.total += input.current.amount;
  input.state.lastAt = input.current.at;
  input.publish('NOTED', { total: input.state.total });
  return input.state;
};

export function counterProcessor(): Processor<Counter, Deposited, Noted> {
  return new Processor<Counter, Deposited, Noted>({ DEPOSITED: deposited }, () => ({ count: 0, total: 0, lastAt: null }));
}

export function counterAggregate(store: EventStore<Counter, Deposited, Noted>): Aggregate<Counter, Deposited, Noted> {
  return new Aggregate<Counter, Deposited, Noted>({ type: COUNTER_TYPE, store, processor: counterProcessor() });
}
