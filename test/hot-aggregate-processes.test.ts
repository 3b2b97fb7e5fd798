import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { Aggregate, Processor } from 'event-sourced-rules-engine';
import type { EventStore } from 'event-sourced-rules-engine';
import { DynamoEventStore, createEventStoreTable } from 'event-sourced-rules-engine/dynamodb';
import { SqliteEventStore } from 'event-sourced-rules-engine/sqlite';
import { useDynamoDBLocal } from './support/dynamodb-local.js';

const script = fileURLToPath(new URL('./support/hot-writer.ts', import.meta.url));

interface Outcome {
  landed: number;
  gaveUp: number;
  failures: string[];
}

function writer(args: string[]): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=esre-source', '--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as Outcome) : reject(new Error(`writer exited ${code}: ${err}`))));
  });
}

/** 4 processes, each appending 50 deposits of 1 to one aggregate, one at a time, with default options. */
async function fourProcesses(store: EventStore<{ balance: number }, { amount: number }>, args: (startAt: number) => string[]): Promise<void> {
  const startAt = Date.now() + 4000; // every process has loaded its modules by then
  const outcomes = await Promise.all(Array.from({ length: 4 }, () => writer(args(startAt))));
  expect(outcomes.flatMap((outcome) => outcome.failures)).to.deep.equal([]);
  expect(outcomes.map((outcome) => outcome.gaveUp), 'appends that gave up, per process').to.deep.equal([0, 0, 0, 0]);
  expect(outcomes.map((outcome) => outcome.landed)).to.deep.equal([50, 50, 50, 50]);
  const wallets = new Aggregate<{ balance: number }, { amount: number }>({
    type: 'WALLET',
    store,
    processor: new Processor<{ balance: number }, { amount: number }>({ DEPOSITED: (input) => ({ balance: input.state.balance + input.current.amount }) }, () => ({ balance: 0 })),
  });
  const snapshot = await wallets.get('hot');
  expect([snapshot.sequence, snapshot.state.balance]).to.deep.equal([200, 200]);
  let expected = 1;
  for await (const event of wallets.history('hot')) expect(event.sequence).to.equal(expected++);
}

describe('one hot aggregate, 4 processes × 50 appends, default options: none gives up', function () {
  this.timeout(600_000);

  it('SQLite file', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'esre-hot-'));
    const filename = join(folder, 'hot.db');
    const store = new SqliteEventStore<{ balance: number }, { amount: number }>({ filename });
    try {
      await fourProcesses(store, (startAt) => ['sqlite', filename, '50', '1', String(startAt)]);
    } finally {
      store.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });

  describe('DynamoDB Local', () => {
    const local = useDynamoDBLocal();
    it('DynamoDB Local', async () => {
      await createEventStoreTable(local().client, 'hot-processes');
      const store = new DynamoEventStore<{ balance: number }, { amount: number }>({ client: local().documentClient, tableName: 'hot-processes' });
      await fourProcesses(store, (startAt) => ['dynamodb', local().server.endpoint, 'hot-processes', '50', '1', String(startAt)]);
    });
  });
});
