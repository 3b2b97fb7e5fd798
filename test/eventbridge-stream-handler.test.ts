import { expect } from 'chai';
import type { DynamoDBRecord, DynamoDBStreamEvent, DynamoDBBatchResponse } from 'aws-lambda';
import { marshall } from '@aws-sdk/util-dynamodb';
import { createEvent, type OutboxRecord } from 'event-sourced-rules-engine';
import {
  DEFAULT_TIMEOUT_MARGIN_MS,
  createDynamoDBStreamToEventBridgeHandler,
  type InvocationContext,
  type LogEntry,
} from 'event-sourced-rules-engine/eventbridge';
import { eventItem, outboxItem, snapshotItem } from '../runtime/dynamodb/items.js';
import { FakeEventBridge } from './support/eventbridge-server.js';

const ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/events/stream/2026-01-01T00:00:00.000';

function outbox(aggregateId: string, sequence: number, position = 0): OutboxRecord {
  const event = createEvent('BALANCE_CHANGED', { balance: sequence * 10, at: new Date('2026-03-04T05:06:07.000Z') });
  return { ...event, aggregateType: 'ACCOUNT', aggregateId, sequence, position, causationId: `cause-${sequence}` };
}

let sequenceNumber = 1000;
function streamRecord(eventName: 'INSERT' | 'MODIFY' | 'REMOVE', item: Record<string, unknown>): DynamoDBRecord {
  return {
    eventID: `id-${sequenceNumber}`,
    eventName,
    eventSource: 'aws:dynamodb',
    eventSourceARN: ARN,
    awsRegion: 'us-east-1',
    dynamodb: {
      SequenceNumber: String(sequenceNumber++),
      StreamViewType: 'NEW_IMAGE',
      Keys: marshall({ _pk: item['_pk'], _sk: item['_sk'] }) as never,
      NewImage: marshall(item) as never,
    },
  };
}
/** A Lambda context whose invocation times out `ms` from now. */
function invocationWith(ms: number): InvocationContext {
  const end = Date.now() + ms;
  return { getRemainingTimeInMillis: () => end - Date.now() };
}

const insert = (record: OutboxRecord) => streamRecord('INSERT', outboxItem(record, 'commit-1', 2_000_000_000));

describe('createDynamoDBStreamToEventBridgeHandler', () => {
  let server: FakeEventBridge;
  let logs: LogEntry[];
  before(async () => {
    // test/lambda-node22.test.ts runs this file again under the Lambda runtime's Node.js.
    const expectedMajor = process.env['ESRE_EXPECT_NODE_MAJOR'];
    if (expectedMajor) {
      expect(process.versions.node.split('.')[0]).to.equal(expectedMajor);
      console.log(`running on Node.js ${process.version}`);
    }
    server = await FakeEventBridge.start();
  });
  after(async () => {
    await server.stop();
  });
  beforeEach(() => {
    server.reset();
    logs = [];
  });

  const handler = () =>
    createDynamoDBStreamToEventBridgeHandler({
      source: 'account-service',
      eventBusName: 'domain-events',
      client: server.client(),
      retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
      logger: (entry) => logs.push(entry),
    });

  it('publishes only outbox inserts, with the documented event mapping, and reports no failures', async () => {
    const a1 = outbox('a', 1);
    const a2 = outbox('a', 2);
    const event: DynamoDBStreamEvent = {
      Records: [
        streamRecord('INSERT', snapshotItem({ aggregateType: 'ACCOUNT', aggregateId: 'a', sequence: 1, state: {}, updatedAt: new Date() }, 'c')),
        streamRecord('INSERT', eventItem({ ...createEvent('DEPOSITED', {}), aggregateType: 'ACCOUNT', aggregateId: 'a', sequence: 1 }, 'c')),
        insert(a1),
        streamRecord('MODIFY', outboxItem(outbox('a', 0), 'c', undefined)),
        streamRecord('REMOVE', outboxItem(outbox('a', 0), 'c', undefined)),
        insert(a2),
      ],
    };
    const response: DynamoDBBatchResponse = await handler()(event);
    expect(response).to.deep.equal({ batchItemFailures: [] });
    expect(server.accepted.map((e) => e.detail['eventId'])).to.deep.equal([a1.id, a2.id]);
    const first = server.accepted[0]!;
    expect([first.source, first.detailType, first.eventBusName]).to.deep.equal(['account-service', 'BALANCE_CHANGED', 'domain-events']);
    expect(first.detail).to.deep.equal({
      eventId: a1.id,
      aggregateType: 'ACCOUNT',
      aggregateId: 'a',
      sequence: 1,
      position: 0,
      causationId: 'cause-1',
      payload: { balance: 10, at: '2026-03-04T05:06:07.000Z' },
      occurredAt: a1.occurredAt.toISOString(),
      metadata: {},
    });
    expect(logs).to.deep.equal([
      {
        level: 'info',
        message: 'outbox batch processed',
        source: 'account-service',
        eventBusName: 'domain-events',
        streamRecords: 6,
        outboxRecords: 2,
        published: 2,
        undelivered: 0,
        rounds: 1,
      },
    ]);
  });

  it('returns the sequence number of the first record it could not deliver instead of throwing, and logs each one', async () => {
    server.options = {
      failEntry: (entry) =>
        (JSON.parse(entry.Detail!) as { aggregateId: string }).aggregateId === 'b'
          ? { ErrorCode: 'InternalFailure', ErrorMessage: 'bus unavailable' }
          : undefined,
    };
    const records = [insert(outbox('a', 1)), insert(outbox('b', 1)), insert(outbox('a', 2)), insert(outbox('b', 2))];
    const response = await handler()({ Records: records });
    expect(response).to.deep.equal({ batchItemFailures: [{ itemIdentifier: records[1]!.dynamodb!.SequenceNumber }] });
    expect(server.accepted.map((e) => e.detail['aggregateId'])).to.deep.equal(['a', 'a']);
    const errors = logs.filter((entry) => entry.level === 'error');
    expect(errors.map((entry) => [entry['aggregateId'], entry['sequence'], entry['code'], entry['streamSequenceNumber']])).to.deep.equal([
      ['b', 1, 'InternalFailure', records[1]!.dynamodb!.SequenceNumber],
      ['b', 2, 'PrecedingRecordFailed', records[3]!.dynamodb!.SequenceNumber],
    ]);
    expect(logs.at(-1)).to.include({ level: 'warn', undelivered: 2, firstFailedSequenceNumber: records[1]!.dynamodb!.SequenceNumber });
    for (const entry of logs) expect(JSON.parse(JSON.stringify(entry))).to.deep.equal(entry);
  });

  it('reports an outbox item it cannot decode as undelivered, never skips it', async () => {
    const broken = outboxItem(outbox('c', 1), 'c', undefined);
    broken['_data'] = '{not json';
    const records = [insert(outbox('a', 1)), streamRecord('INSERT', broken), insert(outbox('a', 2))];
    const response = await handler()({ Records: records });
    expect(response.batchItemFailures).to.deep.equal([{ itemIdentifier: records[1]!.dynamodb!.SequenceNumber }]);
    expect(server.accepted).to.have.length(2);
    expect(logs[0]).to.include({ level: 'error', message: 'outbox item cannot be decoded' });
  });

  it('publishes through any OutboxPublisher, matching failures to stream records by event id', async () => {
    const sent: string[] = [];
    const handlerWithPublisher = createDynamoDBStreamToEventBridgeHandler({
      source: 'account-service',
      logger: (entry) => logs.push(entry),
      publisher: {
        async publish(records) {
          const copies = structuredClone(records);
          sent.push(...copies.map((record) => record.id));
          return {
            published: copies.filter((record) => record.aggregateId !== 'b'),
            failed: copies.filter((record) => record.aggregateId === 'b').map((record) => ({ record, code: 'Nope', message: 'no', attempts: 1 })),
          };
        },
      },
    });
    const records = [insert(outbox('a', 1)), insert(outbox('a', 2)), insert(outbox('b', 1))];
    const response = await handlerWithPublisher({ Records: records });
    expect(sent).to.have.length(3);
    expect(response.batchItemFailures).to.deep.equal([{ itemIdentifier: records[2]!.dynamodb!.SequenceNumber }]);
  });

  it('logs one JSON object per stdout line by default (jsonLineLogger), as CloudWatch Logs Insights reads it', async () => {
    const chunks: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string | Uint8Array) => {
      chunks.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    const record = outbox('a', 1);
    try {
      server.options = { failEntry: () => ({ ErrorCode: 'InternalFailure', ErrorMessage: 'down' }) };
      await createDynamoDBStreamToEventBridgeHandler({
        source: 'account-service',
        eventBusName: 'domain-events',
        client: server.client(),
        retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
      })({ Records: [insert(record)] });
    } finally {
      process.stdout.write = write;
    }
    const entries = chunks.filter((chunk) => chunk.includes('"outbox ')).map((chunk) => {
      expect(chunk.endsWith('\n') && chunk.indexOf('\n') === chunk.length - 1, 'one line per entry').to.equal(true);
      return JSON.parse(chunk) as Record<string, unknown>;
    });
    expect(entries.map((entry) => [entry['level'], entry['message']])).to.deep.equal([
      ['error', 'outbox record not published'],
      ['warn', 'outbox batch processed'],
    ]);
    expect(entries[0]).to.include({ eventId: record.id, aggregateId: 'a', code: 'InternalFailure', attempts: 1 });
    for (const entry of entries) expect(new Date(entry['timestamp'] as string).toISOString()).to.equal(entry['timestamp']);
  });

  describe('within the invocation', () => {
    /** Fails each listed aggregate's entries on their first `times` attempts. */
    const failFirst = (times: number, aggregates: readonly string[]) => {
      const seen = new Map<string, number>();
      return (entry: { Detail?: string }) => {
        const detail = JSON.parse(entry.Detail!) as { eventId: string; aggregateId: string };
        const count = (seen.get(detail.eventId) ?? 0) + 1;
        seen.set(detail.eventId, count);
        return aggregates.includes(detail.aggregateId) && count <= times
          ? { ErrorCode: 'InternalFailure', ErrorMessage: 'not yet' }
          : undefined;
      };
    };

    it('retries what failed in further rounds while the context leaves time, so nothing delivered is sent twice', async () => {
      const records = [insert(outbox('a', 1)), insert(outbox('b', 1)), insert(outbox('a', 2)), insert(outbox('b', 2))];
      // Each of a's records fails more often than one publish retries it (3 attempts).
      server.options = { failEntry: failFirst(4, ['a']) };
      const response = await handler()({ Records: records }, invocationWith(60_000));
      expect(response).to.deep.equal({ batchItemFailures: [] });
      const ids = server.accepted.map((e) => e.detail['eventId']);
      expect(ids, 'each record exactly once').to.have.length(4);
      expect(new Set(ids).size).to.equal(4);
      expect(logs.at(-1)).to.include({ level: 'info', published: 4, undelivered: 0 });
      expect(logs.at(-1)!['rounds']).to.be.at.least(2);

      // The same failures without a context: one round, and Lambda would resend from a's first record.
      server.reset();
      server.options = { failEntry: failFirst(4, ['a']) };
      const once = await handler()({ Records: records });
      expect(once).to.deep.equal({ batchItemFailures: [{ itemIdentifier: records[0]!.dynamodb!.SequenceNumber }] });
    });

    it('does not retry a record refused for good (MalformedDetail): one round, reported at once', async () => {
      server.options = {
        failEntry: (entry) =>
          (JSON.parse(entry.Detail!) as { aggregateId: string }).aggregateId === 'b'
            ? { ErrorCode: 'MalformedDetail', ErrorMessage: 'refused' }
            : undefined,
      };
      const records = [insert(outbox('a', 1)), insert(outbox('b', 1))];
      const response = await handler()({ Records: records }, invocationWith(60_000));
      expect(response).to.deep.equal({ batchItemFailures: [{ itemIdentifier: records[1]!.dynamodb!.SequenceNumber }] });
      expect(logs.at(-1)).to.include({ rounds: 1, published: 1, undelivered: 1 });
    });

    it('reports batchItemFailures before the function times out when the endpoint never answers (default margin and request timeout)', async () => {
      server.options = { holdRequest: () => ({ ms: Infinity }) };
      const records = [insert(outbox('a', 1)), insert(outbox('a', 2))];
      const timeLeft = DEFAULT_TIMEOUT_MARGIN_MS + 800;
      const started = Date.now();
      const response = await createDynamoDBStreamToEventBridgeHandler({
        source: 'account-service',
        client: server.client(),
        logger: (entry) => logs.push(entry),
      })({ Records: records }, invocationWith(timeLeft));
      const elapsed = Date.now() - started;
      expect(elapsed, 'returned before the invocation timed out').to.be.below(timeLeft);
      expect(elapsed, 'used the time it had').to.be.at.least(700);
      expect(response).to.deep.equal({ batchItemFailures: [{ itemIdentifier: records[0]!.dynamodb!.SequenceNumber }] });
      expect(logs.filter((entry) => entry.level === 'error').map((entry) => entry['code'])).to.deep.equal(['Aborted', 'PrecedingRecordFailed']);
    });

    it('defaults the margin before the function timeout to DEFAULT_TIMEOUT_MARGIN_MS, 1 second, and checks it', () => {
      expect(DEFAULT_TIMEOUT_MARGIN_MS).to.equal(1_000);
      expect(() => createDynamoDBStreamToEventBridgeHandler({ source: 's', timeoutMarginMs: -1 })).to.throw(TypeError, /timeoutMarginMs/);
    });
  });

  it('handles an empty batch', async () => {
    expect(await handler()({ Records: [] })).to.deep.equal({ batchItemFailures: [] });
    expect(server.accepted).to.deep.equal([]);
  });
});
