/**
 * Child process of the SQLite crash test: appends to one aggregate in a loop, forever, until
 * it is killed. Usage: `node --conditions=esre-source --import tsx sqlite-append-loop.ts <file>`.
 */
import { createEvent } from 'event-sourced-rules-engine';
import { SqliteEventStore } from 'event-sourced-rules-engine/sqlite';
import { COUNTER_ID, counterAggregate, type Counter, type Deposited, type Noted } from './sqlite-counter.js';

const filename = process.argv[2];
if (!filename) throw new Error('usage: sqlite-append-loop.ts <database file>');
const store = new SqliteEventStore<Counter, Deposited, Noted>({ filename });
const counters = counterAggregate(store);
for (let round = 1; ; round++) {
  // One to three events per commit, so a kill can land inside a multi-event transaction.
  const events = Array.from({ length: 1 + (round % 3) }, (_, i) =>
    createEvent('DEPOSITED', { amount: round * 10 + i, at: new Date(Date.UTC(2024, 0, 1, 0, 0, 0, round)) }),
  );
  await counters.append(COUNTER_ID, ...events);
}
