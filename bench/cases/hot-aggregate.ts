/**
 * One hot aggregate: 8 concurrent writers through one Aggregate (group commit) against one
 * sequential writer, appends per second, on DynamoDB Local and on a SQLite file. Rounds
 * alternate the two, so both see the same machine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStore } from 'event-sourced-rules-engine';
import { DynamoEventStore } from 'event-sourced-rules-engine/dynamodb';
import { SqliteEventStore } from 'event-sourced-rules-engine/sqlite';
import { type AccountState, accountAggregate, deposited, opened } from '../lib/account.js';
import { benchTable } from '../lib/dynamodb.js';
import { pairedRow } from '../lib/rows.js';
import type { BenchRow } from '../lib/row.js';
import { progress } from '../lib/time.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const APPENDS = 160;
const WRITERS = 8;

const perSecond = (value: number) => `${value.toFixed(0)} appends/s`;

async function throughput(store: EventStore<AccountState, any, any>, id: string, writers: number): Promise<number> {
  const account = accountAggregate(store);
  let left = APPENDS;
  const writer = async () => {
    while (left > 0) {
      left--;
      await account.append(id, deposited());
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: writers }, writer));
  return APPENDS / ((performance.now() - started) / 1000);
}

async function compare(name: string, store: EventStore<AccountState, any, any>): Promise<BenchRow> {
  const account = accountAggregate(store);
  const measured: number[] = [];
  const baseline: number[] = [];
  for (let round = 0; round <= ROUNDS; round++) {
    const grouped = `grouped-${round}`;
    const sequential = `sequential-${round}`;
    await account.append(grouped, opened());
    await account.append(sequential, opened());
    const first = round % 2 === 0;
    const a = first ? await throughput(store, grouped, WRITERS) : 0;
    const b = await throughput(store, sequential, 1);
    const c = first ? a : await throughput(store, grouped, WRITERS);
    if (round === 0) continue; // warm-up
    measured.push(c);
    baseline.push(b);
    progress(`${name} round ${round}: ${perSecond(c)} grouped, ${perSecond(b)} sequential`);
  }
  return pairedRow({
    benchmark: `hot aggregate, ${name}: 8 writers (group commit) vs 1 sequential writer (appends/s)`,
    measured,
    baseline,
    show: perSecond,
    target: { atLeast: 2 },
    details: { appendsPerRound: APPENDS, writers: WRITERS, rounds: ROUNDS },
  });
}

export default async function hotAggregateBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const table = await benchTable();
  try {
    rows.push(await compare('DynamoDB Local', new DynamoEventStore<AccountState>({ client: table.documentClient, tableName: table.tableName })));
  } finally {
    await table.close();
  }
  const folder = mkdtempSync(join(tmpdir(), 'esre-bench-hot-'));
  const store = new SqliteEventStore<AccountState>({ filename: join(folder, 'hot.db') });
  try {
    rows.push(await compare('SQLite file', store));
  } finally {
    store.close();
    rmSync(folder, { recursive: true, force: true });
  }
  return rows;
}
