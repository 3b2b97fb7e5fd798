import { expect } from 'chai';
import { InMemoryEventStore, type OutboxRecord } from 'event-sourced-rules-engine';
import {
  DEFAULT_REQUEST_TIMEOUT_MS,
  EventBridgeOutboxPublisher,
  PublishAbortedError,
  PublishTimeoutError,
  putEventsEntrySize,
  toPutEventsEntry,
  type EventBridgeOutboxPublisherOptions,
} from 'event-sourced-rules-engine/eventbridge';
import { FakeEventBridge, failRandomly, type ReceivedEntry } from './support/eventbridge-server.js';
import { expectAllDeliveredInOrder } from './support/outbox-assertions.js';
import { commitWorkload, type Deposited, type Wallet, type WalletOutbound } from './support/outbox-workload.js';

function record(aggregateId: string, sequence: number, position = 0, payload: unknown = { n: sequence }): OutboxRecord {
  return {
    id: `evt-${aggregateId}-${sequence}-${position}`,
    type: 'THING_HAPPENED',
    payload,
    occurredAt: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678)),
    metadata: { correlationId: 'c-1' },
    aggregateType: 'THING',
    aggregateId,
    sequence,
    position,
    causationId: `cause-${sequence}`,
  };
}

const eventIdOf = (entry: ReceivedEntry) => (JSON.parse(entry.Detail!) as { eventId: string }).eventId;

describe('EventBridgeOutboxPublisher', () => {
  let server: FakeEventBridge;
  before(async () => {
    server = await FakeEventBridge.start();
  });
  after(async () => {
    await server.stop();
  });
  beforeEach(() => server.reset());

  const publisher = (options: Partial<EventBridgeOutboxPublisherOptions> = {}) =>
    new EventBridgeOutboxPublisher({
      source: 'test.wallets',
      eventBusName: 'domain-events',
      client: server.client(),
      retry: { attempts: 4, baseDelayMs: 1, maxDelayMs: 4 },
      ...options,
    });

  it('maps a record to Source, DetailType, Detail (id, aggregate, sequence, payload, occurredAt, metadata) and the bus', async () => {
    const result = await publisher().publish([record('a', 3, 1, { amount: 5, at: new Date('2026-05-06T07:08:09.000Z') })]);
    expect(result.failed).to.deep.equal([]);
    expect(server.accepted).to.have.length(1);
    const event = server.accepted[0]!;
    expect(event.source).to.equal('test.wallets');
    expect(event.detailType).to.equal('THING_HAPPENED');
    expect(event.eventBusName).to.equal('domain-events');
    expect(event.time?.toISOString()).to.equal('2026-01-02T03:04:05.678Z');
    expect(event.detail).to.deep.equal({
      eventId: 'evt-a-3-1',
      aggregateType: 'THING',
      aggregateId: 'a',
      sequence: 3,
      position: 1,
      causationId: 'cause-3',
      payload: { amount: 5, at: '2026-05-06T07:08:09.000Z' },
      occurredAt: '2026-01-02T03:04:05.678Z',
      metadata: { correlationId: 'c-1' },
    });
  });

  it('sends at most 10 entries per request and at most one per aggregate', async () => {
    const records = [
      ...Array.from({ length: 23 }, (_, i) => record(`agg-${i}`, 1)),
      record('agg-0', 2),
      record('agg-0', 3),
    ];
    const result = await publisher().publish(records);
    expect(result.published).to.have.length(25);
    const perRequest = new Map<number, string[]>();
    for (const event of server.accepted) {
      perRequest.set(event.request, [...(perRequest.get(event.request) ?? []), event.detail['aggregateId'] as string]);
    }
    for (const aggregates of perRequest.values()) {
      expect(aggregates.length).to.be.at.most(10);
      expect(new Set(aggregates).size, 'one entry per aggregate per request').to.equal(aggregates.length);
    }
    expect(server.requests).to.equal(5); // 23 heads in 3 requests, then agg-0's 2nd and 3rd alone
  });

  it('publishes records of one aggregate in (sequence, position) order even when handed in shuffled', async () => {
    const ordered = [record('a', 1, 0), record('a', 1, 1), record('a', 2, 0), record('a', 3, 0)];
    await publisher().publish([ordered[2]!, ordered[0]!, ordered[3]!, ordered[1]!]);
    expect(server.accepted.map((event) => event.detail['eventId'])).to.deep.equal(ordered.map((r) => r.id));
  });

  it('checks entry size before sending: a record over the limit fails as EntryTooLarge, its successors are held back', async () => {
    const big = record('big', 1, 0, { text: 'x'.repeat(2000) });
    const records = [big, record('big', 2), record('small', 1)];
    const limit = putEventsEntrySize(toPutEventsEntry(big, { source: 'test.wallets', eventBusName: 'domain-events' })) - 1;
    const result = await publisher({ maxEntryBytes: limit }).publish(records);
    expect(result.published.map((r) => r.id)).to.deep.equal(['evt-small-1-0']);
    expect(result.failed.map(({ record: r, code, attempts }) => [r.id, code, attempts])).to.deep.equal([
      ['evt-big-1-0', 'EntryTooLarge', 0],
      ['evt-big-2-0', 'PrecedingRecordFailed', 0],
    ]);
    expect(server.accepted.map((event) => event.detail['eventId'])).to.deep.equal(['evt-small-1-0']);
  });

  it('keeps each request under the total size limit', async () => {
    const records = Array.from({ length: 6 }, (_, i) => record(`agg-${i}`, 1, 0, { text: 'y'.repeat(1000) }));
    const size = putEventsEntrySize(toPutEventsEntry(records[0]!, { source: 'test.wallets', eventBusName: 'domain-events' }));
    const result = await publisher({ maxRequestBytes: size * 2 }).publish(records);
    expect(result.published).to.have.length(6);
    expect(server.requests).to.equal(3);
  });

  it('retries entries that failed in a partial failure until they are accepted', async () => {
    const seen = new Set<string>();
    server.options = {
      failEntry: (entry) => {
        const id = eventIdOf(entry);
        if (seen.has(id)) return undefined;
        seen.add(id);
        return { ErrorCode: 'InternalFailure', ErrorMessage: 'first attempt fails' };
      },
    };
    const records = Array.from({ length: 12 }, (_, i) => record(`agg-${i % 4}`, Math.floor(i / 4) + 1));
    const result = await publisher().publish(records);
    expect(result.failed).to.deep.equal([]);
    expect(result.published).to.have.length(12);
    expectAllDeliveredInOrder(server.accepted, records);
    expect(server.accepted).to.have.length(12);
  });

  it('reports what still fails after all attempts, with its successors, and publishes the other aggregates', async () => {
    server.options = {
      failEntry: (entry) =>
        (JSON.parse(entry.Detail!) as { aggregateId: string }).aggregateId === 'doomed'
          ? { ErrorCode: 'InternalFailure', ErrorMessage: 'always fails' }
          : undefined,
    };
    const records = [record('doomed', 1), record('fine', 1), record('doomed', 2), record('fine', 2)];
    const result = await publisher({ retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 } }).publish(records);
    expect(result.published.map((r) => r.id)).to.deep.equal(['evt-fine-1-0', 'evt-fine-2-0']);
    expect(result.failed.map(({ record: r, code, message, attempts }) => [r.id, code, message, attempts])).to.deep.equal([
      ['evt-doomed-1-0', 'InternalFailure', 'always fails', 3],
      ['evt-doomed-2-0', 'PrecedingRecordFailed', 'Held back because event evt-doomed-1-0 of the same aggregate was not published', 0],
    ]);
  });

  it('retries a request that failed as a whole (throttling) and reports the error code when it keeps failing', async () => {
    let throttled = 0;
    server.options = { failRequest: () => (throttled++ < 2 ? 'ThrottlingException' : undefined) };
    const first = await publisher().publish([record('a', 1), record('b', 1)]);
    expect(first.failed).to.deep.equal([]);
    expect(first.published).to.have.length(2);

    server.options = { failRequest: () => 'ThrottlingException' };
    const second = await publisher({ retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 } }).publish([record('c', 1)]);
    expect(second.published).to.deep.equal([]);
    expect(second.failed.map(({ code, attempts }) => [code, attempts])).to.deep.equal([['ThrottlingException', 2]]);
  });

  it('delivers every event of a store workload under 20% injected failures, in order per aggregate, none lost', async () => {
    const store = new InMemoryEventStore<Wallet, Deposited, WalletOutbound>();
    const written = await commitWorkload(store, { type: 'PUBLISHER_WALLET', aggregates: 20, depositsPerAggregate: 10 });
    server.options = { failEntry: failRandomly(0.2, 7) };
    const result = await publisher({ retry: { attempts: 12, baseDelayMs: 1, maxDelayMs: 2 } }).publish(written);
    expect(result.failed).to.deep.equal([]);
    expect(server.failedEntries).to.be.greaterThan(0);
    expect(expectAllDeliveredInOrder(server.accepted, written)).to.equal(0);
  });

  describe('bounded waits', () => {
    it('abandons a request the endpoint never answers after requestTimeoutMs and fails it with PublishTimeoutError', async () => {
      server.options = { holdRequest: () => ({ ms: Infinity }) };
      const timeout = 250;
      const attempts = 2;
      const started = Date.now();
      const result = await publisher({ requestTimeoutMs: timeout, retry: { attempts, baseDelayMs: 1, maxDelayMs: 1 } }).publish([
        record('a', 1),
        record('a', 2),
        record('b', 1),
      ]);
      const elapsed = Date.now() - started;
      expect(elapsed, 'each attempt waits one timeout').to.be.at.least(attempts * timeout - 20);
      expect(elapsed, 'and no longer').to.be.below(attempts * timeout + 1_000);
      expect(result.published).to.deep.equal([]);
      expect(result.failed.map(({ record: r, code, attempts: n }) => [r.id, code, n])).to.deep.equal([
        ['evt-a-1-0', 'RequestTimeout', attempts],
        ['evt-a-2-0', 'PrecedingRecordFailed', 0],
        ['evt-b-1-0', 'RequestTimeout', attempts],
      ]);
      expect(result.failed[0]!.error).to.be.instanceOf(PublishTimeoutError).and.include({ timeoutMs: timeout });
      expect(server.held).to.equal(attempts);
    });

    it('does not wait for a client that ignores the abort signal', async () => {
      const silent = { send: () => new Promise<never>(() => {}) };
      const started = Date.now();
      const result = await new EventBridgeOutboxPublisher({ source: 's', client: silent, requestTimeoutMs: 100, retry: { attempts: 1 } }).publish([
        record('a', 1),
      ]);
      expect(Date.now() - started).to.be.below(1_000);
      expect(result.failed.map((failure) => failure.code)).to.deep.equal(['RequestTimeout']);
    });

    it('defaults requestTimeoutMs to DEFAULT_REQUEST_TIMEOUT_MS, 5 seconds', () => {
      expect(DEFAULT_REQUEST_TIMEOUT_MS).to.equal(5_000);
      expect(new EventBridgeOutboxPublisher({ source: 's' }).requestTimeoutMs).to.equal(DEFAULT_REQUEST_TIMEOUT_MS);
    });

    it('stops at once when the signal aborts: the request in flight is abandoned, the rest fails as Aborted', async () => {
      server.options = { holdRequest: (entries) => (eventIdOf(entries[0]!) === 'evt-b-1-0' ? { ms: Infinity } : undefined) };
      const controller = new AbortController();
      const started = Date.now();
      const publishing = publisher({ maxEntriesPerRequest: 1 }).publish([record('a', 1), record('b', 1), record('c', 1), record('a', 2)], {
        signal: controller.signal,
      });
      setTimeout(() => controller.abort(), 150);
      const result = await publishing;
      expect(Date.now() - started, 'well before the 5 s request timeout').to.be.below(1_000);
      expect(result.published.map((r) => r.id)).to.deep.equal(['evt-a-1-0']);
      expect(result.failed.map(({ record: r, code }) => [r.id, code])).to.deep.equal([
        ['evt-a-2-0', 'Aborted'],
        ['evt-b-1-0', 'Aborted'],
        ['evt-c-1-0', 'Aborted'],
      ]);
      expect(result.failed[1]!.error).to.be.instanceOf(PublishAbortedError);
    });

    it('rejects a requestTimeoutMs that is not a positive integer', () => {
      expect(() => new EventBridgeOutboxPublisher({ source: 's', requestTimeoutMs: 0 })).to.throw(TypeError, /requestTimeoutMs/);
      expect(() => new EventBridgeOutboxPublisher({ source: 's', requestTimeoutMs: Number.NaN })).to.throw(TypeError, /requestTimeoutMs/);
    });
  });

  it('rejects bad options with a TypeError naming the option', () => {
    expect(() => new EventBridgeOutboxPublisher({ source: '' })).to.throw(TypeError, /source/);
    expect(() => new EventBridgeOutboxPublisher({ source: 'aws.mine' })).to.throw(TypeError, /aws\./);
    expect(() => new EventBridgeOutboxPublisher({ source: 's', maxEntriesPerRequest: 11 })).to.throw(TypeError, /maxEntriesPerRequest/);
    expect(() => new EventBridgeOutboxPublisher({ source: 's', maxEntryBytes: 0 })).to.throw(TypeError, /maxEntryBytes/);
  });
});
