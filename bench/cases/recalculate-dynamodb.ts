/**
 * recalculate of 100,000 events on DynamoDB Local: RSS growth over the RSS before it starts.
 * The history is written by a separate process, so this one never held it.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoEventStore } from 'event-sourced-rules-engine/dynamodb';
import { benchTable } from '../lib/dynamodb.js';
import { recalculateRow } from '../lib/recalculate.js';
import type { BenchRow } from '../lib/row.js';
import { progress } from '../lib/time.js';

const EVENTS = Number(process.env.BENCH_RECALCULATE_EVENTS ?? 100_000);

function seedInChildProcess(endpoint: string, tableName: string, id: string, events: number): Promise<void> {
  const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'lib', 'seed-dynamodb.ts');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=esre-source', '--import', 'tsx', script, endpoint, tableName, id, String(events)], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`seeding exited with code ${code}`))));
  });
}

export default async function recalculateDynamoBench(): Promise<BenchRow[]> {
  const table = await benchTable();
  try {
    const started = Date.now();
    await seedInChildProcess(table.endpoint, table.tableName, 'long', EVENTS);
    await seedInChildProcess(table.endpoint, table.tableName, 'warm-up', 2_000);
    progress(`seeded ${EVENTS} events in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return [
      await recalculateRow({
        benchmark: 'recalculate 100,000 events, DynamoDB Local (RSS growth)',
        store: new DynamoEventStore({ client: table.documentClient, tableName: table.tableName }),
        id: 'long',
        warmupId: 'warm-up',
        events: EVENTS,
        rounds: Number(process.env.BENCH_ROUNDS ?? 3),
        contrastWholeLoad: true,
      }),
    ];
  } finally {
    await table.close();
  }
}
