import { expect } from 'chai';
import {
  Processor,
  UnknownEventTypeError,
  createEvent,
  type EventRecord,
  type RuleInput,
  type Rules,
  type StateUpdater,
} from 'event-sourced-rules-engine';
import { given } from 'event-sourced-rules-engine/testing';

interface Counter {
  total: number;
  seen: string[];
}
interface InMap {
  ADDED: { amount: number };
  RESET: Record<string, never>;
}
interface OutMap {
  TOTAL_CHANGED: { total: number };
}

const rules: Rules<Counter, InMap, OutMap> = {
  ADDED: (input) => {
    input.state.total += input.current.amount;
    input.state.seen.push(input.event.id);
    input.publish('TOTAL_CHANGED', { total: input.state.total });
    return input.state;
  },
  RESET: (input) => ({ total: 0, seen: [...input.state.seen, input.event.id] }),
};

function records(...events: { type: string; payload: unknown }[]): EventRecord<any>[] {
  return events.map((event, index) => ({
    ...createEvent(event.type, event.payload),
    aggregateType: 'COUNTER',
    aggregateId: 'c',
    sequence: index + 1,
  }));
}

describe('Processor', () => {
  const initial = () => ({ total: 0, seen: [] as string[] });

  it('folds events with a typed record of rules and collects publications with their cause', () => {
    const processor = new Processor<Counter, InMap[keyof InMap], OutMap[keyof OutMap]>(rules, initial);
    const events = records({ type: 'ADDED', payload: { amount: 2 } }, { type: 'ADDED', payload: { amount: 5 } });
    const result = processor.run({ state: initial(), stateIndex: 0, newEvents: events });
    expect(result.state.total).to.equal(7);
    expect(result.published.map((p) => [p.type, p.payload, p.cause.id])).to.deep.equal([
      ['TOTAL_CHANGED', { total: 2 }, events[0]!.id],
      ['TOTAL_CHANGED', { total: 7 }, events[1]!.id],
    ]);
    expect(result.replayed).to.deep.equal([]);
  });

  it('accepts the seed Map of rules', () => {
    const map = new Map<string, StateUpdater<Counter, any, any, any, any>>([
      ['ADDED', rules.ADDED],
      ['RESET', rules.RESET],
    ]);
    const processor = new Processor<Counter, any, any>(map, initial);
    const result = processor.run({ state: initial(), stateIndex: 0, newEvents: records({ type: 'ADDED', payload: { amount: 3 } }) });
    expect(result.state.total).to.equal(3);
    expect(processor.eventTypes).to.deep.equal(['ADDED', 'RESET']);
  });

  it('keeps publications made while replaying past events apart from new ones', () => {
    const processor = new Processor<Counter, any, any>(rules, initial);
    const [a, b, c] = records(
      { type: 'ADDED', payload: { amount: 1 } },
      { type: 'ADDED', payload: { amount: 2 } },
      { type: 'ADDED', payload: { amount: 4 } },
    );
    const result = processor.run({ state: initial(), stateIndex: 0, pastEvents: [a!, b!], newEvents: [c!] });
    expect(result.state.total).to.equal(7);
    expect(result.replayed.map((p) => p.payload)).to.deep.equal([{ total: 1 }, { total: 3 }]);
    expect(result.published.map((p) => p.payload)).to.deep.equal([{ total: 7 }]);
  });

  it('gives rules the past and new events, all, currentIndex, stateIndex and replaying', () => {
    const seen: Omit<RuleInput<unknown, unknown, unknown>, 'state' | 'publish' | 'current' | 'event'>[] = [];
    const processor = new Processor<number, unknown, unknown>(
      new Map([['X', (input: RuleInput<number, unknown, unknown>) => {
        const { pastEvents, newEvents, all, currentIndex, stateIndex, replaying } = input;
        seen.push({ pastEvents, newEvents, all, currentIndex, stateIndex, replaying });
        return input.state + 1;
      }]]),
      () => 0,
    );
    const [p, n1, n2] = records({ type: 'X', payload: 1 }, { type: 'X', payload: 2 }, { type: 'X', payload: 3 });
    const result = processor.run({ state: 10, stateIndex: 10, pastEvents: [p!], newEvents: [n1!, n2!] });
    expect(result.state).to.equal(13);
    expect(seen.map((s) => [s.currentIndex, s.stateIndex, s.replaying])).to.deep.equal([
      [0, 10, true],
      [1, 11, false],
      [2, 12, false],
    ]);
    expect(seen[1]!.all.map((e) => e.id)).to.deep.equal([p!.id, n1!.id, n2!.id]);
    expect(seen[1]!.pastEvents.map((e) => e.id)).to.deep.equal([p!.id]);
    expect(seen[1]!.newEvents.map((e) => e.id)).to.deep.equal([n1!.id, n2!.id]);
  });

  it('gives every rule call an input of its own: a rule that keeps its input, or closes over it, later sees its own event', () => {
    const kept: RuleInput<number, unknown, unknown>[] = [];
    const readers: (() => unknown)[] = [];
    const processor = new Processor<number, unknown, unknown>(
      new Map([['X', (input: RuleInput<number, unknown, unknown>) => {
        kept.push(input);
        readers.push(() => [input.current, input.event.id, input.currentIndex, input.stateIndex, input.replaying, input.state]);
        return input.state + 1;
      }]]),
      () => 0,
    );
    const [p, n1, n2] = records({ type: 'X', payload: 'past' }, { type: 'X', payload: 'first' }, { type: 'X', payload: 'second' });
    processor.run({ state: 0, stateIndex: 0, pastEvents: [p!], newEvents: [n1!, n2!] });
    expect(new Set(kept).size, 'one input object per call').to.equal(3);
    expect(readers.map((read) => read())).to.deep.equal([
      ['past', p!.id, 0, 0, true, 0],
      ['first', n1!.id, 1, 1, false, 1],
      ['second', n2!.id, 2, 2, false, 2],
    ]);
  });

  it('refuses a publish made after its rule call returned, instead of pinning it on another event', () => {
    let later: (() => void) | undefined;
    const processor = new Processor<number, unknown, unknown>(
      new Map([['X', (input: RuleInput<number, unknown, unknown>) => {
        if (!later) later = () => input.publish('LATE', {});
        return input.state + 1;
      }]]),
      () => 0,
    );
    const run = processor.run({ state: 0, stateIndex: 0, newEvents: records({ type: 'X', payload: 1 }, { type: 'X', payload: 2 }) });
    expect(() => later!()).to.throw(/publish.*after/i);
    expect(run.published).to.deep.equal([]);
  });

  it('never mutates the state it was given, even when rules mutate theirs', () => {
    const processor = new Processor<Counter, any, any>(rules, initial);
    const start = { total: 1, seen: ['x'] };
    processor.run({ state: start, stateIndex: 1, newEvents: records({ type: 'ADDED', payload: { amount: 5 } }) });
    expect(start).to.deep.equal({ total: 1, seen: ['x'] });
  });

  it('throws UnknownEventTypeError for an event without a rule, or skips it when told to', () => {
    const processor = new Processor<Counter, any, any>(rules, initial);
    const events = records({ type: 'ADDED', payload: { amount: 1 } }, { type: 'NOPE', payload: {} });
    expect(() => processor.run({ state: initial(), stateIndex: 0, newEvents: events }, { aggregateType: 'COUNTER', aggregateId: 'c' }))
      .to.throw(UnknownEventTypeError, /NOPE.*COUNTER/);
    const skipped = processor.run({ state: initial(), stateIndex: 0, newEvents: events }, { ignoreUnknownEventTypes: true });
    expect(skipped.state.total).to.equal(1);
  });
});

describe('given/when/then', () => {
  const processor = new Processor<Counter, any, any>(rules, () => ({ total: 0, seen: [] }));

  it('passes when state and publications match, counting only the when events', () => {
    const added = createEvent('ADDED', { amount: 4 });
    const more = createEvent('ADDED', { amount: 6 });
    given(processor, [added]).when(more).then({ total: 10, seen: [added.id, more.id] }, [
      { type: 'TOTAL_CHANGED', payload: { total: 10 } },
    ]);
  });

  it('fails with a message naming the scenario when the state differs', () => {
    const added = createEvent('ADDED', { amount: 4 });
    expect(() => given(processor).when(added).then({ total: 5, seen: [added.id] })).to.throw(
      /given \[\] when \[ADDED\]: the state is not the expected one/,
    );
  });

  it('fails when the publications differ', () => {
    const added = createEvent('ADDED', { amount: 4 });
    expect(() => given(processor).when(added).then({ total: 4, seen: [added.id] }, [])).to.throw(/published events/);
  });

  it('thenThrows checks the error', () => {
    given(processor).when(createEvent('NOPE', {})).thenThrows(UnknownEventTypeError);
    expect(() => given(processor).when(createEvent('ADDED', { amount: 1 })).thenThrows()).to.throw(/did not/);
  });
});
