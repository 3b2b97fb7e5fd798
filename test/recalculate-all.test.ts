import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import {
  Aggregate,
  InMemoryEventStore,
  Processor,
  RecalculateAllError,
  createEvent,
  type AggregateRef,
  type EventRecord,
  type HistoryOptions,
  type RecalculateAllProgress,
  type Rules,
} from 'event-sourced-rules-engine';
import { SqliteEventStore } from 'event-sourced-rules-engine/sqlite';
import { AccountAggregate } from '../examples/account/src/generated/account/aggregate.js';
import { AccountEvents } from '../examples/account/src/generated/account/events.js';
import { REPO, removeProject, scratchProject } from './compiler.support.js';

interface Counter {
  total: number;
}
type In = { amount: number };
type InMap = { ADDED: In };

const counting = (factor: number): Rules<Counter, InMap, Record<never, never>> => ({
  ADDED: (input) => {
    if (input.current.amount < 0) throw new RangeError('negative amount');
    return { total: input.state.total + input.current.amount * factor };
  },
});

/** A real in-memory store that also counts the history reads running at one time. */
class WatchedStore extends InMemoryEventStore<Counter, In> {
  running = 0;
  mostRunning = 0;
  override async *readHistory(ref: AggregateRef, options?: HistoryOptions): AsyncIterable<EventRecord<In>> {
    this.running++;
    this.mostRunning = Math.max(this.mostRunning, this.running);
    try {
      await new Promise((resolve) => setTimeout(resolve, 1));
      yield* super.readHistory(ref, options);
    } finally {
      this.running--;
    }
  }
}

const counters = (store: InMemoryEventStore<Counter, In>, factor: number, type = 'COUNTER') =>
  new Aggregate<Counter, In>({ type, store, processor: new Processor<Counter, In>(counting(factor), () => ({ total: 0 })) });

const ids = Array.from({ length: 60 }, (_, i) => `c-${String(i).padStart(3, '0')}`);

async function seed(store: InMemoryEventStore<Counter, In>): Promise<void> {
  const before = counters(store, 1);
  for (const id of ids) await before.append(id, createEvent('ADDED', { amount: 1 }), createEvent('ADDED', { amount: 2 }));
  await counters(store, 1, 'OTHER').append('c-000', createEvent('ADDED', { amount: 1 }));
}

describe('Aggregate.recalculateAll', () => {
  it('recalculates every aggregate of the type with the new rules, at most `concurrency` at a time, reporting each one', async () => {
    const store = new WatchedStore();
    await seed(store);
    const progress: RecalculateAllProgress[] = [];
    const result = await counters(store, 10).recalculateAll({ concurrency: 3, pageSize: 7, onProgress: (p) => progress.push(p) });
    expect(result).to.deep.equal({ recalculated: 60, aborted: false });
    for (const id of ids) expect((await counters(store, 10).get(id)).state.total, id).to.equal(30);
    expect((await counters(store, 1, 'OTHER').get('c-000')).state.total, 'other types are left alone').to.equal(1);
    expect(progress.map((p) => p.recalculated)).to.deep.equal(ids.map((_, i) => i + 1));
    expect([...progress.map((p) => p.aggregateId)].sort()).to.deep.equal(ids);
    expect(store.mostRunning).to.equal(3);
  });

  it('stops when its signal is aborted and resumes from the cursor, leaving nothing out', async () => {
    const store = new InMemoryEventStore<Counter, In>();
    await seed(store);
    const controller = new AbortController();
    const first: string[] = [];
    const stopped = await counters(store, 10).recalculateAll({
      concurrency: 2,
      pageSize: 5,
      signal: controller.signal,
      onProgress: (p) => {
        first.push(p.aggregateId);
        if (p.recalculated === 23) controller.abort();
      },
    });
    expect(stopped.aborted).to.equal(true);
    expect(stopped.recalculated).to.be.within(23, 24);
    expect(stopped.cursor).to.be.a('string');
    const second: string[] = [];
    const rest = await counters(store, 100).recalculateAll({ cursor: stopped.cursor!, onProgress: (p) => second.push(p.aggregateId) });
    expect(rest.aborted).to.equal(false);
    expect(new Set([...first, ...second])).to.deep.equal(new Set(ids), 'every aggregate done by one run or the other');
    expect(second.length).to.be.lessThan(60 - 15, 'the second run did not start over');
    for (const id of second) expect((await store.loadSnapshot({ type: 'COUNTER', id }))!.state.total).to.equal(300);
  });

  it('stops on an aggregate that fails with a RecalculateAllError naming it and the cursor to resume from', async () => {
    const store = new InMemoryEventStore<Counter, In>();
    await seed(store);
    await counters(store, 1).append('c-031', createEvent('ADDED', { amount: 5 }));
    // The new rules refuse what the old ones took.
    const strict = new Aggregate<Counter, In>({
      type: 'COUNTER',
      store,
      processor: new Processor<Counter, In>({ ADDED: (input) => {
        if (input.current.amount === 5) throw new RangeError('five is not allowed any more');
        return { total: input.state.total + input.current.amount };
      } }, () => ({ total: 0 })),
    });
    const error = await strict.recalculateAll({ concurrency: 1, pageSize: 10 }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(RecalculateAllError);
    const failure = error as RecalculateAllError;
    expect(failure.aggregateId).to.equal('c-031');
    expect(failure.recalculated).to.equal(31);
    expect((failure.cause as Error).message).to.equal('five is not allowed any more');
    const page = await store.listAggregateIds('COUNTER', { limit: 10, cursor: failure.cursor! });
    expect(page.ids[0]).to.equal('c-030', 'the cursor resumes at the page holding the failed aggregate');
  });

  it('is on the generated aggregate class', async () => {
    const accounts = new AccountAggregate({ store: new InMemoryEventStore() });
    for (const id of ['a', 'b', 'c']) {
      await accounts.append(id, AccountEvents.accountOpened({ owner: id, email: `${id}@example.com`, overdraftLimit: 0 }), AccountEvents.moneyDeposited({ amount: 5 }));
    }
    const progress: string[] = [];
    const result = await accounts.recalculateAll({ concurrency: 2, onProgress: (p) => progress.push(p.aggregateId) });
    expect(result).to.deep.equal({ recalculated: 3, aborted: false });
    expect(progress.sort()).to.deep.equal(['a', 'b', 'c']);
  });
});

describe('esre recalculate <module>', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = scratchProject('recalculate');
    writeFileSync(
      path.join(dir, 'counters.ts'),
      [
        "import { Aggregate, Processor } from 'event-sourced-rules-engine';",
        "import { SqliteEventStore } from 'event-sourced-rules-engine/sqlite';",
        '',
        "const factor = Number(process.env.FACTOR ?? '1');",
        'export const store = new SqliteEventStore<{ total: number }, { amount: number }>({ filename: process.env.COUNTERS_DB! });',
        'export const aggregate = new Aggregate<{ total: number }, { amount: number }>({',
        "  type: 'COUNTER',",
        '  store,',
        '  processor: new Processor<{ total: number }, { amount: number }>(',
        '    { ADDED: (input) => ({ total: input.state.total + input.current.amount * factor }) },',
        '    () => ({ total: 0 }),',
        '  ),',
        '});',
        '',
      ].join('\n'),
    );
  });
  after(() => removeProject(dir));

  const esre = (args: string[], env: Record<string, string>) =>
    spawnSync(process.execPath, [path.join(REPO, 'bin/esre.js'), ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } });

  it('recalculates every aggregate of the exported aggregate with a progress line, and resumes from a cursor', async () => {
    const filename = path.join(dir, 'counters.db');
    const store = new SqliteEventStore<Counter, In>({ filename });
    const seeded = new Aggregate<Counter, In>({ type: 'COUNTER', store, processor: new Processor<Counter, In>(counting(1), () => ({ total: 0 })) });
    for (const id of ids) await seeded.append(id, createEvent('ADDED', { amount: 1 }));
    const run = esre(['recalculate', 'counters.ts', '--concurrency', '4', '--page-size', '25'], { COUNTERS_DB: filename, FACTOR: '7' });
    expect(run.status, run.stderr).to.equal(0);
    const progressLine = /esre recalculate: (\w+): (\d+) recalculated \(\d+\/s\)/;
    const finalLine = /esre recalculate: (\w+): (\d+) aggregates recalculated in [\d.]+ s/;
    expect(run.stderr).to.match(progressLine);
    const lines = [...run.stderr.matchAll(new RegExp(progressLine.source, 'g'))];
    expect(lines.at(-1)!.slice(1), 'the last progress line').to.deep.equal(['COUNTER', '60']);
    expect(run.stdout).to.match(new RegExp(`^${finalLine.source}\n$`));
    // docs/hot-aggregates.md shows this command and these two lines.
    const docs = readFileSync(path.join(REPO, 'docs/hot-aggregates.md'), 'utf8');
    expect(docs).to.include('npx esre recalculate scripts/accounts.ts --concurrency 8');
    expect(docs).to.match(progressLine).and.to.match(finalLine);
    for (const id of ids) expect((await seeded.get(id)).state.total, id).to.equal(7);

    const { cursor } = await store.listAggregateIds('COUNTER', { limit: 50 });
    const resumed = esre(['recalculate', 'counters.ts', '--cursor', cursor!], { COUNTERS_DB: filename, FACTOR: '3' });
    expect(resumed.status, resumed.stderr).to.equal(0);
    expect(resumed.stdout).to.include('COUNTER: 10 aggregates recalculated');
    expect((await seeded.get('c-049')).state.total).to.equal(7);
    expect((await seeded.get('c-050')).state.total).to.equal(3);
    store.close();
  });

  it('exits 2 naming the problem when the module exports no aggregate', () => {
    const run = esre(['recalculate', 'counters.ts', '--export', 'store'], { COUNTERS_DB: path.join(dir, 'other.db') });
    expect(run.status).to.equal(2);
    expect(run.stderr).to.include('has no export "store" with a recalculateAll method');
  });
});
