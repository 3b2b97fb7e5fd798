import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { expect } from 'chai';
import { Aggregate, Processor, StoreError, createEvent, type StateUpdater } from 'event-sourced-rules-engine';
import {
  DYNAMO_TABLE_LAYOUT,
  DynamoEventStore,
  OUTBOX_INSERT_FILTER_PATTERN,
  createEventStoreTable,
  isOutboxItem,
  outboxRecordFromItem,
} from 'event-sourced-rules-engine/dynamodb';
import { DYNAMODB_LOCAL_CLIENT_CONFIG, useDynamoDBLocal } from './support/dynamodb-local.js';

const TABLE = 'dynamodb-stream';

interface Account {
  balance: number;
}
type Inbound = { amount: number };
type Outbound = { balance: number; at: Date };

describe('DynamoEventStore and the table stream (DynamoDB Local)', function () {
  this.timeout(60_000);
  const local = useDynamoDBLocal();
  let streamArn: string;
  let streams: DynamoDBStreamsClient;

  before(async () => {
    const table = await createEventStoreTable(local().client, TABLE);
    streamArn = table.LatestStreamArn!;
    streams = new DynamoDBStreamsClient({ ...DYNAMODB_LOCAL_CLIENT_CONFIG, endpoint: local().server.endpoint });
  });
  after(() => streams?.destroy());

  async function readStream(): Promise<StreamRecord[]> {
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    const records: StreamRecord[] = [];
    for (const shard of StreamDescription?.Shards ?? []) {
      const { ShardIterator } = await streams.send(
        new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
      );
      let iterator = ShardIterator;
      // A shard that is still open always returns an iterator; stop once a read returns nothing new.
      for (let reads = 0; iterator && reads < 20; reads++) {
        const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
        records.push(...(page.Records ?? []));
        if (!page.Records?.length) break;
        iterator = page.NextShardIterator;
      }
    }
    return records;
  }

  /** Whether a stream record passes {@link OUTBOX_INSERT_FILTER_PATTERN}, read literally. */
  function passesFilter(record: StreamRecord): boolean {
    const image = record.dynamodb?.NewImage as Record<string, { S?: string }> | undefined;
    const [attribute, condition] = Object.entries(OUTBOX_INSERT_FILTER_PATTERN.dynamodb.NewImage)[0]!;
    return (
      (OUTBOX_INSERT_FILTER_PATTERN.eventName as readonly string[]).includes(record.eventName ?? '') &&
      (condition.S as readonly string[]).includes(image?.[attribute]?.S ?? '')
    );
  }

  it('carries each outbox record as one INSERT that outboxRecordFromItem turns back into the record', async () => {
    const rules = new Map<string, StateUpdater<Account, Inbound, Outbound, Inbound>>([
      [
        'DEPOSITED',
        (input) => {
          input.state.balance += input.current.amount;
          input.publish('BALANCE_CHANGED', { balance: input.state.balance, at: new Date('2025-05-05T05:05:05.005Z') });
          input.publish('AUDITED', { balance: -1, at: new Date(0) });
          return input.state;
        },
      ],
    ]);
    const store = new DynamoEventStore<Account, Inbound, Outbound>({ client: local().documentClient, tableName: TABLE });
    const accounts = new Aggregate<Account, Inbound, Outbound>({
      type: 'ACCOUNT',
      store,
      processor: new Processor(rules, () => ({ balance: 0 })),
    });
    const first = await accounts.append('acc#1', createEvent('DEPOSITED', { amount: 10 }, { metadata: { user: 'u-1' } }));
    const second = await accounts.append('acc#1', createEvent('DEPOSITED', { amount: 5 }));
    const expected = [...first.outbound, ...second.outbound];

    // DynamoDB Local writes stream records with the commit; allow a moment all the same.
    let records = await readStream();
    for (let tries = 0; records.filter(passesFilter).length < expected.length && tries < 50; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      records = await readStream();
    }
    const outboxInserts = records.filter(passesFilter);
    expect(outboxInserts).to.have.length(4);
    // Every other write (events, snapshot, snapshot updates) is filtered out.
    expect(records.length).to.be.greaterThan(outboxInserts.length);
    for (const record of records) {
      expect(passesFilter(record)).to.equal(record.eventName === 'INSERT' && isOutboxItem(record.dynamodb!.NewImage!));
    }

    const raw = outboxInserts.map((record) => outboxRecordFromItem<Outbound>(record.dynamodb!.NewImage!));
    expect(raw).to.deep.equal(expected);
    expect(raw[0]!.payload.at).to.be.instanceOf(Date);
    expect(raw[0]!.metadata).to.deep.equal({ user: 'u-1' });
    const unmarshalled = outboxInserts.map((record) =>
      outboxRecordFromItem<Outbound>(unmarshall(record.dynamodb!.NewImage! as Parameters<typeof unmarshall>[0])),
    );
    expect(unmarshalled).to.deep.equal(expected);
    const image = unmarshall(outboxInserts[0]!.dynamodb!.NewImage! as Parameters<typeof unmarshall>[0]);
    expect(image[DYNAMO_TABLE_LAYOUT.ttlAttribute]).to.be.a('number');
  });

  it('refuses to read an item that is not an outbox record', () => {
    expect(isOutboxItem({ _kind: 'snapshot', _data: '{}' })).to.equal(false);
    expect(isOutboxItem(undefined)).to.equal(false);
    expect(() => outboxRecordFromItem({ _kind: { S: 'event' }, _data: { S: '{}' }, _pk: { S: 'A#b' }, _sk: { S: 'EVENT#1' } }))
      .to.throw(StoreError, /"A#b \/ EVENT#1" is corrupt: .*kind "outbox"/);
  });
});
