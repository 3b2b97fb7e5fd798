/**
 * The processor's dispatch paths, which its speed work introduced: rules found by comparing
 * types (few rules) or by a map (many), called from their own call sites (the first six) or a
 * shared one; a fresh input object per call, one `publish` per run.
 */
import { expect } from 'chai';
import { Processor, UnknownEventTypeError, type EventRecord, type StateUpdater } from 'event-sourced-rules-engine';

interface Trace {
  seen: string[];
  indexes: number[];
}

const record = (type: string, sequence: number, payload: unknown = { n: sequence }): EventRecord => ({
  id: `e${sequence}`,
  type,
  payload,
  occurredAt: new Date(0),
  aggregateType: 'T',
  aggregateId: 'x',
  sequence,
});

/** A processor with `count` rules T0..T(count-1), each recording what it saw and publishing once. */
function processorWith(count: number) {
  const rules = new Map<string, StateUpdater<Trace, unknown, unknown>>();
  for (let index = 0; index < count; index++) {
    rules.set(`T${index}`, ({ state, event, currentIndex, stateIndex, publish }) => {
      publish(`OUT_${index}`, { from: event.id });
      return { seen: [...state.seen, `${event.type}@${stateIndex}`], indexes: [...state.indexes, currentIndex] };
    });
  }
  return new Processor<Trace, unknown, unknown>(rules, () => ({ seen: [], indexes: [] }));
}

for (const count of [1, 3, 6, 8, 9, 12]) {
  describe(`Processor dispatch with ${count} rule(s)`, () => {
    const types = Array.from({ length: count }, (_, index) => `T${index}`);
    // Every type, in reverse and then in order, so each rule runs after every other one.
    const order = [...types].reverse().concat(types);

    it('calls the rule of each event type, in order, with its position and sequence', () => {
      const past = order.slice(0, 2).map((type, index) => record(type, index + 1));
      const incoming = order.slice(2).map((type, index) => record(type, index + 3));
      const result = processorWith(count).run({ state: { seen: [], indexes: [] }, stateIndex: 0, pastEvents: past, newEvents: incoming });
      expect(result.state.seen).to.deep.equal(order.map((type, index) => `${type}@${index}`));
      expect(result.state.indexes).to.deep.equal(order.map((_, index) => index));
      expect(result.replayed.map((publication) => publication.cause.id)).to.deep.equal(past.map((event) => event.id));
      expect(result.published.map((publication) => [publication.type, (publication.payload as { from: string }).from, publication.cause.id])).to.deep.equal(
        incoming.map((event) => [`OUT_${event.type.slice(1)}`, event.id, event.id]),
      );
    });

    it('throws UnknownEventTypeError for a type without a rule, or skips it when told to', () => {
      const events = [record(types[0]!, 1), record('NOPE', 2), record(types[count - 1]!, 3)];
      expect(() => processorWith(count).run({ state: { seen: [], indexes: [] }, stateIndex: 0, newEvents: events }))
        .to.throw(UnknownEventTypeError)
        .with.property('message')
        .that.includes('NOPE');
      const result = processorWith(count).run(
        { state: { seen: [], indexes: [] }, stateIndex: 0, newEvents: events },
        { ignoreUnknownEventTypes: true },
      );
      expect(result.state.seen).to.deep.equal([`T0@0`, `T${count - 1}@2`]);
    });
  });
}

describe('Processor dispatch by type value', () => {
  it('finds rules for types that are equal strings but not the same string object', () => {
    const processor = processorWith(3);
    // Built at run time, like types read back from a store.
    const type = ['T', '2'].join('');
    const result = processor.run({ state: { seen: [], indexes: [] }, stateIndex: 4, newEvents: [record(type, 5)] });
    expect(result.state.seen).to.deep.equal(['T2@4']);
  });

  it('does not treat inherited object keys as event types', () => {
    const processor = processorWith(2);
    for (const type of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(() => processor.run({ state: { seen: [], indexes: [] }, stateIndex: 0, newEvents: [record(type, 1)] })).to.throw(UnknownEventTypeError);
    }
  });
});
