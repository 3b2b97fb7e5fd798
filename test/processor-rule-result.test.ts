import { expect } from 'chai';
import {
  Aggregate,
  EventSourcingError,
  InMemoryEventStore,
  InvalidRuleResultError,
  Processor,
  createEvent,
  defineIndex,
  type Rules,
} from 'event-sourced-rules-engine';

interface Account {
  email: string;
  balance: number;
}
interface In {
  OPENED: { email: string };
  DEPOSITED: { amount: number };
}
type Inbound = In[keyof In];

/** A rule set whose DEPOSITED rule returns `result` instead of the state. */
function rulesReturning(result: (state: Account) => unknown): Rules<Account, In, {}> {
  return {
    OPENED: ({ state, current }) => ({ ...state, email: current.email }),
    DEPOSITED: ({ state, current }) => {
      state.balance += current.amount;
      return result(state) as Account;
    },
  };
}

describe('a rule that returns nothing or a non-object', () => {
  const initial = () => ({ email: '', balance: 0 });

  for (const [what, result] of [
    ['nothing', () => undefined],
    ['null', () => null],
    ['a number', (state: Account) => state.balance],
    ['a string', () => 'done'],
  ] as const) {
    it(`returning ${what}: InvalidRuleResultError naming the event type and the aggregate, nothing written`, async () => {
      const store = new InMemoryEventStore<Account, Inbound, never>();
      const aggregate = new Aggregate<Account, Inbound, never>({
        type: 'ACCOUNT',
        store,
        processor: new Processor<Account, Inbound, never>(rulesReturning(result), initial),
        indexes: [defineIndex('byEmail', (snapshot) => snapshot.state.email || null)],
      });
      await aggregate.append('a-1', createEvent('OPENED', { email: 'a@example.com' }));
      const before = await aggregate.get('a-1');
      const error = await aggregate.append('a-1', createEvent('DEPOSITED', { amount: 5 })).then(
        () => expect.fail('expected the append to fail'),
        (caught: unknown) => caught,
      );
      expect(error).to.be.instanceOf(InvalidRuleResultError);
      expect(error).to.be.instanceOf(EventSourcingError);
      const invalid = error as InvalidRuleResultError;
      expect(invalid.eventType).to.equal('DEPOSITED');
      expect(invalid.aggregateType).to.equal('ACCOUNT');
      expect(invalid.aggregateId).to.equal('a-1');
      expect(invalid.message).to.include('The rule for event type "DEPOSITED"');
      expect(invalid.message).to.include('ACCOUNT "a-1"');
      expect(invalid.message).to.include('must return the new state');
      expect(await aggregate.get('a-1'), 'nothing written').to.deep.equal(before);
      expect((await aggregate.query('byEmail', 'a@example.com')).map((snapshot) => snapshot.state)).to.deep.equal([before.state]);
    });
  }

  it('a processor whose state is not an object may still fold into numbers', () => {
    const processor = new Processor<number, { amount: number }, never>({ ADDED: ({ state, current }) => state + current.amount }, () => 0);
    const events = [1, 2].map((amount, index) => ({ ...createEvent('ADDED', { amount }), aggregateType: 'SUM', aggregateId: 's', sequence: index + 1 }));
    expect(processor.run({ state: 0, stateIndex: 0, newEvents: events }).state).to.equal(3);
  });

  it('a rule returning nothing with a number state is refused too', () => {
    const processor = new Processor<number, { amount: number }, never>({ ADDED: () => undefined as unknown as number }, () => 0);
    const events = [{ ...createEvent('ADDED', { amount: 1 }), aggregateType: 'SUM', aggregateId: 's', sequence: 1 }];
    expect(() => processor.run({ state: 0, stateIndex: 0, newEvents: events }, { aggregateType: 'SUM', aggregateId: 's' })).to.throw(
      InvalidRuleResultError,
      'The rule for event type "ADDED" in aggregate SUM "s" returned undefined',
    );
  });
});
