import { expect } from 'chai';
import { InMemoryEventStore } from 'event-sourced-rules-engine';
import { DEFAULT_REQUEST_TIMEOUT_MS, EventBridgeOutboxPublisher } from 'event-sourced-rules-engine/eventbridge';
import { OutboxRelay, type PublishFailure } from 'event-sourced-rules-engine/outbox';
import { FakeEventBridge, failRandomly } from './support/eventbridge-server.js';
import { expectAllDeliveredInOrder } from './support/outbox-assertions.js';
import { commitWorkload, type Deposited, type Wallet, type WalletOutbound } from './support/outbox-workload.js';

type Store = InMemoryEventStore<Wallet, Deposited, WalletOutbound>;

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('OutboxRelay', () => {
  let server: FakeEventBridge;
  const relays: OutboxRelay<WalletOutbound>[] = [];
  before(async () => {
    server = await FakeEventBridge.start();
  });
  after(async () => {
    await server.stop();
  });
  beforeEach(() => server.reset());
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((relay) => relay.stop()));
  });

  const publisher = (attempts: number) =>
    new EventBridgeOutboxPublisher<WalletOutbound>({
      source: 'test.wallets',
      client: server.client(),
      retry: { attempts, baseDelayMs: 1, maxDelayMs: 2 },
    });
  const relay = (store: Store, options: Partial<ConstructorParameters<typeof OutboxRelay<WalletOutbound>>[0]> = {}) => {
    const created = new OutboxRelay<WalletOutbound>({
      store,
      publisher: publisher(2),
      batchSize: 50,
      pollIntervalMs: 5,
      backoff: { baseDelayMs: 1, maxDelayMs: 5 },
      ...options,
    });
    relays.push(created);
    return created;
  };

  it('delivers every pending record of the memory store under 20% injected failures, in order, then marks them published', async () => {
    const store: Store = new InMemoryEventStore();
    const written = await commitWorkload(store, { type: 'RELAY_WALLET', aggregates: 25, depositsPerAggregate: 10 });
    expect(written).to.have.length(500);
    server.options = { failEntry: failRandomly(0.2, 42) };
    const failures: PublishFailure<WalletOutbound>[] = [];
    const running = relay(store, { onFailure: (failed) => failures.push(...failed) });
    running.start();
    await waitFor(async () => (await store.pendingOutbox()).length === 0, 15_000);
    await running.stop();

    expect(server.failedEntries).to.be.greaterThan(0);
    expect(failures.length, 'with 2 attempts per poll some records must have waited for a later poll').to.be.greaterThan(0);
    expectAllDeliveredInOrder(server.accepted, written);
    expect(await store.pendingOutbox()).to.deep.equal([]);
  });

  it('leaves records that could not be published pending and reports them', async () => {
    const store: Store = new InMemoryEventStore();
    const written = await commitWorkload(store, { type: 'RELAY_STUCK', aggregates: 2, depositsPerAggregate: 2 });
    server.options = {
      failEntry: (entry) =>
        (JSON.parse(entry.Detail!) as { aggregateId: string }).aggregateId === 'wallet-1'
          ? { ErrorCode: 'InternalFailure', ErrorMessage: 'down' }
          : undefined,
    };
    const failures: PublishFailure<WalletOutbound>[] = [];
    const result = await relay(store, { onFailure: (failed) => failures.push(...failed) }).pollOnce();
    const stuck = written.filter((record) => record.aggregateId === 'wallet-1').map((record) => record.id);
    expect(result.read).to.equal(8);
    expect(result.published.map((record) => record.aggregateId)).to.deep.equal(['wallet-0', 'wallet-0', 'wallet-0', 'wallet-0']);
    expect(result.failed.map((failure) => failure.record.id).sort()).to.deep.equal([...stuck].sort());
    expect(failures).to.deep.equal(result.failed);
    expect((await store.pendingOutbox()).map((record) => record.id).sort()).to.deep.equal([...stuck].sort());
  });

  it('drain() publishes until nothing is pending and returns what it published', async () => {
    const store: Store = new InMemoryEventStore();
    const written = await commitWorkload(store, { type: 'RELAY_DRAIN', aggregates: 3, depositsPerAggregate: 30 });
    const published = await relay(store, { batchSize: 7 }).drain();
    expect(published.map((record) => record.id).sort()).to.deep.equal(written.map((record) => record.id).sort());
    expect(await store.pendingOutbox()).to.deep.equal([]);
  });

  it('stops cleanly: stop() ends a sleeping relay at once, and nothing committed afterwards is published', async () => {
    const store: Store = new InMemoryEventStore();
    const before = await commitWorkload(store, { type: 'RELAY_STOPPED', aggregates: 1, depositsPerAggregate: 1 });
    const running = relay(store, { pollIntervalMs: 60 * 60 * 1000 });
    running.start();
    expect(running.running).to.equal(true);
    await waitFor(async () => (await store.pendingOutbox()).length === 0, 5_000);
    await running.stop(); // the relay now sleeps for an hour: stop() must cut that short
    expect(running.running).to.equal(false);
    await commitWorkload(store, { type: 'RELAY_STOPPED_LATER', aggregates: 1, depositsPerAggregate: 1 });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(server.accepted.map((event) => event.detail['eventId'])).to.deep.equal(before.map((record) => record.id));
    expect(await store.pendingOutbox()).to.have.length(2);
  });

  for (const batchSize of [1, undefined]) {
    it(`never stalls other aggregates behind a poison aggregate (batch size ${batchSize ?? 'default'}): they are delivered in order, it is reported and backs off`, async () => {
      const store: Store = new InMemoryEventStore();
      // The poison aggregate's records are the oldest pending ones, more than a default batch.
      const poison = await commitWorkload(store, { type: 'POISON', aggregates: 1, depositsPerAggregate: 60 });
      const healthy = await commitWorkload(store, { type: 'HEALTHY', aggregates: 10, depositsPerAggregate: 3 });
      server.options = {
        failEntry: (entry) =>
          (JSON.parse(entry.Detail!) as { aggregateType: string }).aggregateType === 'POISON'
            ? { ErrorCode: 'MalformedDetail', ErrorMessage: 'never accepted' }
            : undefined,
      };
      const failures: PublishFailure<WalletOutbound>[] = [];
      const running = new OutboxRelay<WalletOutbound>({
        store,
        publisher: publisher(2),
        ...(batchSize === undefined ? {} : { batchSize }),
        pollIntervalMs: 5,
        onFailure: (failed) => failures.push(...failed),
      });
      relays.push(running);
      running.start();
      const poisonIds = poison.map((record) => record.id).sort();
      await waitFor(async () => (await store.pendingOutbox({ limit: 1000 })).length === poison.length, 15_000);
      await running.stop();

      expectAllDeliveredInOrder(server.accepted, healthy);
      expect((await store.pendingOutbox({ limit: 1000 })).map((record) => record.id).sort()).to.deep.equal(poisonIds);
      const reported = failures.filter((failure) => failure.code !== 'PrecedingRecordFailed');
      expect(reported.length, 'the poison record is reported').to.be.greaterThan(0);
      for (const failure of reported) {
        expect([failure.record.id, failure.code]).to.deep.equal([poison[0]!.id, 'MalformedDetail']);
      }
    });
  }

  it('stop() returns at once while a request hangs, well within the default request timeout, and leaves its records pending', async () => {
    const store: Store = new InMemoryEventStore();
    const written = await commitWorkload(store, { type: 'RELAY_HUNG', aggregates: 2, depositsPerAggregate: 1 });
    server.options = { holdRequest: () => ({ ms: Infinity }) };
    const running = new OutboxRelay<WalletOutbound>({
      store,
      publisher: new EventBridgeOutboxPublisher<WalletOutbound>({ source: 'test.wallets', client: server.client() }),
    });
    relays.push(running);
    running.start();
    await waitFor(async () => server.held > 0, 5_000);
    const started = Date.now();
    await running.stop();
    expect(Date.now() - started).to.be.below(DEFAULT_REQUEST_TIMEOUT_MS / 5);
    expect(await store.pendingOutbox()).to.have.length(written.length);
  });

  it('rejects bad options', () => {
    const store: Store = new InMemoryEventStore();
    expect(() => new OutboxRelay({ store, publisher: publisher(1), batchSize: 0 })).to.throw(TypeError, /batchSize/);
    expect(() => new OutboxRelay({ store: {} as Store, publisher: publisher(1) })).to.throw(TypeError, /store/);
  });
});
