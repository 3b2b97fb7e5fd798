/**
 * Requests per operation are a property of the DynamoDB store, not a timing: counted with a
 * middleware in the SDK client's own stack, against DynamoDB Local.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { expect } from 'chai';
import { Aggregate, InMemoryEventStore, Processor, createEvent, type SchemaLike } from 'event-sourced-rules-engine';
import { DynamoEventStore, createEventStoreTable } from 'event-sourced-rules-engine/dynamodb';
import { countRequests, type RequestCounter } from '../bench/lib/request-counter.js';
import { DYNAMODB_LOCAL_CLIENT_CONFIG, useDynamoDBLocal } from './support/dynamodb-local.js';

interface Balance {
  balance: number;
}
type Payload = { amount: number };

const processor = () =>
  new Processor<Balance, Payload, { balance: number }>(
    {
      DEPOSITED: ({ state, current, publish }) => {
        const balance = state.balance + current.amount;
        publish('BALANCE_CHANGED', { balance });
        return { balance };
      },
    },
    () => ({ balance: 0 }),
  );

const deposit = (amount = 5) => createEvent('DEPOSITED', { amount });

describe('DynamoDB requests per operation', function () {
  this.timeout(60_000);
  const local = useDynamoDBLocal();
  const TABLE = `requests-${process.pid}`;
  let client: DynamoDBClient;
  let counter: RequestCounter;
  let accounts: Aggregate<Balance, Payload, { balance: number }>;

  before(async function () {
    await createEventStoreTable(local().client, TABLE);
    // A client of our own, so the counting middleware sees only this file's requests.
    client = new DynamoDBClient({ ...DYNAMODB_LOCAL_CLIENT_CONFIG, endpoint: local().server.endpoint });
    counter = countRequests(client);
    const store = new DynamoEventStore<Balance, Payload, { balance: number }>({
      client: DynamoDBDocumentClient.from(client),
      tableName: TABLE,
    });
    accounts = new Aggregate({ type: 'ACCOUNT', store, processor: processor(), retry: false });
  });

  after(() => {
    counter?.detach();
    client?.destroy();
  });

  beforeEach(() => counter.reset());

  it('append to an existing aggregate sends exactly GetItem + TransactWriteItems', async () => {
    await accounts.append('existing', deposit());
    counter.reset();
    const result = await accounts.append('existing', deposit(7));
    expect(result.snapshot.sequence).to.equal(2);
    expect(result.snapshot.state).to.deep.equal({ balance: 12 });
    expect(counter.operations).to.deep.equal(['GetItem', 'TransactWriteItems']);
  });

  it('append of several events with outbound records is still 2 requests', async () => {
    await accounts.append('several', deposit());
    counter.reset();
    const result = await accounts.append('several', deposit(1), deposit(2), deposit(3));
    expect(result.outbound).to.have.length(3);
    expect(counter.operations).to.deep.equal(['GetItem', 'TransactWriteItems']);
  });

  it('append to a new aggregate is 2 requests too', async () => {
    await accounts.append('brand-new', deposit());
    expect(counter.operations).to.deep.equal(['GetItem', 'TransactWriteItems']);
  });

  it('appendTo a snapshot in hand sends exactly one TransactWriteItems', async () => {
    const first = await accounts.append('in-hand', deposit());
    counter.reset();
    const second = await accounts.appendTo(first.snapshot, deposit(3));
    expect(second.snapshot.sequence).to.equal(2);
    expect(counter.operations).to.deep.equal(['TransactWriteItems']);
    counter.reset();
    await accounts.appendTo(second.snapshot, deposit(4));
    expect(counter.count).to.equal(1);
    expect((await accounts.get('in-hand')).state).to.deep.equal({ balance: 12 });
  });

  it('get is one GetItem, however long the history', async () => {
    await accounts.append('long', ...Array.from({ length: 40 }, () => deposit(1)));
    counter.reset();
    const snapshot = await accounts.get('long');
    expect(snapshot.sequence).to.equal(40);
    expect(counter.operations).to.deep.equal(['GetItem']);
  });
});

describe('validation work per append', () => {
  /** A schema that counts how often it parses. */
  const counting = (field: string) => {
    const schema = {
      parses: 0,
      safeParse(value: unknown) {
        schema.parses++;
        const number = (value as Record<string, unknown> | null)?.[field];
        return typeof number === 'number'
          ? { success: true as const, data: { [field]: number } }
          : { success: false as const, error: { issues: [{ path: [field], message: 'Expected number' }] } };
      },
    };
    return schema;
  };

  it('parses each new payload once and never the stored history', async () => {
    const schema = counting('amount');
    const outbound = counting('balance');
    const accounts = new Aggregate<Balance, Payload, { balance: number }>({
      type: 'ACCOUNT',
      store: new InMemoryEventStore(),
      processor: processor(),
      schemas: {
        inbound: { DEPOSITED: schema as SchemaLike },
        outbound: { BALANCE_CHANGED: outbound as SchemaLike },
      },
    });
    await accounts.append('a', ...Array.from({ length: 200 }, () => deposit(1)));
    expect(schema.parses).to.equal(200);
    schema.parses = 0;
    outbound.parses = 0;
    await accounts.append('a', deposit(2));
    expect(schema.parses).to.equal(1);
    expect(outbound.parses).to.equal(1);
    schema.parses = 0;
    await accounts.recalculate('a');
    expect(schema.parses).to.equal(0);
    expect((await accounts.get('a')).state).to.deep.equal({ balance: 202 });
  });
});
