/**
 * append on DynamoDB Local: the store's GetItem + TransactWriteItems against the same two calls
 * written with the raw SDK (same items, same sizes, same conditions), and the number of
 * requests per `append` and per `appendTo`.
 */
import { GetItemCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { newId, serialize, deserialize, type Snapshot } from 'event-sourced-rules-engine';
import { DYNAMO_TABLE_LAYOUT as L, DynamoEventStore, aggregatePartitionKey, eventSortKey } from 'event-sourced-rules-engine/dynamodb';
import { accountAggregate, deposited, opened, type AccountState } from '../lib/account.js';
import { benchTable } from '../lib/dynamodb.js';
import { ms } from '../lib/format.js';
import { countRequests } from '../lib/request-counter.js';
import { figureRow, pairedRow } from '../lib/rows.js';
import type { BenchRow } from '../lib/row.js';
import { interleaved } from '../lib/interleave.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 11);
const APPENDS_PER_ROUND = 100;

export default async function dynamodbAppendBench(): Promise<BenchRow[]> {
  const table = await benchTable();
  try {
    const { client, documentClient, tableName } = table;
    const counter = countRequests(client);
    const store = new DynamoEventStore<AccountState>({ client: documentClient, tableName });
    const account = accountAggregate(store);
    await account.append('via-store', opened());
    await account.append('via-sdk', opened());

    /** The baseline: read the snapshot item, fold the deposit by hand, write snapshot + event in one transaction. */
    const rawAppend = async (id: string) => {
      const pk = aggregatePartitionKey('ACCOUNT', id);
      const read = await client.send(
        new GetItemCommand({ TableName: tableName, Key: { [L.partitionKey]: { S: pk }, [L.sortKey]: { S: L.sortKeyPrefixes.snapshot } }, ConsistentRead: true }),
      );
      const before = deserialize<Snapshot<AccountState>>(read.Item![L.dataAttribute]!.S!);
      const event = deposited();
      const now = new Date();
      const sequence = before.sequence + 1;
      const record = { ...event, aggregateType: 'ACCOUNT', aggregateId: id, sequence };
      const payload = event.payload as { amount: number };
      const after: Snapshot<AccountState> = {
        aggregateType: 'ACCOUNT',
        aggregateId: id,
        sequence,
        state: { ...before.state, balance: before.state.balance + payload.amount, transactions: before.state.transactions + 1 },
        updatedAt: now,
      };
      const commitId = newId(now.getTime());
      await client.send(
        new TransactWriteItemsCommand({
          ClientRequestToken: commitId,
          TransactItems: [
            {
              Put: {
                TableName: tableName,
                Item: {
                  [L.partitionKey]: { S: pk },
                  [L.sortKey]: { S: L.sortKeyPrefixes.snapshot },
                  [L.kindAttribute]: { S: L.kinds.snapshot },
                  [L.sequenceAttribute]: { N: String(sequence) },
                  [L.commitAttribute]: { S: commitId },
                  [L.dataAttribute]: { S: serialize(after) },
                },
                ConditionExpression: '#seq = :expected',
                ExpressionAttributeNames: { '#seq': L.sequenceAttribute },
                ExpressionAttributeValues: { ':expected': { N: String(before.sequence) } },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            {
              Put: {
                TableName: tableName,
                Item: {
                  [L.partitionKey]: { S: pk },
                  [L.sortKey]: { S: eventSortKey(sequence) },
                  [L.kindAttribute]: { S: L.kinds.event },
                  [L.sequenceAttribute]: { N: String(sequence) },
                  [L.commitAttribute]: { S: commitId },
                  [L.dataAttribute]: { S: serialize(record) },
                },
              },
            },
          ],
        }),
      );
    };
    const viaStore = () => account.append('via-store', deposited());

    // Requests: measured on their own, before any timing.
    counter.reset();
    await viaStore();
    const appendOperations = [...counter.operations];
    const perAppend: number[] = [];
    for (let i = 0; i < 10; i++) {
      counter.reset();
      await viaStore();
      perAppend.push(counter.count);
    }
    const perAppendTo: number[] = [];
    let snapshot = await account.get('via-store');
    counter.reset();
    snapshot = (await account.appendTo(snapshot, deposited())).snapshot;
    const appendToOperations = [...counter.operations];
    for (let i = 0; i < 10; i++) {
      counter.reset();
      snapshot = (await account.appendTo(snapshot, deposited())).snapshot;
      perAppendTo.push(counter.count);
    }

    const { measured, baseline } = await interleaved({
      name: 'dynamodb append',
      rounds: ROUNDS,
      perRound: APPENDS_PER_ROUND,
      block: 10,
      warmup: 20,
      measured: viaStore,
      baseline: () => rawAppend('via-sdk'),
    });
    counter.detach();
    return [
      pairedRow({
        benchmark: 'append on DynamoDB Local (time per append)',
        measured,
        baseline,
        show: ms,
        target: { atMost: 1.15 },
        details: { appendsPerRound: APPENDS_PER_ROUND, rounds: ROUNDS, baselineIs: 'GetItem + TransactWriteItems with the raw SDK' },
      }),
      figureRow({
        benchmark: 'DynamoDB requests per append',
        samples: perAppend,
        unit: 'requests',
        measured: appendOperations.join(' + '),
        target: { exactly: 2 },
        details: { operations: appendOperations },
      }),
      figureRow({
        benchmark: 'DynamoDB requests per appendTo',
        samples: perAppendTo,
        unit: 'requests',
        measured: appendToOperations.join(' + '),
        target: { exactly: 1 },
        details: { operations: appendToOperations },
      }),
    ];
  } finally {
    await table.close();
  }
}
