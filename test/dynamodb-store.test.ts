import { CreateTableCommand, DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'chai';
import {
  Aggregate,
  ConcurrencyError,
  Processor,
  StoreError,
  StoreLimitError,
  createEvent,
  defineIndex,
  type StateUpdater,
} from 'event-sourced-rules-engine';
import {
  DYNAMO_LIMITS,
  DYNAMO_TABLE_LAYOUT,
  DynamoEventStore,
  DynamoLimitError,
  UnstorableValueError,
  UnsupportedValueError,
  aggregatePartitionKey,
  createEventStoreTable,
  indexPartitionKey,
} from 'event-sourced-rules-engine/dynamodb';
import { useDynamoDBLocal } from './support/dynamodb-local.js';

const TABLE = 'dynamodb-store';

interface Counter {
  total: number;
  count: number;
  email: string;
  tags: string[];
}
type Inbound = { amount: number } | { email: string; tags?: string[] } | Record<string, unknown>;
type Outbound = { total: number };

const counterRules = new Map<string, StateUpdater<Counter, Inbound, Outbound, Inbound>>([
  [
    'ADDED',
    (input) => {
      input.state.total += (input.current as { amount: number }).amount;
      input.state.count += 1;
      input.publish('TOTAL_CHANGED', { total: input.state.total });
      return input.state;
    },
  ],
  [
    'EMAIL_SET',
    (input) => {
      const payload = input.current as { email: string; tags?: string[] };
      input.state.email = payload.email;
      input.state.tags = payload.tags ?? [];
      return input.state;
    },
  ],
  ['NOTED', (input) => input.state],
]);

const initialCounter = (): Counter => ({ total: 0, count: 0, email: '', tags: [] });

let typeCounter = 0;
/** A fresh aggregate type per test, so tests never see each other's items. */
function freshType(): string {
  return `T${Date.now().toString(36)}${++typeCounter}`;
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('DynamoEventStore on DynamoDB Local', function () {
  this.timeout(60_000);
  const local = useDynamoDBLocal();
  let store: DynamoEventStore<Counter, Inbound, Outbound>;

  const counters = (type: string, options: Partial<ConstructorParameters<typeof Aggregate<Counter, Inbound, Outbound>>[0]> = {}) =>
    new Aggregate<Counter, Inbound, Outbound>({
      type,
      store,
      processor: new Processor(counterRules, initialCounter),
      indexes: [
        defineIndex<Counter>('byEmail', (snapshot) => snapshot.state.email || null),
        defineIndex<Counter>('byTag', (snapshot) => snapshot.state.tags),
      ],
      ...options,
    });

  /** Every item in the table, in key order. */
  async function scanTable(tableName = TABLE): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await local().documentClient.send(
        new ScanCommand({ TableName: tableName, ConsistentRead: true, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    const key = (item: Record<string, unknown>) => `${item._pk}\u0000${item._sk}`;
    return items.sort((a, b) => (key(a) < key(b) ? -1 : 1));
  }

  before(async function () {
    await createEventStoreTable(local().client, TABLE);
    store = new DynamoEventStore({ client: local().documentClient, tableName: TABLE });
  });

  describe('concurrency', () => {
    it('ends 8 concurrent appenders × 50 appends at sequence 400 with 400 events whose fold is the state (default options)', async function () {
      this.timeout(180_000);
      const type = freshType();
      const accounts = counters(type);
      const appended: string[] = [];
      const appender = async (worker: number) => {
        for (let i = 0; i < 50; i++) {
          const event = createEvent('ADDED', { amount: worker * 1000 + i });
          appended.push(event.id);
          await accounts.append('hot', event);
        }
      };
      await Promise.all(Array.from({ length: 8 }, (_, worker) => appender(worker + 1)));

      const snapshot = await accounts.get('hot');
      expect(snapshot.sequence).to.equal(400);
      const history = await collect(accounts.history('hot'));
      expect(history).to.have.length(400);
      expect(history.map((event) => event.sequence)).to.deep.equal(Array.from({ length: 400 }, (_, i) => i + 1));
      expect(new Set(history.map((event) => event.id))).to.deep.equal(new Set(appended), 'each append stored exactly once');
      const folded = new Processor(counterRules, initialCounter).run({ state: initialCounter(), stateIndex: 0, newEvents: history }).state;
      expect(snapshot.state).to.deep.equal(folded);
      const expectedTotal = [1, 2, 3, 4, 5, 6, 7, 8].reduce((sum, worker) => sum + 50 * worker * 1000 + (49 * 50) / 2, 0);
      expect(snapshot.state.total).to.equal(expectedTotal);
    });

    it('reports the stored sequence in ConcurrencyError', async () => {
      const type = freshType();
      const accounts = counters(type);
      const first = await accounts.append('a', createEvent('ADDED', { amount: 1 }));
      await accounts.append('a', createEvent('ADDED', { amount: 1 }));
      const error = await accounts.appendTo(first.snapshot, createEvent('ADDED', { amount: 1 })).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(ConcurrencyError);
      expect((error as ConcurrencyError).expectedSequence).to.equal(1);
      expect((error as ConcurrencyError).actualSequence).to.equal(2);
    });
  });

  describe('reading', () => {
    it('reads a history of more than 1 MB (several Query pages) completely, in history and in recalculate', async function () {
      this.timeout(120_000);
      const type = freshType();
      const blob = 'x'.repeat(20_000);
      const notes = new Aggregate<Counter, Inbound, Outbound>({
        type,
        store,
        processor: new Processor(counterRules, initialCounter),
      });
      for (let commit = 0; commit < 7; commit++) {
        const events = Array.from({ length: 10 }, (_, i) => createEvent('NOTED', { n: commit * 10 + i, blob }));
        await notes.append('long', ...events);
      }
      const firstPage = await local().documentClient.send(
        new QueryCommand({
          TableName: TABLE,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :event)',
          ExpressionAttributeNames: { '#pk': '_pk', '#sk': '_sk' },
          ExpressionAttributeValues: { ':pk': aggregatePartitionKey(type, 'long'), ':event': 'EVENT#' },
          ConsistentRead: true,
        }),
      );
      expect(firstPage.LastEvaluatedKey, 'DynamoDB needs more than one page for this history').to.not.equal(undefined);
      expect(firstPage.Items!.length).to.be.lessThan(70);

      const history = await collect(notes.history('long'));
      expect(history.map((event) => (event.payload as { n: number }).n)).to.deep.equal(Array.from({ length: 70 }, (_, i) => i));
      const bytes = history.reduce((sum, event) => sum + JSON.stringify(event.payload).length, 0);
      expect(bytes).to.be.greaterThan(1024 * 1024);

      // Rules that count every event: recalculate must have folded all 70 of them.
      const counting = new Map<string, StateUpdater<Counter, Inbound, Outbound, Inbound>>([
        ['NOTED', (input) => ({ ...input.state, count: input.state.count + 1, total: input.state.total + (input.current as { n: number }).n })],
      ]);
      const recounted = new Aggregate<Counter, Inbound, Outbound>({ type, store, processor: new Processor(counting, initialCounter) });
      const snapshot = await recounted.recalculate('long');
      expect(snapshot.state.count).to.equal(70);
      expect(snapshot.state.total).to.equal((69 * 70) / 2);
      expect((await recounted.get('long')).state).to.deep.equal(snapshot.state);
    });

    it('reads history from a given sequence with a small page size', async () => {
      const type = freshType();
      const accounts = counters(type);
      for (let i = 1; i <= 7; i++) await accounts.append('paged', createEvent('ADDED', { amount: i }));
      const tail = await collect(store.readHistory({ type, id: 'paged' }, { afterSequence: 3, pageSize: 2 }));
      expect(tail.map((event) => event.sequence)).to.deep.equal([4, 5, 6, 7]);
    });
  });

  describe('indexes', () => {
    it('deletes the old entry when an index key changes: a query by the old key returns nothing', async () => {
      const type = freshType();
      const accounts = counters(type);
      await accounts.append('acc-1', createEvent('EMAIL_SET', { email: 'old@example.com', tags: ['red', 'blue'] }));
      await accounts.append('acc-2', createEvent('EMAIL_SET', { email: 'old@example.com' }));
      expect((await accounts.query('byEmail', 'old@example.com')).map((s) => s.aggregateId)).to.deep.equal(['acc-1', 'acc-2']);

      await accounts.append('acc-1', createEvent('EMAIL_SET', { email: 'new@example.com', tags: ['blue', 'green'] }));
      expect((await accounts.query('byEmail', 'old@example.com')).map((s) => s.aggregateId)).to.deep.equal(['acc-2']);
      const moved = await accounts.query('byEmail', 'new@example.com');
      expect(moved).to.deep.equal([await accounts.get('acc-1')]);
      expect(await accounts.query('byTag', 'red')).to.deep.equal([]);
      expect((await accounts.query('byTag', 'blue')).map((s) => s.sequence)).to.deep.equal([2], 'the kept key holds the new snapshot');
      expect((await accounts.query('byTag', 'green')).map((s) => s.aggregateId)).to.deep.equal(['acc-1']);

      const oldItem = await local().documentClient.send(
        new GetCommand({
          TableName: TABLE,
          Key: { _pk: indexPartitionKey(type, 'byEmail', 'old@example.com'), _sk: 'acc-1' },
          ConsistentRead: true,
        }),
      );
      expect(oldItem.Item, 'the old index item is gone from the table').to.equal(undefined);
    });
    it('reads an index key whose copies fill more than one Query page (1 MB) completely', async function () {
      this.timeout(60_000);
      const type = freshType();
      const rules = new Map<string, StateUpdater<Record<string, unknown>, Inbound, Outbound, Inbound>>([
        ['SET', (input) => ({ ...input.state, ...(input.current as Record<string, unknown>) })],
      ]);
      const big = new Aggregate<Record<string, unknown>, Inbound, Outbound>({
        type,
        store: store as unknown as DynamoEventStore<Record<string, unknown>, Inbound, Outbound>,
        processor: new Processor(rules, () => ({})),
        indexes: [defineIndex<Record<string, unknown>>('byGroup', (snapshot) => snapshot.state.group as string)],
      });
      const ids = Array.from({ length: 7 }, (_, i) => `member-${i}`);
      for (const id of ids) await big.append(id, createEvent('SET', { group: 'large', blob: id.repeat(190_000 / id.length) }));

      const firstPage = await local().documentClient.send(
        new QueryCommand({
          TableName: TABLE,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': '_pk' },
          ExpressionAttributeValues: { ':pk': indexPartitionKey(type, 'byGroup', 'large') },
          ConsistentRead: true,
        }),
      );
      expect(firstPage.LastEvaluatedKey, 'DynamoDB needs more than one page for this index key').to.not.equal(undefined);
      expect(firstPage.Items!.length).to.be.lessThan(ids.length);

      const members = await big.query('byGroup', 'large');
      expect(members.map((snapshot) => snapshot.aggregateId)).to.deep.equal(ids);
      expect(members).to.deep.equal(await Promise.all(ids.map((id) => big.get(id))));
    });
  });

  describe('limits and invalid input', () => {
    it('refuses a commit of more than 100 items with a DynamoLimitError naming the numbers; the table is unchanged', async () => {
      const type = freshType();
      const accounts = counters(type);
      await accounts.append('many', createEvent('ADDED', { amount: 1 }));
      const before = await scanTable();
      const events = Array.from({ length: 100 }, () => createEvent('NOTED', {}));
      const error = await accounts.append('many', ...events).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(DynamoLimitError).and.instanceOf(StoreLimitError);
      const limit = error as DynamoLimitError;
      expect(limit.limit).to.equal('transactionItems');
      expect(limit.actual).to.equal(101);
      expect(limit.maximum).to.equal(DYNAMO_LIMITS.transactionItems);
      expect(limit.message).to.include('101 items').and.include('at most 100').and.include('100 event(s)');
      expect(await scanTable()).to.deep.equal(before);
    });

    it('refuses an item over 400 KB with a DynamoLimitError naming the item and its size; the table is unchanged', async () => {
      const type = freshType();
      const accounts = counters(type);
      const before = await scanTable();
      const big = createEvent('NOTED', { text: 'é'.repeat(210_000) }); // 420 000 bytes of UTF-8
      const error = await accounts.append('big', big).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(DynamoLimitError);
      const limit = error as DynamoLimitError;
      expect(limit.limit).to.equal('itemBytes');
      expect(limit.actual).to.be.greaterThan(420_000);
      expect(limit.subject).to.include(big.id);
      expect(limit.message).to.include(big.id).and.include('409600 bytes (400.0 KB)').and.include(String(limit.actual));
      expect(await scanTable()).to.deep.equal(before);
    });

    it('measures items as DynamoDB does: an event item of exactly 400 KB is stored, one byte more is refused', async () => {
      const type = freshType();
      const accounts = counters(type);
      // The item's size without its text: from the error for a text that is surely too long.
      const probe = await accounts.append('edge', createEvent('NOTED', { text: 'x'.repeat(410_000) })).catch((e: unknown) => e);
      expect(probe).to.be.instanceOf(DynamoLimitError);
      const overhead = (probe as DynamoLimitError).actual - 410_000;
      const fitting = DYNAMO_LIMITS.itemBytes - overhead;

      const tooBig = await accounts.append('edge', createEvent('NOTED', { text: 'x'.repeat(fitting + 1) })).catch((e: unknown) => e);
      expect(tooBig).to.be.instanceOf(DynamoLimitError);
      expect((tooBig as DynamoLimitError).actual).to.equal(DYNAMO_LIMITS.itemBytes + 1);

      // DynamoDB Local accepts what the store lets through at the limit: the count is not below DynamoDB's.
      const result = await accounts.append('edge', createEvent('NOTED', { text: 'x'.repeat(fitting) }));
      expect(result.snapshot.sequence).to.equal(1);
      const [stored] = await collect(accounts.history('edge'));
      expect((stored!.payload as { text: string }).text).to.have.length(fitting);
    });

    it('refuses a transaction over 4 MB with a DynamoLimitError; the table is unchanged', async () => {
      const type = freshType();
      const accounts = counters(type);
      const before = await scanTable();
      const events = Array.from({ length: 12 }, () => createEvent('NOTED', { text: 'y'.repeat(380_000) }));
      const error = await accounts.append('huge', ...events).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(DynamoLimitError);
      expect((error as DynamoLimitError).limit).to.equal('transactionBytes');
      expect((error as Error).message).to.include('4194304 bytes (4.00 MB)');
      expect(await scanTable()).to.deep.equal(before);
    });

    it('refuses a payload that cannot be stored with an UnsupportedValueError naming the path; the table is unchanged', async () => {
      const type = freshType();
      const accounts = counters(type);
      const before = await scanTable();
      const loop: Record<string, unknown> = { amount: 1 };
      loop.self = { again: loop };
      for (const [payload, path, reason] of [
        [loop, 'payload.self.again', 'circular'],
        [{ amount: 1, callback: () => 1 }, 'payload.callback', 'function'],
        [{ amount: 1, extra: { big: 10n } }, 'payload.extra.big', 'bigint'],
        [{ amount: 1, when: [new Map()] }, 'payload.when[0]', 'Map'],
        [{ amount: 1, ratio: Number.POSITIVE_INFINITY }, 'payload.ratio', 'finite'],
      ] as const) {
        const event = createEvent('ADDED', payload as unknown as Inbound);
        const error = await accounts.append('bad', event).catch((e: unknown) => e);
        expect(error).to.be.instanceOf(UnsupportedValueError).and.instanceOf(UnstorableValueError);
        expect((error as UnsupportedValueError).path).to.equal(path);
        expect((error as Error).message).to.include(event.id).and.include(path).and.include(reason);
      }
      expect(await scanTable()).to.deep.equal(before);
    });

    it('refuses a class instance other than Date, like every store (it would read back as a plain object)', async () => {
      class Money {
        constructor(
          readonly amount: number,
          readonly currency: string,
        ) {}
        get label() {
          return `${this.amount} ${this.currency}`;
        }
      }
      const type = freshType();
      const accounts = counters(type);
      const error = await accounts.append('money', createEvent('NOTED', { price: new Money(5, 'EUR'), when: new Date(0) })).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(UnsupportedValueError);
      expect((error as UnsupportedValueError).path).to.equal('payload.price');
      expect((error as Error).message).to.include('an instance of Money');
      expect(await collect(accounts.history('money'))).to.deep.equal([]);
    });

    it('names the failing item and the reason when DynamoDB cancels a commit for another reason', async () => {
      // A table whose secondary index wants `_kind` as a number: every put of the commit fails validation.
      const tableName = 'dynamodb-store-mismatch';
      await local().client.send(
        new CreateTableCommand({
          TableName: tableName,
          AttributeDefinitions: [
            { AttributeName: '_pk', AttributeType: 'S' },
            { AttributeName: '_sk', AttributeType: 'S' },
            { AttributeName: '_kind', AttributeType: 'N' },
          ],
          KeySchema: [
            { AttributeName: '_pk', KeyType: 'HASH' },
            { AttributeName: '_sk', KeyType: 'RANGE' },
          ],
          BillingMode: 'PAY_PER_REQUEST',
          GlobalSecondaryIndexes: [
            { IndexName: 'by-kind', KeySchema: [{ AttributeName: '_kind', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } },
          ],
        }),
      );
      const mismatched = new DynamoEventStore<Counter, Inbound, Outbound>({ client: local().documentClient, tableName });
      const accounts = new Aggregate<Counter, Inbound, Outbound>({ type: 'ACCOUNT', store: mismatched, processor: new Processor(counterRules, initialCounter) });
      const error = await accounts.append('a-1', createEvent('ADDED', { amount: 1 })).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(StoreError);
      expect(error).to.not.be.instanceOf(ConcurrencyError);
      const message = (error as Error).message;
      expect(message).to.include('the snapshot of ACCOUNT "a-1" (sequence 1): ValidationError');
      expect(message).to.include('Type mismatch');
      expect(message).to.include('outbox record');
      expect(await scanTable(tableName)).to.deep.equal([]);
    });

    it('names a missing table in a StoreError', async () => {
      const missing = new DynamoEventStore({ client: local().documentClient, tableName: 'no-such-table' });
      const error = await missing.loadSnapshot({ type: 'A', id: 'b' }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(StoreError);
      expect((error as Error).message).to.include('"no-such-table" not found');
    });
  });

  describe('layout', () => {
    it("round-trips a state whose fields are named like the store's own attributes", async () => {
      const type = freshType();
      const tricky = {
        _pk: 'INDEX#x#y#z',
        _sk: 'SNAPSHOT',
        _seq: -5,
        _kind: 'outbox',
        _data: '{not json',
        _ttl: 1,
        _pending: 'yes',
        _commit: null,
        $date: 'not a date',
        nested: { _pk: ['a', { _sk: 2 }], at: new Date('2020-02-02T02:02:02.002Z') },
      };
      const rules = new Map<string, StateUpdater<Record<string, unknown>, Inbound, Outbound, Inbound>>([
        ['SET', (input) => ({ ...input.state, ...(input.current as Record<string, unknown>) })],
      ]);
      const weird = new Aggregate<Record<string, unknown>, Inbound, Outbound>({
        type,
        store: store as unknown as DynamoEventStore<Record<string, unknown>, Inbound, Outbound>,
        processor: new Processor(rules, () => ({})),
        indexes: [defineIndex<Record<string, unknown>>('byKind', (snapshot) => snapshot.state._kind as string)],
      });
      await weird.append('w', createEvent('SET', tricky));
      const snapshot = await weird.get('w');
      expect(snapshot.state).to.deep.equal(tricky);
      expect(snapshot.sequence).to.equal(1);
      expect((await weird.query('byKind', 'outbox')).map((s) => s.state)).to.deep.equal([tricky]);
      const [event] = await collect(weird.history('w'));
      expect(event!.payload).to.deep.equal(tricky);
      const item = await local().documentClient.send(
        new GetCommand({ TableName: TABLE, Key: { _pk: aggregatePartitionKey(type, 'w'), _sk: 'SNAPSHOT' }, ConsistentRead: true }),
      );
      expect(item.Item).to.include({ _kind: 'snapshot', _seq: 1, _sk: 'SNAPSHOT' });
    });

    it('writes the documented items: keys, kinds, sequences, outbox TTL and pending marker', async () => {
      const type = freshType();
      const fixedNow = new Date('2030-01-01T00:00:00.000Z');
      const timed = new DynamoEventStore<Counter, Inbound, Outbound>({
        client: local().documentClient,
        tableName: TABLE,
        outboxRetentionSeconds: 3600,
        idempotencyRetentionSeconds: 86_400,
        clock: () => fixedNow,
      });
      const accounts = counters(type, { store: timed });
      await accounts.append('doc', createEvent('EMAIL_SET', { email: 'doc@example.com' }));
      await accounts.append({ id: 'doc', idempotencyKey: 'req#1' }, createEvent('ADDED', { amount: 5 }));
      const items = (await scanTable()).filter((item) => String(item._pk).startsWith(type) || String(item._pk).includes(`#${type}#`));
      const L = DYNAMO_TABLE_LAYOUT;
      const summary = items.map((item) => [item[L.partitionKey], item[L.sortKey], item[L.kindAttribute], item[L.sequenceAttribute]]);
      expect(summary).to.deep.equal([
        [`INDEX#${type}#byEmail#doc@example.com`, 'doc', 'index', 2],
        [`LIST#${type}#0`, 'doc', 'listing', undefined],
        [`${type}#doc`, 'EVENT#000000000001', 'event', 1],
        [`${type}#doc`, 'EVENT#000000000002', 'event', 2],
        [`${type}#doc`, 'IDEMPOTENCY#req#1', 'idempotency', 2],
        [`${type}#doc`, 'OUTBOX#000000000002#0000', 'outbox', 2],
        [`${type}#doc`, 'SNAPSHOT', 'snapshot', 2],
      ]);
      const outbox = items.find((item) => item._kind === 'outbox')!;
      expect(outbox[L.ttlAttribute]).to.equal(fixedNow.getTime() / 1000 + 3600);
      expect(outbox[L.pendingAttribute]).to.equal(outbox[L.commitAttribute]);
      for (const item of items.filter((item) => item._kind !== 'listing')) expect(item[L.dataAttribute]).to.be.a('string');
      const idempotency = items.find((item) => item._kind === 'idempotency')!;
      expect(idempotency[L.ttlAttribute]).to.equal(fixedNow.getTime() / 1000 + 86_400);
      for (const item of items.filter((item) => ['snapshot', 'event', 'index', 'listing'].includes(String(item._kind)))) {
        expect(item[L.ttlAttribute], `${item._kind} items never expire`).to.equal(undefined);
      }

      await timed.markPublished(await timed.pendingOutbox({ limit: 100_000 }).then((all) => all.filter((r) => r.aggregateType === type)));
      const published = await local().documentClient.send(new GetCommand({ TableName: TABLE, Key: { _pk: outbox._pk, _sk: outbox._sk }, ConsistentRead: true }));
      expect(published.Item, 'markPublished keeps the record').to.not.equal(undefined);
      expect(published.Item![L.pendingAttribute]).to.equal(undefined);
    });

    it('keeps aggregates apart whose type or id contain the key separator', async () => {
      const type = freshType();
      const one = counters(`${type}#A`);
      const two = counters(type);
      await one.append('B', createEvent('ADDED', { amount: 1 }));
      await two.append('A#B', createEvent('ADDED', { amount: 2 }));
      await two.append('A%23B', createEvent('ADDED', { amount: 3 }));
      expect((await one.get('B')).state.total).to.equal(1);
      expect((await two.get('A#B')).state.total).to.equal(2);
      expect((await two.get('A%23B')).state.total).to.equal(3);
      expect(await collect(two.history('A#B'))).to.have.length(1);
    });

    it('keeps idempotency records forever and outbox records 7 days by default', async () => {
      const type = freshType();
      const accounts = counters(type);
      const before = Math.floor(Date.now() / 1000);
      await accounts.append({ id: 'ttl', idempotencyKey: 'once' }, createEvent('ADDED', { amount: 1 }));
      const after = Math.floor(Date.now() / 1000);
      const items = (await scanTable()).filter((item) => item._pk === aggregatePartitionKey(type, 'ttl'));
      const ttl = (kind: string) => items.find((item) => item._kind === kind)![DYNAMO_TABLE_LAYOUT.ttlAttribute] as number;
      expect(ttl('idempotency')).to.equal(undefined);
      expect(ttl('outbox')).to.be.within(before + 7 * 86_400, after + 7 * 86_400);
      expect(() => new DynamoEventStore({ client: local().client, tableName: TABLE, outboxRetentionSeconds: 0 })).to.throw(
        TypeError,
        'outboxRetentionSeconds must be a positive integer',
      );
    });

    it('accepts a plain DynamoDBClient and wraps it', async () => {
      const type = freshType();
      const plain = new DynamoEventStore<Counter, Inbound, Outbound>({ client: local().client, tableName: TABLE });
      const accounts = counters(type, { store: plain });
      await accounts.append('plain', createEvent('ADDED', { amount: 4 }));
      expect((await store.loadSnapshot({ type, id: 'plain' }))!.state.total).to.equal(4);
    });

    it('creates the table from the layout: string keys, a NEW_IMAGE stream and TTL', async () => {
      const { Table } = await local().client.send(new DescribeTableCommand({ TableName: TABLE }));
      expect(Table!.KeySchema).to.deep.equal([
        { AttributeName: DYNAMO_TABLE_LAYOUT.partitionKey, KeyType: 'HASH' },
        { AttributeName: DYNAMO_TABLE_LAYOUT.sortKey, KeyType: 'RANGE' },
      ]);
      expect(Table!.StreamSpecification).to.deep.equal({ StreamEnabled: true, StreamViewType: 'NEW_IMAGE' });
      const ttl = await local().client.send(new DescribeTimeToLiveCommand({ TableName: TABLE }));
      expect(ttl.TimeToLiveDescription).to.include({ AttributeName: DYNAMO_TABLE_LAYOUT.ttlAttribute, TimeToLiveStatus: 'ENABLED' });
    });
  });
});
