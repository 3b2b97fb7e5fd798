/**
 * The one-off backfill of listing items for a table written before they existed: one Scan of
 * the table, and a listing item for every snapshot found.
 */
import { BatchWriteCommand, type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { newId } from '../ids.js';
import { type DynamoClientLike, toDocumentClient } from './client.js';
import { listingItem } from './items.js';
import { DYNAMO_TABLE_LAYOUT as L, parseAggregatePartitionKey } from './layout.js';

/** Progress of {@link backfillAggregateListing}, reported after every Scan page. */
export interface BackfillProgress {
  /** Items the Scan has read so far. */
  readonly scanned: number;
  /** Listing items written so far (one per snapshot). */
  readonly listed: number;
}

/** Options of {@link backfillAggregateListing}. */
export interface BackfillListingOptions {
  /** Called after every Scan page. */
  readonly onProgress?: (progress: BackfillProgress) => void;
  /** Stops after the current page when aborted; run again to finish (it is idempotent). */
  readonly signal?: AbortSignal;
}

/** BatchWriteItem takes at most 25 puts. */
const BATCH = 25;

/**
 * Writes the listing item of every aggregate that has a snapshot, so `listAggregateIds` finds
 * aggregates created before listing items existed. Scans the table once (reading only snapshot
 * items' keys) and puts listing items in batches of 25; safe to run while the application
 * writes (a listing item is the same whoever writes it) and to run again. Returns the totals.
 */
export async function backfillAggregateListing(
  client: DynamoClientLike,
  tableName: string,
  options: BackfillListingOptions = {},
): Promise<BackfillProgress> {
  const documents = toDocumentClient(client);
  let scanned = 0;
  let listed = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    options.signal?.throwIfAborted();
    const page = await documents.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: '#kind = :snapshot',
        ProjectionExpression: '#pk',
        ExpressionAttributeNames: { '#kind': L.kindAttribute, '#pk': L.partitionKey },
        ExpressionAttributeValues: { ':snapshot': L.kinds.snapshot },
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    scanned += page.ScannedCount ?? 0;
    const commitId = newId();
    const items = (page.Items ?? []).flatMap((item) => {
      const ref = parseAggregatePartitionKey(String(item[L.partitionKey]));
      return ref ? [listingItem(ref.type, ref.id, commitId)] : [];
    });
    for (let start = 0; start < items.length; start += BATCH) await putAll(documents, tableName, items.slice(start, start + BATCH));
    listed += items.length;
    options.onProgress?.({ scanned, listed });
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return { scanned, listed };
}

/** One BatchWriteItem, repeated with backoff for what DynamoDB leaves unprocessed. */
async function putAll(client: DynamoDBDocumentClient, tableName: string, items: Record<string, unknown>[]): Promise<void> {
  let requests = items.map((Item) => ({ PutRequest: { Item } }));
  for (let attempt = 0; requests.length > 0; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 20 * 2 ** attempt)));
    const output = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
    requests = (output.UnprocessedItems?.[tableName] ?? []) as typeof requests;
  }
}
