/**
 * get() of an aggregate with 10,000 events against get() of one with 1 event, on the memory
 * store, SQLite and DynamoDB Local: a snapshot read must not depend on history length.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryEventStore, type EventStore } from 'event-sourced-rules-engine';
import { DynamoEventStore } from 'event-sourced-rules-engine/dynamodb';
import { SqliteEventStore } from 'event-sourced-rules-engine/sqlite';
import { accountAggregate, fill, opened } from '../lib/account.js';
import { benchTable } from '../lib/dynamodb.js';
import { ms } from '../lib/format.js';
import { pairedRow } from '../lib/rows.js';
import type { BenchRow } from '../lib/row.js';
import { interleaved } from '../lib/interleave.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const HISTORY = 10_000;

async function measure(name: string, store: EventStore<any, any, any>, getsPerRound: number, batch: number): Promise<BenchRow> {
  const account = accountAggregate(store);
  await fill(account, 'long', HISTORY, batch);
  await account.append('short', opened());
  const [long, short] = [await account.get('long'), await account.get('short')];
  if (long.sequence !== HISTORY || short.sequence !== 1) throw new Error(`${name}: expected sequences ${HISTORY} and 1`);
  const { measured, baseline } = await interleaved({
    name: `get ${name}`,
    rounds: ROUNDS,
    perRound: getsPerRound,
    measured: () => account.get('long'),
    baseline: () => account.get('short'),
  });
  return pairedRow({
    benchmark: `get() with 10,000 events vs 1 event, ${name}`,
    measured,
    baseline,
    show: ms,
    target: { atMost: 1.2 },
    details: { history: HISTORY, getsPerRound, rounds: ROUNDS },
  });
}

export default async function getBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  rows.push(await measure('memory store', new InMemoryEventStore(), 40_000, 500));
  const folder = mkdtempSync(join(tmpdir(), 'esre-bench-get-'));
  const sqlite = new SqliteEventStore({ filename: join(folder, 'bench.db') });
  try {
    rows.push(await measure('SQLite', sqlite, 40_000, 500));
  } finally {
    sqlite.close();
    rmSync(folder, { recursive: true, force: true });
  }
  const table = await benchTable();
  try {
    rows.push(await measure('DynamoDB Local', new DynamoEventStore({ client: table.documentClient, tableName: table.tableName }), 200, 99));
  } finally {
    await table.close();
  }
  return rows;
}
