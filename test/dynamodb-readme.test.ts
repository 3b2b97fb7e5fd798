/**
 * The seed README's example, run against DynamoDB Local. The code between the markers is the
 * README's, unchanged; its imports differ only in the package name, and `dynamoDocumentClient`
 * is a DocumentClient for DynamoDB Local (the table is created by createEventStoreTable).
 */
import { expect } from 'chai';
// The README's two import lines, with the package name changed:
import { Aggregate, Processor, StateUpdater, createEvent, defineIndex } from "event-sourced-rules-engine";
import { DynamoEventStore } from "event-sourced-rules-engine/dynamodb";
import { createEventStoreTable } from 'event-sourced-rules-engine/dynamodb';
import { useDynamoDBLocal } from './support/dynamodb-local.js';

describe('the README DynamoDB example (DynamoDB Local)', function () {
  this.timeout(60_000);
  const local = useDynamoDBLocal();

  before(async () => {
    await createEventStoreTable(local().client, 'events');
  });

  it('opens an account, changes its balance, publishes BALANCE_CHANGED and finds it by email', async () => {
    const dynamoDocumentClient = local().documentClient;

    // --- README example (its imports are at the top of this file) ---
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

    const rules = new Map<string, StateUpdater<Account, Inbound, Outbound, Inbound>>();

    rules.set("ACCOUNT_OPENED", (input) => {
      input.state.email = (input.current as AccountOpened).email;
      return input.state;
    });

    rules.set("BALANCE_CHANGED", (input) => {
      input.state.balance += (input.current as BalanceChanged).amount;
      input.publish("BALANCE_CHANGED", { balance: input.state.balance });
      return input.state;
    });

    const store = new DynamoEventStore<Account, Inbound, Outbound>({
      client: dynamoDocumentClient,
      tableName: "events",
    });

    const accounts = new Aggregate<Account, Inbound, Outbound>({
      type: "ACCOUNT",
      store,
      processor: new Processor(rules, () => ({ email: "", balance: 0 })),
      indexes: [defineIndex("byEmail", (snapshot) => snapshot.state.email || null)],
    });

    await accounts.append(
      "account-1",
      createEvent("ACCOUNT_OPENED", { email: "owner@example.com" }),
      createEvent("BALANCE_CHANGED", { amount: 50 }),
    );

    const snapshot = await accounts.get("account-1");
    const byEmail = await accounts.query("byEmail", "owner@example.com");
    // --- end of README example ---

    expect(snapshot.state).to.deep.equal({ email: 'owner@example.com', balance: 50 });
    expect(snapshot.sequence).to.equal(2);
    expect(byEmail).to.deep.equal([snapshot]);
    const outbound = await store.pendingOutbox();
    expect(outbound.map((record) => [record.type, record.payload, record.aggregateId])).to.deep.equal([
      ['BALANCE_CHANGED', { balance: 50 }, 'account-1'],
    ]);
    const history = [];
    for await (const event of accounts.history('account-1')) history.push([event.type, event.payload]);
    expect(history).to.deep.equal([
      ['ACCOUNT_OPENED', { email: 'owner@example.com' }],
      ['BALANCE_CHANGED', { amount: 50 }],
    ]);
  });
});
