/**
 * Seeds many ACCOUNT aggregates on DynamoDB Local with the items their appends would have
 * committed, written with BatchWriteItem instead of one transaction per append (DynamoDB Local
 * writes them several times faster): for each aggregate, the commits of `commitSize` events each
 * (OPENED, then deposits) are planned by the store's own commit planner (`planCommit`), and
 * their event items, the listing item and the last commit's snapshot are put. Reading them
 * back through the store is then the same as reading what `Aggregate.append` wrote.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { newId, type EventRecord, type Snapshot } from 'event-sourced-rules-engine';
import { planCommit } from '../../runtime/dynamodb/transaction.js';
import { accountProcessor, deposited, opened, type AccountPayload, type AccountState } from './account.js';
import { BatchWriter } from './batch-writer.js';

/** What to seed. */
export interface SeedAccountsOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly ids: readonly string[];
  /** Events per aggregate: one OPENED, then deposits. */
  readonly events: number;
  /** Events per planned commit (the appends the items stand for). */
  readonly commitSize: number;
  /** BatchWriteItem calls in flight (default 8). */
  readonly concurrency?: number;
}

/** Writes the items of every aggregate's commits; resolves when all are stored. */
export async function seedAccounts(options: SeedAccountsOptions): Promise<void> {
  const { client, tableName, events: total, commitSize } = options;
  const processor = accountProcessor();
  const writer = new BatchWriter(client, tableName, options.concurrency ?? 8);
  for (const id of options.ids) {
    let state = processor.initialState();
    for (let done = 0; done < total; ) {
      const size = Math.min(commitSize, total - done);
      const events: EventRecord<AccountPayload>[] = Array.from({ length: size }, (_, offset) => {
        const sequence = done + offset + 1;
        return { ...(sequence === 1 ? opened() : deposited()), aggregateType: 'ACCOUNT', aggregateId: id, sequence, schemaVersion: 1 };
      });
      state = processor.run({ state, stateIndex: done, newEvents: events }).state;
      const snapshot: Snapshot<AccountState> = {
        aggregateType: 'ACCOUNT',
        aggregateId: id,
        sequence: done + size,
        state,
        updatedAt: new Date(),
        stateVersion: 1,
        rulesVersion: 1,
      };
      const actions = planCommit(
        { ref: { type: 'ACCOUNT', id }, expectedSequence: done, events, snapshot, indexPuts: [], indexDeletes: [], outbox: [] },
        { tableName, commitId: newId(), outboxExpiresAt: undefined },
      );
      done += size;
      // A later commit's snapshot replaces this one's: put only the last.
      await writer.put(...actions.filter((action) => action.role !== 'snapshot' || done === total).map((action) => action.item));
    }
  }
  await writer.flush();
}
