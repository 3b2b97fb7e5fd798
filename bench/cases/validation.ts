/**
 * append with zod validation on, against the same append with validation off (memory store,
 * where the store itself costs least, so validation's share shows most). Validation parses the
 * new payloads only, never stored events: the parses per append are counted too.
 */
import { InMemoryEventStore, type SchemaLike } from 'event-sourced-rules-engine';
import { Aggregate } from 'event-sourced-rules-engine';
import { accountProcessor, accountSchemas, deposited, opened, type AccountPayload, type AccountState } from '../lib/account.js';
import { ms } from '../lib/format.js';
import { interleaved } from '../lib/interleave.js';
import { pairedRow } from '../lib/rows.js';
import type { BenchRow } from '../lib/row.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const PER_ROUND = 20_000;

export default async function validationBench(): Promise<BenchRow[]> {
  let parses = 0;
  // The zod schemas, each wrapped to count its parses.
  const counted: Record<string, SchemaLike> = {};
  for (const [type, schema] of Object.entries(accountSchemas.inbound)) {
    counted[type] = {
      safeParse(value: unknown) {
        parses++;
        return schema.safeParse(value) as ReturnType<SchemaLike['safeParse']>;
      },
    };
  }
  const make = (validate: boolean) =>
    new Aggregate<AccountState, AccountPayload, never>({
      type: 'ACCOUNT',
      store: new InMemoryEventStore(),
      processor: accountProcessor(),
      retry: false,
      ...(validate ? { schemas: { inbound: counted } } : {}),
    });
  const validated = make(true);
  const plain = make(false);
  await validated.append('a', opened());
  await plain.append('a', opened());
  const { measured, baseline } = await interleaved({
    name: 'validation',
    rounds: ROUNDS,
    perRound: PER_ROUND,
    measured: () => validated.append('a', deposited()),
    baseline: () => plain.append('a', deposited()),
  });
  const appends = (await validated.get('a')).sequence;
  return [
    pairedRow({
      benchmark: `append with zod validation on vs off (memory store; ${parses / appends} payload parse per append)`,
      measured,
      baseline,
      show: ms,
      details: { appendsPerRound: PER_ROUND, rounds: ROUNDS, parsesPerAppend: parses / appends, historyAtEnd: appends },
    }),
  ];
}
