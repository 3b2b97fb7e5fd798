import { expect } from 'chai';
import { z } from 'zod';
import {
  Aggregate,
  ConcurrencyError,
  InMemoryEventStore,
  Processor,
  UnknownEventTypeError,
  ValidationError,
  createEvent,
  defineIndex,
  type Commit,
  type EventStore,
  type Rules,
} from 'event-sourced-rules-engine';

interface Account {
  email: string;
  balance: number;
  history: number[];
}
const inbound = {
  OPENED: z.object({ email: z.string().email() }),
  DEPOSITED: z.object({ amount: z.number().positive() }),
  EMAIL_CHANGED: z.object({ email: z.string().email() }),
  PUBLISH_BAD: z.object({}),
  PUBLISH_UNDECLARED: z.object({}),
};
const outbound = { BALANCE_CHANGED: z.object({ balance: z.number() }) };
type InMap = { [K in keyof typeof inbound]: z.infer<(typeof inbound)[K]> };
type OutMap = { [K in keyof typeof outbound]: z.infer<(typeof outbound)[K]> };
type In = InMap[keyof InMap];
type Out = OutMap[keyof OutMap];

const rules: Rules<Account, InMap, OutMap> = {
  OPENED: (input) => ({ ...input.state, email: input.current.email }),
  DEPOSITED: (input) => {
    input.state.balance += input.current.amount;
    input.state.history.push(input.current.amount);
    input.publish('BALANCE_CHANGED', { balance: input.state.balance });
    return input.state;
  },
  EMAIL_CHANGED: (input) => ({ ...input.state, email: input.current.email }),
  PUBLISH_BAD: (input) => {
    input.publish('BALANCE_CHANGED', { balance: 'lots' as unknown as number });
    return input.state;
  },
  PUBLISH_UNDECLARED: (input) => {
    (input.publish as (type: string, payload: unknown) => void)('SECRET', { balance: 1 });
    return input.state;
  },
};

function accounts(store: EventStore<Account, In, Out> = new InMemoryEventStore(), options: { retry?: false | { attempts: number } } = {}) {
  return new Aggregate<Account, In, Out>({
    type: 'ACCOUNT',
    store,
    processor: new Processor<Account, In, Out>(rules, () => ({ email: '', balance: 0, history: [] })),
    indexes: [
      defineIndex('byEmail', (snapshot) => snapshot.state.email || null),
      defineIndex('byAmount', (snapshot) => snapshot.state.history),
    ],
    schemas: { inbound, outbound },
    ...(options.retry === undefined ? {} : { retry: options.retry }),
  });
}

/** Everything observable in the store for the given ids and index keys. */
async function everything(aggregate: Aggregate<Account, In, Out>, ids: string[], emails: string[]) {
  const out: unknown[] = [];
  for (const id of ids) {
    out.push(await aggregate.store.loadSnapshot({ type: 'ACCOUNT', id }));
    const events = [];
    for await (const event of aggregate.history(id)) events.push(event);
    out.push(events);
  }
  for (const email of emails) out.push(await aggregate.query('byEmail', email));
  out.push(await aggregate.store.pendingOutbox({ limit: 1000 }));
  return out;
}

describe('Aggregate', () => {
  it('appends, returns the new snapshot, events and outbound events, and get() reads the snapshot', async () => {
    const aggregate = accounts();
    const result = await aggregate.append(
      'a-1',
      createEvent('OPENED', { email: 'a@example.com' }),
      createEvent('DEPOSITED', { amount: 10 }),
      createEvent('DEPOSITED', { amount: 5 }),
    );
    expect(result.snapshot.sequence).to.equal(3);
    expect(result.snapshot.state).to.deep.equal({ email: 'a@example.com', balance: 15, history: [10, 5] });
    expect(result.events.map((event) => [event.type, event.sequence])).to.deep.equal([
      ['OPENED', 1],
      ['DEPOSITED', 2],
      ['DEPOSITED', 3],
    ]);
    expect(result.outbound.map((record) => [record.type, record.payload, record.sequence, record.position])).to.deep.equal([
      ['BALANCE_CHANGED', { balance: 10 }, 3, 0],
      ['BALANCE_CHANGED', { balance: 15 }, 3, 1],
    ]);
    expect(result.outbound[0]!.causationId).to.equal(result.events[1]!.id);
    expect(await aggregate.get('a-1')).to.deep.equal(result.snapshot);
  });

  it('get() of an aggregate without events gives the initial state at sequence 0', async () => {
    const snapshot = await accounts().get('nobody');
    expect(snapshot.sequence).to.equal(0);
    expect(snapshot.state).to.deep.equal({ email: '', balance: 0, history: [] });
  });

  it('rejects an invalid inbound payload with a ValidationError naming aggregate, id, type and path, writing nothing', async () => {
    const aggregate = accounts();
    await aggregate.append('v-1', createEvent('OPENED', { email: 'v@example.com' }));
    const before = await everything(aggregate, ['v-1'], ['v@example.com']);
    const error = await aggregate
      .append('v-1', createEvent('DEPOSITED', { amount: 5 }), createEvent('DEPOSITED', { amount: -1 }))
      .then(() => undefined, (caught: unknown) => caught);
    expect(error).to.be.instanceOf(ValidationError);
    const validation = error as ValidationError;
    expect([validation.aggregateType, validation.aggregateId, validation.eventType, validation.path]).to.deep.equal([
      'ACCOUNT',
      'v-1',
      'DEPOSITED',
      'amount',
    ]);
    expect(validation.message).to.match(/ACCOUNT "v-1".*amount/);
    expect(await everything(aggregate, ['v-1'], ['v@example.com'])).to.deep.equal(before);
  });

  it('rejects an invalid outbound payload when it is published, writing nothing', async () => {
    const aggregate = accounts();
    await aggregate.append('o-1', createEvent('OPENED', { email: 'o@example.com' }), createEvent('DEPOSITED', { amount: 3 }));
    const before = await everything(aggregate, ['o-1'], ['o@example.com']);
    const error = await aggregate.append('o-1', createEvent('PUBLISH_BAD', {})).catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(ValidationError);
    expect((error as ValidationError).direction).to.equal('outbound');
    expect((error as ValidationError).eventType).to.equal('BALANCE_CHANGED');
    expect((error as ValidationError).path).to.equal('balance');
    const undeclared = await aggregate.append('o-1', createEvent('PUBLISH_UNDECLARED', {})).catch((caught: unknown) => caught);
    expect(undeclared).to.be.instanceOf(ValidationError);
    expect((undeclared as Error).message).to.match(/SECRET.*not a declared outbound event type/);
    expect(await everything(aggregate, ['o-1'], ['o@example.com'])).to.deep.equal(before);
  });

  it('rejects an unknown event type with UnknownEventTypeError, writing nothing', async () => {
    const aggregate = accounts();
    await aggregate.append('u-1', createEvent('OPENED', { email: 'u@example.com' }));
    const before = await everything(aggregate, ['u-1'], ['u@example.com']);
    const error = await aggregate
      .append('u-1', createEvent('DEPOSITED', { amount: 1 }), createEvent('CLOSED' as 'DEPOSITED', { amount: 1 }))
      .catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(UnknownEventTypeError);
    expect((error as UnknownEventTypeError).eventType).to.equal('CLOSED');
    expect(await everything(aggregate, ['u-1'], ['u@example.com'])).to.deep.equal(before);
  });

  it('ignores unknown event types when configured to', async () => {
    const aggregate = new Aggregate<Account, In, Out>({
      type: 'ACCOUNT',
      store: new InMemoryEventStore(),
      processor: new Processor<Account, In, Out>(rules, () => ({ email: '', balance: 0, history: [] })),
      ignoreUnknownEventTypes: true,
    });
    const result = await aggregate.append('i-1', createEvent('DEPOSITED', { amount: 2 }), createEvent('LEGACY', { amount: 9 } as In));
    expect(result.snapshot.sequence).to.equal(2);
    expect(result.snapshot.state.balance).to.equal(2);
  });

  it('retries concurrency conflicts, re-reading state, so concurrent appends all land', async () => {
    const aggregate = accounts();
    await aggregate.append('c-1', createEvent('OPENED', { email: 'c@example.com' }));
    const amounts = Array.from({ length: 40 }, (_, i) => i + 1);
    await Promise.all(amounts.map((amount) => aggregate.append('c-1', createEvent('DEPOSITED', { amount }))));
    const snapshot = await aggregate.get('c-1');
    expect(snapshot.sequence).to.equal(41);
    expect(snapshot.state.balance).to.equal(amounts.reduce((a, b) => a + b, 0));
    expect([...snapshot.state.history].sort((a, b) => a - b)).to.deep.equal(amounts);
  });

  it('gives up after the configured attempts with ConcurrencyError, and the losing change is not written', async () => {
    const inner = new InMemoryEventStore<Account, In, Out>();
    let interfere = 0;
    // A store whose aggregate always moves on between the read and the commit.
    const racing: EventStore<Account, In, Out> = {
      ...bind<EventStore<Account, In, Out>>(inner),
      async commit(commit: Commit<Account, In, Out>) {
        interfere++;
        const current = (await inner.loadSnapshot(commit.ref))!;
        await inner.commit({
          ...commit,
          expectedSequence: current.sequence,
          events: [{ ...commit.events[0]!, id: `other-${interfere}`, sequence: current.sequence + 1 }],
          snapshot: { ...current, sequence: current.sequence + 1 },
          indexPuts: [],
          indexDeletes: [],
          outbox: [],
        });
        return inner.commit(commit);
      },
    };
    const seedAggregate = accounts(inner);
    await seedAggregate.append('r-1', createEvent('OPENED', { email: 'r@example.com' }));
    const aggregate = accounts(racing, { retry: { attempts: 3 } });
    const error = await aggregate.append('r-1', createEvent('DEPOSITED', { amount: 7 })).catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(ConcurrencyError);
    expect(interfere).to.equal(3);
    const history = [];
    for await (const event of inner.readHistory({ type: 'ACCOUNT', id: 'r-1' })) history.push(event.id);
    expect(history.filter((id) => id.startsWith('other-'))).to.have.length(3);
    expect(history).to.have.length(4, 'only the interfering events were written');
    const noRetry = accounts(racing, { retry: false });
    await noRetry.append('r-1', createEvent('DEPOSITED', { amount: 1 })).catch(() => undefined);
    expect(interfere).to.equal(4, 'retry: false makes one attempt');
  });

  it('makes a repeated append with the same idempotency key a no-op returning the first result', async () => {
    const aggregate = accounts();
    const first = await aggregate.append(
      { id: 'k-1', idempotencyKey: 'req-1' },
      createEvent('OPENED', { email: 'k@example.com' }),
      createEvent('DEPOSITED', { amount: 4 }),
    );
    const before = await everything(aggregate, ['k-1'], ['k@example.com']);
    const again = await aggregate.append({ id: 'k-1', idempotencyKey: 'req-1' }, createEvent('DEPOSITED', { amount: 4 }));
    expect(again).to.deep.equal(first);
    expect(await everything(aggregate, ['k-1'], ['k@example.com'])).to.deep.equal(before);
    const other = await aggregate.append({ id: 'k-1', idempotencyKey: 'req-2' }, createEvent('DEPOSITED', { amount: 4 }));
    expect(other.snapshot.state.balance).to.equal(8);
  });

  it('returns the first result to concurrent appends with one idempotency key, writing once', async () => {
    const aggregate = accounts();
    await aggregate.append('k-2', createEvent('OPENED', { email: 'k2@example.com' }));
    const results = await Promise.all(
      Array.from({ length: 5 }, () => aggregate.append({ id: 'k-2', idempotencyKey: 'same' }, createEvent('DEPOSITED', { amount: 1 }))),
    );
    expect((await aggregate.get('k-2')).state.balance).to.equal(1);
    for (const result of results) expect(result).to.deep.equal(results[0]);
  });

  it('moves index entries when keys change: a query never returns a record under an old key', async () => {
    const aggregate = accounts();
    await aggregate.append('x-1', createEvent('OPENED', { email: 'old@example.com' }), createEvent('DEPOSITED', { amount: 1 }));
    await aggregate.append('x-2', createEvent('OPENED', { email: 'old@example.com' }));
    expect((await aggregate.query('byEmail', 'old@example.com')).map((s) => s.aggregateId)).to.deep.equal(['x-1', 'x-2']);
    await aggregate.append('x-1', createEvent('EMAIL_CHANGED', { email: 'new@example.com' }), createEvent('DEPOSITED', { amount: 2 }));
    expect((await aggregate.query('byEmail', 'old@example.com')).map((s) => s.aggregateId)).to.deep.equal(['x-2']);
    const [moved] = await aggregate.query('byEmail', 'new@example.com');
    expect(moved!.state.balance).to.equal(3);
    expect((await aggregate.query('byAmount', 2)).map((s) => s.aggregateId)).to.deep.equal(['x-1'], 'multi-key index, numeric key');
    expect((await aggregate.query('byAmount', 1)).map((s) => s.state.balance)).to.deep.equal([3], 'entries are the latest snapshot');
  });

  it('rejects a query on an undefined index', async () => {
    const error = await accounts().query('byName', 'x').catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(TypeError);
    expect((error as Error).message).to.match(/byName.*byEmail, byAmount/);
  });

  it('appendTo commits on a snapshot in hand with one write and no read, and fails on a stale one', async () => {
    const store = new InMemoryEventStore<Account, In, Out>();
    const calls: string[] = [];
    const counting: EventStore<Account, In, Out> = new Proxy(store, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? (...args: unknown[]) => (calls.push(String(property)), value.apply(target, args)) : value;
      },
    });
    const aggregate = accounts(counting);
    const opened = await aggregate.append('t-1', createEvent('OPENED', { email: 't@example.com' }));
    calls.length = 0;
    const next = await aggregate.appendTo(opened.snapshot, createEvent('DEPOSITED', { amount: 6 }));
    expect(calls).to.deep.equal(['commit']);
    expect(next.snapshot.state.balance).to.equal(6);
    const stale = await aggregate.appendTo(opened.snapshot, createEvent('DEPOSITED', { amount: 1 })).catch((caught: unknown) => caught);
    expect(stale).to.be.instanceOf(ConcurrencyError);
    expect((await aggregate.get('t-1')).state.balance).to.equal(6);
  });

  it('recalculate replays the whole history with new rules, without sending replayed publications', async () => {
    const store = new InMemoryEventStore<Account, In, Out>({ pageSize: 16 });
    const aggregate = accounts(store);
    await aggregate.append('h-1', createEvent('OPENED', { email: 'h@example.com' }));
    for (let i = 0; i < 10; i++) {
      await aggregate.append('h-1', ...Array.from({ length: 10 }, () => createEvent('DEPOSITED', { amount: 1 })));
    }
    const pendingBefore = (await store.pendingOutbox({ limit: 10_000 })).length;
    const doubled = new Aggregate<Account, In, Out>({
      type: 'ACCOUNT',
      store,
      processor: new Processor<Account, In, Out>(
        { ...rules, DEPOSITED: (input) => ({ ...input.state, balance: input.state.balance + 2 * input.current.amount }) },
        () => ({ email: '', balance: 0, history: [] }),
      ),
      indexes: [defineIndex('byEmail', (snapshot) => snapshot.state.email || null)],
    });
    const recalculated = await doubled.recalculate('h-1', { window: 7 });
    expect(recalculated.sequence).to.equal(101);
    expect(recalculated.state.balance).to.equal(200);
    expect((await doubled.get('h-1')).state.balance).to.equal(200);
    expect((await doubled.query('byEmail', 'h@example.com'))[0]!.state.balance).to.equal(200);
    expect((await store.pendingOutbox({ limit: 10_000 })).length).to.equal(pendingBefore);
    let count = 0;
    for await (const _ of doubled.history('h-1')) count++;
    expect(count).to.equal(101);
  });

  it('rejects bad arguments clearly', async () => {
    const aggregate = accounts();
    expect(() => new Aggregate<number>({ type: '', store: new InMemoryEventStore(), processor: new Processor({}, () => 0) })).to.throw(TypeError, /type/);
    expect(await aggregate.append('', createEvent('OPENED', { email: 'a@example.com' })).catch((e: Error) => e.message)).to.match(/non-empty/);
    expect(await aggregate.append('z').catch((e: Error) => e.message)).to.match(/at least one event/);
    expect(() => defineIndex('bad name', () => null)).to.throw(TypeError, /invalid index name/);
  });
});

function bind<T extends object>(target: object): T {
  const out: Record<string, unknown> = {};
  for (const key of Object.getOwnPropertyNames(Object.getPrototypeOf(target))) {
    const value = (target as unknown as Record<string, unknown>)[key];
    if (typeof value === 'function' && key !== 'constructor') out[key] = (value as Function).bind(target);
  }
  return out as T;
}
