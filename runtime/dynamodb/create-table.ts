import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  type TableDescription,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import type { DynamoClientLike } from './client.js';
import { DYNAMO_TABLE_LAYOUT as L } from './layout.js';

/** Options of {@link createEventStoreTable}. */
export interface CreateEventStoreTableOptions {
  /** Do nothing when the table exists already (default false: that is an error). */
  readonly ifNotExists?: boolean;
  /** Enable the stream (NEW_IMAGE) the outbox publisher reads (default true). */
  readonly stream?: boolean;
  /** Enable TTL on the TTL attribute (default true). */
  readonly timeToLive?: boolean;
  /** How long to wait for the table to become ACTIVE, in ms (default 60 000). */
  readonly timeoutMs?: number;
}

/**
 * Creates a table laid out for {@link DynamoEventStore}, from {@link DYNAMO_TABLE_LAYOUT}:
 * string keys `_pk` (partition) and `_sk` (sort), on-demand billing, a stream with new images,
 * and TTL on `_ttl`. Waits until the table is ACTIVE and returns its description. For tests
 * and local development (DynamoDB Local); deploy production tables with the CDK constructs.
 */
export async function createEventStoreTable(
  client: DynamoClientLike,
  tableName: string,
  options: CreateEventStoreTableOptions = {},
): Promise<TableDescription> {
  // A DocumentClient shares its DynamoDBClient's middleware, so it sends plain commands too.
  const low = client as DynamoDBClient;
  const input: CreateTableCommandInput = {
    TableName: tableName,
    AttributeDefinitions: [
      { AttributeName: L.partitionKey, AttributeType: 'S' },
      { AttributeName: L.sortKey, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: L.partitionKey, KeyType: 'HASH' },
      { AttributeName: L.sortKey, KeyType: 'RANGE' },
    ],
    BillingMode: 'PAY_PER_REQUEST',
    ...(options.stream === false ? {} : { StreamSpecification: { StreamEnabled: true, StreamViewType: L.streamViewType } }),
  };
  try {
    await low.send(new CreateTableCommand(input));
  } catch (error) {
    if (!(options.ifNotExists && (error as { name?: string }).name === 'ResourceInUseException')) throw error;
  }
  const description = await waitUntilActive(low, tableName, options.timeoutMs ?? 60_000);
  if (options.timeToLive !== false) {
    try {
      await low.send(
        new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { Enabled: true, AttributeName: L.ttlAttribute } }),
      );
    } catch (error) {
      // An existing table (ifNotExists) may have TTL enabled already.
      if (!(options.ifNotExists && /already enabled/i.test((error as Error).message ?? ''))) throw error;
    }
  }
  return description;
}

async function waitUntilActive(client: DynamoDBClient, tableName: string, timeoutMs: number): Promise<TableDescription> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return Table;
    if (Date.now() > deadline) {
      throw new Error(`createEventStoreTable: ${tableName} is still ${Table?.TableStatus} after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
