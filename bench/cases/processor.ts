/**
 * Processor throughput: 1,000,000 events through three simple rules, against a hand-written
 * loop that makes the same updates to the same state.
 */
import { Processor, type EventRecord, type Rules } from 'event-sourced-rules-engine';
import { si } from '../lib/format.js';
import { pairedRow } from '../lib/rows.js';
import type { BenchRow } from '../lib/row.js';
import { interleaved } from '../lib/interleave.js';

const EVENTS = 1_000_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const RUNS_PER_ROUND = 6;

interface State {
  balance: number;
  deposits: number;
  withdrawals: number;
  owner: string;
}

interface Inbound {
  DEPOSITED: { amount: number };
  WITHDRAWN: { amount: number };
  RENAMED: { owner: string };
}

type Payload = Inbound[keyof Inbound];

const initial = (): State => ({ balance: 0, deposits: 0, withdrawals: 0, owner: '' });

const rules: Rules<State, Inbound, Record<never, never>> = {
  DEPOSITED: ({ state, current }) => {
    state.balance += current.amount;
    state.deposits++;
    return state;
  },
  WITHDRAWN: ({ state, current }) => {
    state.balance -= current.amount;
    state.withdrawals++;
    return state;
  },
  RENAMED: ({ state, current }) => {
    state.owner = current.owner;
    return state;
  },
};

/** The baseline: the same updates, written out by hand in one loop. */
function handWritten(start: State, events: readonly EventRecord<Payload>[]): State {
  const state = structuredClone(start);
  for (let index = 0; index < events.length; index++) {
    const event = events[index]!;
    switch (event.type) {
      case 'DEPOSITED':
        state.balance += (event.payload as Inbound['DEPOSITED']).amount;
        state.deposits++;
        break;
      case 'WITHDRAWN':
        state.balance -= (event.payload as Inbound['WITHDRAWN']).amount;
        state.withdrawals++;
        break;
      case 'RENAMED':
        state.owner = (event.payload as Inbound['RENAMED']).owner;
        break;
      default:
        throw new Error(`no rule for ${event.type}`);
    }
  }
  return state;
}

function makeEvents(count: number): EventRecord<Payload>[] {
  const occurredAt = new Date(Date.UTC(2026, 0, 1));
  const events: EventRecord<Payload>[] = new Array(count);
  for (let index = 0; index < count; index++) {
    const kind = index % 10;
    const type = kind === 9 ? 'RENAMED' : kind % 3 === 2 ? 'WITHDRAWN' : 'DEPOSITED';
    const payload = type === 'RENAMED' ? { owner: `owner-${index % 97}` } : { amount: (index % 50) + 1 };
    events[index] = {
      id: `event-${index}`,
      type,
      payload,
      occurredAt,
      aggregateType: 'ACCOUNT',
      aggregateId: 'bench',
      sequence: index + 1,
    };
  }
  return events;
}

export default async function processorBench(): Promise<BenchRow[]> {
  const processor = new Processor<State, Payload, never>(rules, initial);
  const events = makeEvents(EVENTS);
  const viaProcessor = () => processor.run({ state: initial(), stateIndex: 0, newEvents: events }).state;
  const viaLoop = () => handWritten(initial(), events);
  const expected = JSON.stringify(viaLoop());
  if (JSON.stringify(viaProcessor()) !== expected) throw new Error('the processor and the hand-written loop disagree');
  // Each round alternates whole runs of the two (1,000,000 events each), so both see the same load.
  const times = await interleaved({
    name: 'processor',
    rounds: ROUNDS,
    perRound: RUNS_PER_ROUND,
    block: 1,
    warmup: 3,
    measured: viaProcessor,
    baseline: viaLoop,
  });
  const measured = times.measured.map((runMs) => EVENTS / (runMs / 1000));
  const baseline = times.baseline.map((runMs) => EVENTS / (runMs / 1000));
  return [
    pairedRow({
      benchmark: 'Processor: 1,000,000 events, simple rules (events/s)',
      measured,
      baseline,
      show: (value) => `${si(value)} events/s`,
      target: { atLeast: 0.5 },
      details: { events: EVENTS, rounds: ROUNDS, runsPerRound: RUNS_PER_ROUND },
    }),
  ];
}
