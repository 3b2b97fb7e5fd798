/**
 * append on SQLite (a file in the OS temp folder, default settings: `synchronous = FULL`) and on
 * IndexedDB (fake-indexeddb in Node), each against the memory store, measured in the same run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDBFactory as FakeFactory, IDBKeyRange as FakeKeyRange } from 'fake-indexeddb';
import { InMemoryEventStore, type EventStore } from 'event-sourced-rules-engine';
import { IndexedDBEventStore } from 'event-sourced-rules-engine/browser';
import { SqliteEventStore } from 'event-sourced-rules-engine/sqlite';
import { accountAggregate, deposited, opened } from '../lib/account.js';
import { ms } from '../lib/format.js';
import { interleaved } from '../lib/interleave.js';
import { pairedRow } from '../lib/rows.js';
import type { BenchRow } from '../lib/row.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

async function againstMemory(name: string, store: EventStore<any, any, any>, perRound: number): Promise<BenchRow> {
  const measuredAccount = accountAggregate(store);
  const memoryAccount = accountAggregate(new InMemoryEventStore());
  await measuredAccount.append('a', opened());
  await memoryAccount.append('a', opened());
  const { measured, baseline } = await interleaved({
    name,
    rounds: ROUNDS,
    perRound,
    measured: () => measuredAccount.append('a', deposited()),
    baseline: () => memoryAccount.append('a', deposited()),
  });
  return pairedRow({
    benchmark: `append on ${name} vs memory store (time per append)`,
    measured,
    baseline,
    show: ms,
    details: { appendsPerRound: perRound, rounds: ROUNDS },
  });
}

export default async function storesBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const folder = mkdtempSync(join(tmpdir(), 'esre-bench-stores-'));
  const sqlite = new SqliteEventStore({ filename: join(folder, 'bench.db') });
  try {
    rows.push(await againstMemory('SQLite', sqlite, 400));
  } finally {
    sqlite.close();
    rmSync(folder, { recursive: true, force: true });
  }
  const indexedDB = new IndexedDBEventStore({ name: 'bench', indexedDB: new FakeFactory(), IDBKeyRange: FakeKeyRange });
  try {
    rows.push(await againstMemory('IndexedDB (fake-indexeddb)', indexedDB, 1_000));
  } finally {
    await indexedDB.close();
  }
  return rows;
}
