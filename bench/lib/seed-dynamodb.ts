/**
 * Seeds a long history on DynamoDB Local quickly, in its own process (so the process that
 * measures never held it): `seed-dynamodb.ts <endpoint> <table> <aggregate id> <events>`.
 *
 * DynamoDB Local takes ~0.1–0.2 s per 100-item transaction, so 100,000 events appended through
 * the store would take minutes. Instead the items are made by the store's own commit planner
 * (`planCommit`, the exact items a commit writes) and written with concurrent BatchWriteItem
 * calls; the last snapshot item is the fold of all events. Deposits carry a memo of
 * {@link RECALCULATE_MEMO_LENGTH} characters. Reading them back through the store
 * is then the same as reading a history the store wrote.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { newId, type EventRecord, type Snapshot } from 'event-sourced-rules-engine';
import { planCommit } from '../../runtime/dynamodb/transaction.js';
import { DYNAMODB_LOCAL_CLIENT_CONFIG } from '../../test/support/dynamodb-local.js';
import { BatchWriter } from './batch-writer.js';
import { RECALCULATE_MEMO_LENGTH, accountProcessor, deposited, opened, type AccountPayload, type AccountState } from './account.js';

/** Events per planned commit: with the snapshot and (first commit) the listing item, 100 items, a transaction's limit. */
const CHUNK = 98;
const CONCURRENCY = 4;

/** Writes `total` events (OPENED, then deposits) and the matching snapshot for ACCOUNT `id`. */
export async function seedDynamoDB(endpoint: string, tableName: string, id: string, total: number): Promise<void> {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ ...DYNAMODB_LOCAL_CLIENT_CONFIG, endpoint }));
  const processor = accountProcessor();
  let state = processor.initialState();
  const writer = new BatchWriter(client, tableName, CONCURRENCY);
  for (let done = 0; done < total; ) {
    const size = Math.min(CHUNK, total - done);
    const events: EventRecord<AccountPayload>[] = Array.from({ length: size }, (_, offset) => {
      const sequence = done + offset + 1;
      const event = sequence === 1 ? opened() : deposited((sequence % 100) + 1, `deposit ${sequence}`, RECALCULATE_MEMO_LENGTH);
      return { ...event, aggregateType: 'ACCOUNT', aggregateId: id, sequence };
    });
    state = processor.run({ state, stateIndex: done, newEvents: events }).state;
    done += size;
    const snapshot: Snapshot<AccountState> = { aggregateType: 'ACCOUNT', aggregateId: id, sequence: done, state, updatedAt: new Date() };
    const actions = planCommit(
      { ref: { type: 'ACCOUNT', id }, expectedSequence: done - size, events, snapshot, indexPuts: [], indexDeletes: [], outbox: [] },
      { tableName, commitId: newId(), outboxExpiresAt: undefined },
    );
    for (const action of actions) {
      if (action.role === 'event') await writer.put(action.item);
      else if (done === total) await client.send(new PutCommand({ TableName: tableName, Item: action.item })); // the last snapshot
    }
  }
  await writer.flush();
  client.destroy();
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const [endpoint, tableName, id, count] = process.argv.slice(2);
  if (!endpoint || !tableName || !id || !count) throw new Error('usage: seed-dynamodb.ts <endpoint> <table> <id> <events>');
  await seedDynamoDB(endpoint, tableName, id, Number(count));
}
