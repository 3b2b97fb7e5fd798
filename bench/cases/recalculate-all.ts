/**
 * recalculateAll of 1,000 aggregates × 100 events on DynamoDB Local: concurrency 8 against
 * concurrency 1, aggregates per second. The runs alternate; each recalculates every aggregate.
 */
import { DynamoEventStore } from 'event-sourced-rules-engine/dynamodb';
import { type AccountState, accountAggregate, deposited, opened } from '../lib/account.js';
import { benchTable } from '../lib/dynamodb.js';
import { pairedRow } from '../lib/rows.js';
import type { BenchRow } from '../lib/row.js';
import { progress } from '../lib/time.js';

const AGGREGATES = Number(process.env.BENCH_RECALCULATE_ALL_AGGREGATES ?? 1_000);
const EVENTS = 100;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

const perSecond = (value: number) => `${value.toFixed(0)} aggregates/s`;

export default async function recalculateAllBench(): Promise<BenchRow[]> {
  const table = await benchTable();
  try {
    const store = new DynamoEventStore<AccountState>({ client: table.documentClient, tableName: table.tableName });
    const account = accountAggregate(store);
    const started = Date.now();
    let next = 0;
    const seeder = async () => {
      while (next < AGGREGATES) {
        const id = `account-${String(next++).padStart(5, '0')}`;
        await account.append(id, opened(), ...Array.from({ length: EVENTS / 2 - 1 }, () => deposited()));
        await account.append(id, ...Array.from({ length: EVENTS / 2 }, () => deposited()));
      }
    };
    await Promise.all(Array.from({ length: 16 }, seeder));
    progress(`seeded ${AGGREGATES} aggregates × ${EVENTS} events in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    const run = async (concurrency: number) => {
      const begun = performance.now();
      const result = await account.recalculateAll({ concurrency });
      if (result.recalculated !== AGGREGATES) throw new Error(`recalculated ${result.recalculated} of ${AGGREGATES}`);
      return AGGREGATES / ((performance.now() - begun) / 1000);
    };
    const measured: number[] = [];
    const baseline: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const parallel = round % 2 === 0 ? await run(8) : 0;
      const serial = await run(1);
      measured.push(round % 2 === 0 ? parallel : await run(8));
      baseline.push(serial);
      progress(`recalculateAll round ${round + 1}: ${perSecond(measured.at(-1)!)} at concurrency 8, ${perSecond(serial)} at 1`);
    }
    return [
      pairedRow({
        benchmark: `recalculateAll of ${AGGREGATES.toLocaleString('en')} aggregates × ${EVENTS} events, DynamoDB Local: concurrency 8 vs 1`,
        measured,
        baseline,
        show: perSecond,
        target: { atLeast: 3 },
        details: { aggregates: AGGREGATES, eventsPerAggregate: EVENTS, rounds: ROUNDS },
      }),
    ];
  } finally {
    await table.close();
  }
}
