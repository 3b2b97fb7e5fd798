/**
 * The account example: runs a scenario against the generated AccountAggregate on a SQLite file
 * and prints the state, the outbound events and an index query. Run it twice: the second run
 * starts from the state the first one left in .data/accounts.sqlite.
 *
 *   npm run example          (from the repository root: generates, then runs this)
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SqliteEventStore } from 'event-sourced-rules-engine/sqlite';
import { ValidationError } from 'event-sourced-rules-engine';
import { AccountAggregate } from './src/generated/account/aggregate.js';
import { AccountEvents } from './src/generated/account/events.js';
import type { AccountInbound, AccountOutbound, AccountState } from './src/generated/account/types.js';

const dataDir = new URL('./.data/', import.meta.url);
mkdirSync(dataDir, { recursive: true });
const store = new SqliteEventStore<AccountState, AccountInbound, AccountOutbound>({
  filename: fileURLToPath(new URL('accounts.sqlite', dataDir)),
});
const accounts = new AccountAggregate({ store });
const id = 'account-1';

try {
  const before = await accounts.get(id);
  console.log(`account ${id}: sequence ${before.sequence} before this run`);

  if (before.sequence === 0) {
    await accounts.append(id, AccountEvents.accountOpened({ owner: 'Ada', email: 'ada@example.com', overdraftLimit: 50 }));
  }
  // Each run moves the email between two addresses, so the index query shows the move.
  const newEmail = before.state.email === 'ada.lovelace@example.com' ? 'ada@example.com' : 'ada.lovelace@example.com';
  const result = await accounts.append(
    id,
    AccountEvents.moneyDeposited({ amount: 100 }),
    AccountEvents.moneyWithdrawn({ amount: 120 }),
    AccountEvents.moneyWithdrawn({ amount: 1000 }), // beyond the overdraft limit: rejected
    AccountEvents.emailChanged({ email: newEmail }),
  );

  console.log('\nstate:');
  console.log(JSON.stringify(result.snapshot.state, null, 2));
  console.log('\noutbound events of this run:');
  for (const event of result.outbound) console.log(`  ${event.type} ${JSON.stringify(event.payload)}`);

  const found = await accounts.queryByEmail(newEmail);
  console.log(`\nqueryByEmail(${JSON.stringify(newEmail)}): ${found.map((snapshot) => `${snapshot.aggregateId} (balance ${snapshot.state.balance})`).join(', ') || 'none'}`);
  const oldEmail = newEmail === 'ada@example.com' ? 'ada.lovelace@example.com' : 'ada@example.com';
  console.log(`queryByEmail(${JSON.stringify(oldEmail)}): ${(await accounts.queryByEmail(oldEmail)).length} accounts`);

  try {
    await accounts.append(id, AccountEvents.moneyDeposited({ amount: -5 }));
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    console.log(`\nan invalid deposit is refused before anything is written: ${error.message}`);
  }

  const after = await accounts.get(id);
  console.log(`\naccount ${id}: sequence ${after.sequence} after this run (stored in .data/accounts.sqlite)`);
} finally {
  store.close();
}
