/**
 * Child process of the cross-process hot-aggregate test: one process of several appending to
 * one aggregate with default options. Prints one JSON line: how many appends landed and how
 * many gave up with ConcurrencyError.
 *
 *   node --conditions=esre-source --import tsx hot-writer.ts sqlite <file> <appends> <writers> <startAt>
 *   node --conditions=esre-source --import tsx hot-writer.ts dynamodb <endpoint> <table> <appends> <writers> <startAt>
 */
import { Aggregate, ConcurrencyError, Processor, createEvent, type EventStore } from 'event-sourced-rules-engine';

interface Wallet {
  balance: number;
}
type Deposit = { amount: number };

async function openStore(args: string[]): Promise<{ store: EventStore<Wallet, Deposit>; rest: string[]; close: () => void }> {
  const [kind, ...rest] = args;
  if (kind === 'sqlite') {
    const { SqliteEventStore } = await import('event-sourced-rules-engine/sqlite');
    const store = new SqliteEventStore<Wallet, Deposit>({ filename: rest[0]! });
    return { store, rest: rest.slice(1), close: () => store.close() };
  }
  if (kind === 'dynamodb') {
    const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
    const { DynamoEventStore } = await import('event-sourced-rules-engine/dynamodb');
    const client = new DynamoDBClient({ endpoint: rest[0]!, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    return { store: new DynamoEventStore<Wallet, Deposit>({ client, tableName: rest[1]! }), rest: rest.slice(2), close: () => client.destroy() };
  }
  throw new Error(`unknown store ${kind}`);
}

const { store, rest, close } = await openStore(process.argv.slice(2));
const [appends, writers, startAt] = rest.map(Number) as [number, number, number];
const wallets = new Aggregate<Wallet, Deposit>({
  type: 'WALLET',
  store,
  processor: new Processor<Wallet, Deposit>({ DEPOSITED: (input) => ({ balance: input.state.balance + input.current.amount }) }, () => ({ balance: 0 })),
});
await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - Date.now())));
let landed = 0;
let gaveUp = 0;
const failures: string[] = [];
let next = 0;
const writer = async () => {
  while (next < appends) {
    next++;
    try {
      await wallets.append('hot', createEvent('DEPOSITED', { amount: 1 }));
      landed++;
    } catch (error) {
      if (error instanceof ConcurrencyError) gaveUp++;
      else failures.push(String(error));
    }
  }
};
await Promise.all(Array.from({ length: writers }, writer));
close();
process.stdout.write(`${JSON.stringify({ landed, gaveUp, failures })}\n`);
