/**
 * The recalculateAll benchmark seeds its 1,000 aggregates with BatchWriteItem instead of
 * appending them (bench/lib/seed-accounts.ts): what it writes must be exactly what the appends
 * would have written, item for item, so the benchmark measures the same recalculation.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'chai';
import { createEventStoreTable, DynamoEventStore } from 'event-sourced-rules-engine/dynamodb';
import { type AccountState, accountAggregate, deposited, opened } from '../bench/lib/account.js';
import { seedAccounts } from '../bench/lib/seed-accounts.js';
import { useDynamoDBLocal } from './support/dynamodb-local.js';

const IDS = ['account-00000', 'account-00001', 'account-00002'];
const EVENTS = 100;

/** Every item of a table, sorted by key, with the values that differ from run to run (ids, times, commit ids) blanked. */
async function comparableItems(local: ReturnType<ReturnType<typeof useDynamoDBLocal>>, tableName: string): Promise<unknown[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await local.documentClient.send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  const blank = (key: string, value: unknown) => (['id', 'occurredAt', 'updatedAt'].includes(key) ? '…' : value);
  return items
    .map((item): Record<string, unknown> => ({
      ...item,
      ...('_commit' in item ? { _commit: '…' } : {}),
      ...('_data' in item ? { _data: JSON.parse(String(item._data), blank) } : {}),
    }))
    .sort((a, b) => `${String(a._pk)} ${String(a._sk)}`.localeCompare(`${String(b._pk)} ${String(b._sk)}`));
}

describe('bench seeding of many aggregates (bench/lib/seed-accounts.ts)', function () {
  this.timeout(120_000);
  const local = useDynamoDBLocal();

  it('writes, item for item, what two appends of 50 events per aggregate write', async () => {
    const [appended, seeded] = [`bench-seed-appended-${process.pid}`, `bench-seed-batched-${process.pid}`];
    await createEventStoreTable(local().client, appended);
    await createEventStoreTable(local().client, seeded);
    const account = accountAggregate(new DynamoEventStore<AccountState>({ client: local().documentClient, tableName: appended }));
    for (const id of IDS) {
      await account.append(id, opened(), ...Array.from({ length: EVENTS / 2 - 1 }, () => deposited()));
      await account.append(id, ...Array.from({ length: EVENTS / 2 }, () => deposited()));
    }
    await seedAccounts({ client: local().documentClient, tableName: seeded, ids: IDS, events: EVENTS, commitSize: EVENTS / 2 });

    const expected = await comparableItems(local(), appended);
    expect(expected).to.have.length(IDS.length * (EVENTS + 2)); // events, snapshot and listing item per aggregate
    expect(await comparableItems(local(), seeded)).to.deep.equal(expected);
  });

  it('leaves aggregates that recalculateAll lists and recalculates to the state the appends give', async () => {
    const tableName = `bench-seed-recalculated-${process.pid}`;
    await createEventStoreTable(local().client, tableName);
    await seedAccounts({ client: local().documentClient, tableName, ids: IDS, events: EVENTS, commitSize: EVENTS / 2, concurrency: 2 });
    const account = accountAggregate(new DynamoEventStore<AccountState>({ client: local().documentClient, tableName }));
    const result = await account.recalculateAll({ concurrency: 2 });
    expect(result.recalculated).to.equal(IDS.length);
    const snapshot = await account.get(IDS[1]!);
    expect([snapshot.sequence, snapshot.state]).to.deep.equal([EVENTS, { owner: 'Ada Lovelace', balance: 10 * (EVENTS - 1), transactions: EVENTS - 1 }]);
  });
});
