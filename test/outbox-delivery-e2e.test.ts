// Delivery under faults, end to end through the Lambda handler with the code's defaults: 1,000
// outbox records as DynamoDB Streams hands them to Lambda (batches of 100, ReportBatchItemFailures,
// a 60 s function timeout: the CDK construct's defaults) → the handler with its default
// publisher and default EventBridgeClient (endpoint, region and credentials from the
// environment, as in Lambda) → a loopback PutEvents server that fails 30% of entries, answers
// 10% of requests with HTTP 500, holds some requests before answering, and never answers one.
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { expect } from 'chai';
import { InMemoryEventStore, type OutboxRecord } from 'event-sourced-rules-engine';
import {
  DEFAULT_REQUEST_TIMEOUT_MS,
  createDynamoDBStreamToEventBridgeHandler,
  type InvocationContext,
  type LogEntry,
} from 'event-sourced-rules-engine/eventbridge';
import { outboxItem } from '../runtime/dynamodb/items.js';
import { FakeEventBridge, failRandomly, seededRandom } from './support/eventbridge-server.js';
import { expectAllDeliveredInOrder } from './support/outbox-assertions.js';
import { commitWorkload, type Deposited, type Wallet, type WalletOutbound } from './support/outbox-workload.js';

const BATCH_SIZE = 100; // the construct's default batch size
const FUNCTION_TIMEOUT_MS = 60_000; // the construct's default function timeout

/** One stream INSERT of an outbox item, as Lambda hands it to the function. */
function streamInsert(record: OutboxRecord<unknown>, sequenceNumber: number): DynamoDBRecord {
  const item = outboxItem(record, `commit-${record.aggregateId}-${record.sequence}`, 2_000_000_000);
  return {
    eventID: `event-${sequenceNumber}`,
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    eventSourceARN: 'arn:aws:dynamodb:us-east-1:123456789012:table/events/stream/2026-01-01T00:00:00.000',
    awsRegion: 'us-east-1',
    dynamodb: {
      SequenceNumber: String(sequenceNumber).padStart(21, '0'),
      StreamViewType: 'NEW_IMAGE',
      Keys: marshall({ _pk: item['_pk'], _sk: item['_sk'] }) as never,
      NewImage: marshall(item, { removeUndefinedValues: true }) as never,
    },
  };
}

/** A Lambda context for an invocation that started now. */
function freshInvocation(): InvocationContext {
  const end = Date.now() + FUNCTION_TIMEOUT_MS;
  return { getRemainingTimeInMillis: () => end - Date.now() };
}

const ENVIRONMENT = ['AWS_ENDPOINT_URL_EVENTBRIDGE', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;

describe('outbox delivery under faults: stream handler → EventBridge (loopback), defaults throughout', function () {
  this.timeout(90_000);
  let server: FakeEventBridge;
  const saved = new Map<string, string | undefined>();

  before(async () => {
    server = await FakeEventBridge.start();
    for (const name of ENVIRONMENT) saved.set(name, process.env[name]);
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_EVENTBRIDGE: server.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    });
  });
  after(async () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await server?.stop();
  });

  it('delivers 1,000/1,000 in order per aggregate with at most 5% duplicates; the request that never answers is abandoned after the default timeout', async () => {
    const store = new InMemoryEventStore<Wallet, Deposited, WalletOutbound>();
    const written = await commitWorkload(store, { type: 'FAULTS_WALLET', aggregates: 50, depositsPerAggregate: 10 });
    expect(written).to.have.length(1000);
    const stream = written.map((record, index) => streamInsert(record, index + 1));

    const random = seededRandom(12);
    let requests = 0;
    server.options = {
      failEntry: failRandomly(0.3, 2026),
      failRequest: () => (random() < 0.1 ? { type: 'InternalException', status: 500 } : undefined),
      holdRequest: () => {
        requests++;
        // One request is taken and never answered (a lost answer): only the timeout ends it.
        if (requests === 20) return { ms: Infinity, accepted: true };
        // Some answer late, some of them after taking the entries.
        const draw = random();
        return draw < 0.05 ? { ms: 200, accepted: draw < 0.025 } : undefined;
      },
    };
    const logs: LogEntry[] = [];
    const handler = createDynamoDBStreamToEventBridgeHandler({
      source: 'account-service',
      eventBusName: 'domain-events',
      logger: (entry) => logs.push(entry),
    });

    // Lambda with ReportBatchItemFailures: resend the batch from the reported record on.
    let position = 0;
    let invocations = 0;
    let reported = 0;
    while (position < stream.length) {
      expect(++invocations, 'invocations (a bound against endless redelivery)').to.be.below(100);
      const batch = stream.slice(position, position + BATCH_SIZE);
      const response = await handler({ Records: batch }, freshInvocation());
      const failed = response.batchItemFailures[0]?.itemIdentifier;
      if (failed === undefined) position += batch.length;
      else {
        reported++;
        const index = batch.findIndex((record) => record.dynamodb!.SequenceNumber === failed);
        expect(index, 'the reported record is in the batch').to.be.at.least(0);
        position += index;
      }
    }

    expect(server.failedEntries, 'entries failed by the server').to.be.greaterThan(250);
    expect(server.failedRequests, 'requests answered with HTTP 500').to.be.greaterThan(5);
    expect(server.held, 'requests held').to.be.greaterThan(3);
    const duplicates = expectAllDeliveredInOrder(server.accepted, written);
    const batches = logs.filter((entry) => entry.message === 'outbox batch processed');
    expect(batches.reduce((sum, entry) => sum + (entry['published'] as number), 0), 'published, as logged').to.equal(written.length);
    expect(duplicates, 'duplicate deliveries').to.be.at.most(50);
    expect(server.abandoned, 'the request that never answered').to.have.length(1);
    expect(server.abandoned[0]).to.be.within(DEFAULT_REQUEST_TIMEOUT_MS - 50, DEFAULT_REQUEST_TIMEOUT_MS + 2_000);
    console.log(
      `      ${written.length} delivered, ${duplicates} duplicates, ${invocations} invocations (${reported} reported a failure), ` +
        `${server.requests} requests: ${server.failedEntries} entries failed, ${server.failedRequests} HTTP 500, ${server.held} held`,
    );
  });
});
