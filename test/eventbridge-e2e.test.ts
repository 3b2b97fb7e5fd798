// End to end, no SDK mocks: DynamoEventStore on DynamoDB Local → its stream, read with the
// real DynamoDB Streams client → the Lambda handler, driven as Lambda drives it with
// ReportBatchItemFailures → the real EventBridgeClient → a loopback PutEvents server that
// fails 20% of the entries it receives.
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { expect } from 'chai';
import { DynamoEventStore, createEventStoreTable, isOutboxItem, outboxRecordFromItem } from 'event-sourced-rules-engine/dynamodb';
import { createDynamoDBStreamToEventBridgeHandler } from 'event-sourced-rules-engine/eventbridge';
import { DYNAMODB_LOCAL_CLIENT_CONFIG, useDynamoDBLocal } from './support/dynamodb-local.js';
import { FakeEventBridge, failRandomly } from './support/eventbridge-server.js';
import { expectAllDeliveredInOrder } from './support/outbox-assertions.js';
import { commitWorkload, type Deposited, type Wallet, type WalletOutbound } from './support/outbox-workload.js';

const TABLE = 'outbox-e2e';
const BATCH_SIZE = 100;

/** Every record of every shard of the stream, shard by shard, each shard in stream order. */
async function readWholeStream(client: DynamoDBStreamsClient, streamArn: string): Promise<StreamRecord[][]> {
  const shards: StreamRecord[][] = [];
  let exclusiveStartShardId: string | undefined;
  do {
    const { StreamDescription } = await client.send(
      new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: exclusiveStartShardId }),
    );
    for (const shard of StreamDescription?.Shards ?? []) {
      const records: StreamRecord[] = [];
      let { ShardIterator: iterator } = await client.send(
        new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
      );
      // An open shard always hands out a next iterator: stop at the first empty page.
      while (iterator) {
        const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        if (!page.Records?.length) break;
        records.push(...page.Records);
        iterator = page.NextShardIterator;
      }
      shards.push(records);
    }
    exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
  } while (exclusiveStartShardId);
  return shards;
}

/** A DynamoDB Streams record in the shape Lambda hands to a function. */
function toLambdaRecord(record: StreamRecord, streamArn: string): DynamoDBRecord {
  const stream = record.dynamodb!;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion,
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion,
    eventSourceARN: streamArn,
    dynamodb: {
      ...(stream.ApproximateCreationDateTime ? { ApproximateCreationDateTime: stream.ApproximateCreationDateTime.getTime() / 1000 } : {}),
      Keys: stream.Keys as never,
      NewImage: stream.NewImage as never,
      SequenceNumber: stream.SequenceNumber,
      SizeBytes: stream.SizeBytes,
      StreamViewType: stream.StreamViewType,
    },
  };
}

function eventIdOf(record: DynamoDBRecord): string | undefined {
  const image = record.dynamodb?.NewImage as Record<string, unknown> | undefined;
  return record.eventName === 'INSERT' && isOutboxItem(image) ? outboxRecordFromItem(image!).id : undefined;
}

describe('outbox end to end: DynamoDB Local stream → Lambda handler → EventBridge (loopback)', function () {
  this.timeout(300_000); // DynamoDB Local streams slow down a lot when the machine is busy (120 s was exceeded at load 15)
  const local = useDynamoDBLocal();
  let server: FakeEventBridge;
  let streams: DynamoDBStreamsClient;

  before(async () => {
    server = await FakeEventBridge.start();
    streams = new DynamoDBStreamsClient({ ...DYNAMODB_LOCAL_CLIENT_CONFIG, endpoint: local().server.endpoint });
    await createEventStoreTable(local().client, TABLE);
  });
  after(async () => {
    streams?.destroy();
    await server?.stop();
  });

  it('delivers 1,000 outbound events with 20% of entries failing: none lost, order per aggregate kept, exact batch item failures', async () => {
    const store = new DynamoEventStore<Wallet, Deposited, WalletOutbound>({ client: local().documentClient, tableName: TABLE });
    const written = await commitWorkload(store, { type: 'E2E_WALLET', aggregates: 50, depositsPerAggregate: 10 });
    expect(written).to.have.length(1000);

    const { Table } = await local().client.send(new DescribeTableCommand({ TableName: TABLE }));
    const streamArn = Table!.LatestStreamArn!;
    const shards = (await readWholeStream(streams, streamArn)).map((shard) => shard.map((r) => toLambdaRecord(r, streamArn)));
    const outboxInserts = shards.flat().filter((record) => eventIdOf(record) !== undefined);
    expect(outboxInserts, 'one stream INSERT per outbox record').to.have.length(1000);

    server.options = { failEntry: failRandomly(0.2, 2026) };
    const handler = createDynamoDBStreamToEventBridgeHandler({
      source: 'account-service',
      eventBusName: 'domain-events',
      client: server.client(),
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
      logger: () => {},
    });

    let invocations = 0;
    let reportedFailures = 0;
    for (const shard of shards) {
      // Lambda with ReportBatchItemFailures: resend the batch from the reported record on.
      let position = 0;
      while (position < shard.length) {
        expect(++invocations, 'invocations (a bound against endless redelivery)').to.be.below(2000);
        const batch = shard.slice(position, position + BATCH_SIZE);
        const acceptedBefore = server.accepted.length;
        const response = await handler({ Records: batch });
        const delivered = new Set(server.accepted.slice(acceptedBefore).map((event) => event.detail['eventId'] as string));
        const firstUndelivered = batch.find((record) => {
          const id = eventIdOf(record);
          return id !== undefined && !delivered.has(id);
        });
        expect(response).to.deep.equal({
          batchItemFailures: firstUndelivered ? [{ itemIdentifier: firstUndelivered.dynamodb!.SequenceNumber }] : [],
        });
        if (firstUndelivered) {
          reportedFailures++;
          position += batch.indexOf(firstUndelivered);
        } else {
          position += batch.length;
        }
      }
    }

    expect(server.failedEntries, 'entries failed by the server').to.be.greaterThan(150);
    expect(reportedFailures, 'invocations that reported a batch item failure').to.be.greaterThan(0);
    expectAllDeliveredInOrder(server.accepted, written);
    const detailTypes = new Set(server.accepted.map((event) => event.detailType));
    expect([...detailTypes].sort()).to.deep.equal(['BALANCE_CHANGED', 'DEPOSIT_RECORDED']);
  });
});
