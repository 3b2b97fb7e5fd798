// The seed README's example, with only the import specifier and the store changed.
import { expect } from 'chai';
import { Aggregate, Processor, StateUpdater, createEvent, defineIndex } from 'event-sourced-rules-engine';
import { InMemoryEventStore } from 'event-sourced-rules-engine';

interface Account {
  email: string;
  balance: number;
}

type Inbound = AccountOpened | BalanceChanged;
type Outbound = BalanceChangedNotification;

interface AccountOpened {
  email: string;
}

interface BalanceChanged {
  amount: number;
}

interface BalanceChangedNotification {
  balance: number;
}

describe('the seed README example', () => {
  it('runs on InMemoryEventStore: balance, outbound BALANCE_CHANGED and the byEmail query', async () => {
    const rules = new Map<string, StateUpdater<Account, Inbound, Outbound, Inbound>>();

    rules.set('ACCOUNT_OPENED', (input) => {
      input.state.email = (input.current as AccountOpened).email;
      return input.state;
    });

    rules.set('BALANCE_CHANGED', (input) => {
      input.state.balance += (input.current as BalanceChanged).amount;
      input.publish('BALANCE_CHANGED', { balance: input.state.balance });
      return input.state;
    });

    const store = new InMemoryEventStore<Account, Inbound, Outbound>();

    const accounts = new Aggregate<Account, Inbound, Outbound>({
      type: 'ACCOUNT',
      store,
      processor: new Processor(rules, () => ({ email: '', balance: 0 })),
      indexes: [defineIndex('byEmail', (snapshot) => snapshot.state.email || null)],
    });

    const appended = await accounts.append(
      'account-1',
      createEvent('ACCOUNT_OPENED', { email: 'owner@example.com' }),
      createEvent('BALANCE_CHANGED', { amount: 50 }),
    );

    const snapshot = await accounts.get('account-1');
    const byEmail = await accounts.query('byEmail', 'owner@example.com');

    expect(snapshot.state).to.deep.equal({ email: 'owner@example.com', balance: 50 });
    expect(snapshot.sequence).to.equal(2);
    expect(appended.outbound.map(({ type, payload }) => ({ type, payload }))).to.deep.equal([
      { type: 'BALANCE_CHANGED', payload: { balance: 50 } },
    ]);
    const pending = await store.pendingOutbox();
    expect(pending.map(({ type, payload, aggregateId }) => ({ type, payload, aggregateId }))).to.deep.equal([
      { type: 'BALANCE_CHANGED', payload: { balance: 50 }, aggregateId: 'account-1' },
    ]);
    expect(byEmail.map((entry) => [entry.aggregateId, entry.state.balance])).to.deep.equal([['account-1', 50]]);
    expect(await accounts.query('byEmail', 'someone-else@example.com')).to.deep.equal([]);
  });
});
