/**
 * recalculateAll of 1,000 aggregates × 100 events on DynamoDB Local: concurrency 8 against
 * concurrency 1, aggregates per second. The runs alternate; each recalculates every aggregate.
 *
 * A second row accounts the CPU time of the concurrency-1 runs, on both sides of the
 * connection (this process and the DynamoDB Local server): when it is about the wall time, the
 * serial run is CPU-bound, and concurrency can at most spread that CPU time over the cores, so
 * the speed-up this machine allows is at most wall / (CPU / cores).
 */
import { DynamoEventStore } from 'event-sourced-rules-engine/dynamodb';
import { type AccountState, accountAggregate } from '../lib/account.js';
import { benchTable } from '../lib/dynamodb.js';
import type { BenchRow } from '../lib/row.js';
import { accountCpu, type CpuAccount, cores } from '../lib/process-cpu.js';
import { figureRow, pairedRow } from '../lib/rows.js';
import { seedAccounts } from '../lib/seed-accounts.js';
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
    // The items of two appends of 50 events per aggregate, written in batches (see seed-accounts.ts).
    const ids = Array.from({ length: AGGREGATES }, (_, index) => `account-${String(index).padStart(5, '0')}`);
    await seedAccounts({ client: table.documentClient, tableName: table.tableName, ids, events: EVENTS, commitSize: EVENTS / 2 });
    const seedSeconds = Math.round((Date.now() - started) / 1000);
    progress(`seeded ${AGGREGATES} aggregates × ${EVENTS} events in ${seedSeconds} s`);
    const serialAccounts: CpuAccount[] = [];
    const run = async (concurrency: number) => {
      const spent = await accountCpu(async () => {
        const result = await account.recalculateAll({ concurrency });
        if (result.recalculated !== AGGREGATES) throw new Error(`recalculated ${result.recalculated} of ${AGGREGATES}`);
      }, table.serverPid);
      if (concurrency === 1) serialAccounts.push(spent);
      return AGGREGATES / (spent.wallMs / 1000);
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
      ...ceilingRow(serialAccounts),
      pairedRow({
        benchmark: `recalculateAll of ${AGGREGATES.toLocaleString('en')} aggregates × ${EVENTS} events, DynamoDB Local: concurrency 8 vs 1`,
        measured,
        baseline,
        show: perSecond,
        target: { atLeast: 3 },
        details: { aggregates: AGGREGATES, eventsPerAggregate: EVENTS, rounds: ROUNDS, seedSeconds },
      }),
    ];
  } finally {
    await table.close();
  }
}

const perAggregate = (ms: number) => `${(ms / AGGREGATES).toFixed(1)} ms`;

/**
 * The CPU accounting of the concurrency-1 runs: CPU per aggregate (both processes) against wall
 * time per aggregate, and the largest speed-up the machine's cores allow for that CPU time.
 */
function ceilingRow(accounts: readonly CpuAccount[]): BenchRow[] {
  const known = accounts.filter((account) => account.serverCpuMs !== null);
  if (known.length === 0) return [];
  const ceilings = known.map((account) => account.wallMs / ((account.nodeCpuMs + account.serverCpuMs!) / cores));
  const last = known.at(-1)!;
  return [
    figureRow({
      benchmark: `recalculateAll at concurrency 1, CPU per aggregate (this process + DynamoDB Local) vs wall time: largest speed-up ${cores} core(s) allow`,
      samples: ceilings,
      unit: '×',
      measured: `CPU ${perAggregate(last.nodeCpuMs)} + ${perAggregate(last.serverCpuMs!)} of ${perAggregate(last.wallMs)} wall`,
      details: { cores, accounts: known },
    }),
  ];
}
