import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type CorruptRecordListener, logCorruptRecord, readSkippingCorrupt } from '../corrupt.js';
import { StoreError } from '../errors.js';
import { newId } from '../ids.js';
import { checkCommitKeys, checkIndexQuery, checkKey, checkRef } from '../keys.js';
import { checkHistoryOptions, checkOutboxLimit } from '../options.js';
import { listingStart, pageOf } from '../listing.js';
import type {
  AggregateIdPage,
  AggregateRef,
  Commit,
  EventRecord,
  EventStore,
  HistoryOptions,
  IdempotencyRecord,
  ListAggregateIdsOptions,
  OutboxRecord,
  Snapshot,
  StoreLimits,
} from '../types.js';
import { type DynamoClientLike, toDocumentClient } from './client.js';
import {
  aggregateName,
  eventFromItem,
  idempotencyRecordFromItem,
  outboxRecordFromItem,
  snapshotFromIndexItem,
  snapshotFromItem,
} from './items.js';
import {
  DYNAMO_TABLE_LAYOUT as L,
  aggregatePartitionKey,
  eventSortKey,
  idempotencySortKey,
  indexPartitionKey,
  listingPartitionKey,
  outboxSortKey,
} from './layout.js';
import { DYNAMO_LIMITS } from './limits.js';
import { commitError, planCommit } from './transaction.js';

/** Options of {@link DynamoEventStore}. */
export interface DynamoEventStoreOptions {
  /** A DocumentClient, or a DynamoDBClient (wrapped in a DocumentClient). */
  readonly client: DynamoClientLike;
  /** The table, laid out as {@link DYNAMO_TABLE_LAYOUT} describes (see `createEventStoreTable`). */
  readonly tableName: string;
  /**
   * How long outbox records are kept, in seconds: their TTL attribute is set to the commit time
   * plus this (default 7 days). `null` writes no TTL attribute: records are kept forever.
   */
  readonly outboxRetentionSeconds?: number | null;
  /**
   * How long idempotency records are kept, in seconds (TTL attribute = commit time + this).
   * Default `null`: kept forever. After a record expires, a repeated idempotency key appends
   * again.
   */
  readonly idempotencyRetentionSeconds?: number | null;
  /** Events per history Query page when the caller gives no `pageSize` (default: as many as fit in DynamoDB's 1 MB page). */
  readonly historyPageSize?: number;
  /** Source of "now" for TTLs (tests may fix it). */
  readonly clock?: () => Date;
  /**
   * Called with each corrupt item skipped while listing pending outbox records or index entries,
   * so other aggregates keep working (default: one `console.error` line naming the item).
   */
  readonly onCorruptRecord?: CorruptRecordListener;
}

/** Default {@link DynamoEventStoreOptions.outboxRetentionSeconds}: 7 days. */
export const DEFAULT_OUTBOX_RETENTION_SECONDS = 7 * 24 * 60 * 60;

/** A retention option: a positive whole number of seconds, or null for none. */
function retentionOption(name: string, value: number | null | undefined, fallback: number | null): number | null {
  if (value === undefined) return fallback;
  if (value !== null && !(Number.isSafeInteger(value) && value > 0)) {
    throw new TypeError(`DynamoEventStore: ${name} must be a positive integer (seconds) or null, got ${value}`);
  }
  return value;
}

/** Concurrent UpdateItem calls of {@link DynamoEventStore.markPublished}. */
const MARK_CONCURRENCY = 16;

/**
 * An {@link EventStore} on one DynamoDB table (single-table layout: {@link DYNAMO_TABLE_LAYOUT}).
 *
 * Every commit is one `TransactWriteItems` call: inbound event puts, outbox record puts (with a
 * TTL attribute), the snapshot put conditional on the expected sequence, index copy puts and
 * deletes, and the idempotency record put conditional on the key being new. A failed snapshot
 * or idempotency condition is a `ConcurrencyError`; DynamoDB's limits (100 items and 4 MB per
 * transaction, 400 KB per item) are checked before sending, as `DynamoLimitError`s. Reads are
 * strongly consistent and follow `LastEvaluatedKey`.
 *
 * In production, outbox records reach EventBridge through the table's stream (only inserts of
 * items whose `_kind` is `outbox`). `pendingOutbox`/`markPublished` serve the polling relay
 * for local use: `pendingOutbox` scans the whole table, and `markPublished` removes the
 * `_pending` attribute (the records stay until their TTL).
 */
export class DynamoEventStore<TState = unknown, TInbound = unknown, TOutbound = unknown>
  implements EventStore<TState, TInbound, TOutbound>
{
  /** The DocumentClient used for every call. */
  readonly client: DynamoDBDocumentClient;
  /** The table every call goes to. */
  readonly tableName: string;
  /** One commit is one transaction: 100 items, 4 MB. */
  readonly limits: StoreLimits = { commitItems: DYNAMO_LIMITS.transactionItems, commitBytes: DYNAMO_LIMITS.transactionBytes };
  readonly #retention: number | null;
  readonly #idempotencyRetention: number | null;
  readonly #pageSize: number | undefined;
  readonly #clock: () => Date;
  readonly #onCorrupt: CorruptRecordListener;

  constructor(options: DynamoEventStoreOptions) {
    if (!options || typeof options.tableName !== 'string' || options.tableName === '') {
      throw new TypeError('DynamoEventStore: `tableName` must be a non-empty string');
    }
    this.client = toDocumentClient(options.client);
    this.tableName = options.tableName;
    this.#retention = retentionOption('outboxRetentionSeconds', options.outboxRetentionSeconds, DEFAULT_OUTBOX_RETENTION_SECONDS);
    this.#idempotencyRetention = retentionOption('idempotencyRetentionSeconds', options.idempotencyRetentionSeconds, null);
    if (options.historyPageSize !== undefined && !(Number.isSafeInteger(options.historyPageSize) && options.historyPageSize > 0)) {
      throw new TypeError(`DynamoEventStore: historyPageSize must be a positive integer, got ${options.historyPageSize}`);
    }
    this.#pageSize = options.historyPageSize;
    this.#clock = options.clock ?? (() => new Date());
    this.#onCorrupt = options.onCorruptRecord ?? logCorruptRecord;
  }

  /** Commits one change in one `TransactWriteItems` call; see {@link Commit}. */
  async commit(commit: Commit<TState, TInbound, TOutbound>): Promise<void> {
    checkCommitKeys(commit as Commit<unknown, unknown, unknown>);
    // Time-sortable and unique: orders pending outbox records by commit. Real time, not the
    // injectable clock, which only sets TTLs (ids made in this process must keep rising).
    const commitId = newId();
    const now = Math.floor(this.#clock().getTime() / 1000);
    const actions = planCommit(commit as Commit<unknown, unknown, unknown>, {
      tableName: this.tableName,
      commitId,
      outboxExpiresAt: this.#retention === null ? undefined : now + this.#retention,
      idempotencyExpiresAt: this.#idempotencyRetention === null ? undefined : now + this.#idempotencyRetention,
    });
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: actions.map((planned) => planned.action),
          // Makes the SDK's own retries of this call idempotent (DynamoDB remembers tokens for 10 minutes).
          ClientRequestToken: commitId,
        }),
      );
    } catch (error) {
      throw commitError(error, commit as Commit<unknown, unknown, unknown>, actions, this.tableName);
    }
  }

  /** The snapshot, read with a strongly consistent GetItem. */
  async loadSnapshot(ref: AggregateRef): Promise<Snapshot<TState> | undefined> {
    checkRef(ref);
    const item = await this.#get(ref, aggregatePartitionKey(ref.type, ref.id), L.sortKeyPrefixes.snapshot);
    return item && snapshotFromItem<TState>(item);
  }

  /** Inbound events in sequence order: a strongly consistent Query that follows `LastEvaluatedKey`. */
  async *readHistory(ref: AggregateRef, options: HistoryOptions = {}): AsyncIterable<EventRecord<TInbound>> {
    checkRef(ref);
    const checked = checkHistoryOptions(options);
    const after = checked.afterSequence;
    const pageSize = checked.pageSize ?? this.#pageSize;
    const input: QueryCommandInput = {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#pk': L.partitionKey, '#sk': L.sortKey },
      ExpressionAttributeValues: {
        ':pk': aggregatePartitionKey(ref.type, ref.id),
        ':from': eventSortKey(after + 1),
        ':to': L.sortKeyPrefixes.event + '9'.repeat(L.sequenceDigits),
      },
      ConsistentRead: true,
      ...(pageSize === undefined ? {} : { Limit: pageSize }),
    };
    for await (const item of this.#query(input, `the history of ${aggregateName(ref.type, ref.id)}`)) {
      yield eventFromItem<TInbound>(item);
    }
  }

  /** Snapshot copies under `key` in `index`, ordered by aggregate id: a strongly consistent Query of one partition. */
  async queryIndex(aggregateType: string, index: string, key: string): Promise<Snapshot<TState>[]> {
    checkIndexQuery(aggregateType, index, key);
    const input: QueryCommandInput = {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': L.partitionKey },
      ExpressionAttributeValues: { ':pk': indexPartitionKey(aggregateType, index, key) },
      ConsistentRead: true,
    };
    const snapshots: Snapshot<TState>[] = [];
    for await (const item of this.#query(input, `index ${index} = ${JSON.stringify(key)} of ${aggregateType}`)) {
      snapshots.push(...readSkippingCorrupt([item], this.#onCorrupt, (found) => snapshotFromIndexItem<TState>(found)));
    }
    // DynamoDB orders sort keys by UTF-8 bytes; order by JavaScript string comparison like every other store.
    return snapshots.sort((a, b) => (a.aggregateId < b.aggregateId ? -1 : a.aggregateId > b.aggregateId ? 1 : 0));
  }

  /** The idempotency record with this key, read with a strongly consistent GetItem. */
  async loadIdempotencyRecord(ref: AggregateRef, key: string): Promise<IdempotencyRecord<TState, TInbound, TOutbound> | undefined> {
    checkRef(ref);
    checkKey('idempotency key', key);
    const item = await this.#get(ref, aggregatePartitionKey(ref.type, ref.id), idempotencySortKey(key));
    return item && idempotencyRecordFromItem<TState, TInbound, TOutbound>(item);
  }

  /**
   * Ids of `aggregateType`, ascending (by UTF-8 bytes, i.e. code point): one strongly consistent
   * Query of the type's listing partition per page. Aggregates whose first commit predates
   * listing items appear once `backfillAggregateListing` has run.
   */
  async listAggregateIds(aggregateType: string, options?: ListAggregateIdsOptions): Promise<AggregateIdPage> {
    const { limit, after } = listingStart(aggregateType, options);
    const input: QueryCommandInput = {
      TableName: this.tableName,
      KeyConditionExpression: after === undefined ? '#pk = :pk' : '#pk = :pk AND #sk > :after',
      ExpressionAttributeNames: { '#pk': L.partitionKey, '#sk': L.sortKey },
      ExpressionAttributeValues: { ':pk': listingPartitionKey(aggregateType), ...(after === undefined ? {} : { ':after': after }) },
      ProjectionExpression: '#sk',
      ConsistentRead: true,
      Limit: limit + 1,
    };
    const ids: string[] = [];
    for await (const item of this.#query(input, `the aggregate ids of ${aggregateType}`)) {
      ids.push(String(item[L.sortKey]));
      if (ids.length > limit) break;
    }
    return pageOf(ids, limit);
  }

  /**
   * Outbox records still carrying the `_pending` attribute, oldest commit first, then by
   * position. This scans the whole table: it serves the polling relay in local development;
   * in production the table's stream publishes outbox records.
   */
  async pendingOutbox(options: { limit?: number } = {}): Promise<OutboxRecord<TOutbound>[]> {
    const limit = checkOutboxLimit(options);
    const pending: { commit: string; record: OutboxRecord<TOutbound> }[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const scan = new ScanCommand({
        TableName: this.tableName,
        FilterExpression: '#kind = :outbox AND attribute_exists(#pending)',
        ExpressionAttributeNames: { '#kind': L.kindAttribute, '#pending': L.pendingAttribute },
        ExpressionAttributeValues: { ':outbox': L.kinds.outbox },
        ConsistentRead: true,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      });
      const page = await this.#call(() => this.client.send(scan), 'listing pending outbox records');
      pending.push(
        ...readSkippingCorrupt(page.Items ?? [], this.#onCorrupt, (item) => ({
          commit: String(item[L.pendingAttribute]),
          record: outboxRecordFromItem<TOutbound>(item),
        })),
      );
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return pending
      .sort((a, b) => (a.commit < b.commit ? -1 : a.commit > b.commit ? 1 : a.record.position - b.record.position))
      .slice(0, limit)
      .map(({ record }) => record);
  }

  /** Removes the `_pending` attribute of these outbox records; records that do not exist are ignored. */
  async markPublished(records: readonly OutboxRecord<TOutbound>[]): Promise<void> {
    const queue = [...records];
    const worker = async () => {
      for (let record = queue.shift(); record; record = queue.shift()) await this.#markOne(record);
    };
    await Promise.all(Array.from({ length: Math.min(MARK_CONCURRENCY, queue.length) }, worker));
  }

  async #markOne(record: OutboxRecord<TOutbound>): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: {
            [L.partitionKey]: aggregatePartitionKey(record.aggregateType, record.aggregateId),
            [L.sortKey]: outboxSortKey(record.sequence, record.position),
          },
          UpdateExpression: 'REMOVE #pending',
          ConditionExpression: '#kind = :outbox',
          ExpressionAttributeNames: { '#pending': L.pendingAttribute, '#kind': L.kindAttribute },
          ExpressionAttributeValues: { ':outbox': L.kinds.outbox },
        }),
      );
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return; // no such record
      throw this.#error(error, `marking outbox record ${record.id} published`);
    }
  }

  async #get(ref: AggregateRef, pk: string, sk: string): Promise<Record<string, unknown> | undefined> {
    const output = await this.#call(
      () => this.client.send(new GetCommand({ TableName: this.tableName, Key: { [L.partitionKey]: pk, [L.sortKey]: sk }, ConsistentRead: true })),
      `reading ${aggregateName(ref.type, ref.id)}`,
    );
    return output.Item;
  }

  async *#query(input: QueryCommandInput, what: string): AsyncIterable<Record<string, unknown>> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const query = new QueryCommand(startKey ? { ...input, ExclusiveStartKey: startKey } : input);
      const page = await this.#call(() => this.client.send(query), `reading ${what}`);
      yield* page.Items ?? [];
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  async #call<T>(run: () => Promise<T>, what: string): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw this.#error(error, what);
    }
  }

  #error(error: unknown, what: string): StoreError {
    const name = (error as { name?: string } | null)?.name;
    const message = (error as { message?: string } | null)?.message ?? String(error);
    if (name === 'ResourceNotFoundException') {
      return new StoreError(`DynamoEventStore: table ${JSON.stringify(this.tableName)} not found while ${what} (${message})`, { cause: error });
    }
    return new StoreError(`DynamoEventStore: failed ${what}: ${name ? `${name}: ` : ''}${message}`, { cause: error });
  }
}
