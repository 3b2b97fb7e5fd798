/**
 * The single-table layout of {@link DynamoEventStore}: key names, item kinds, sort-key
 * prefixes and the TTL attribute. The CDK constructs and the DynamoDB Streams handler read
 * these names from here, so the table, the store and the stream consumers agree.
 *
 * | item           | `_pk`                                   | `_sk`                                     | `_kind`        |
 * | -------------- | --------------------------------------- | ----------------------------------------- | -------------- |
 * | snapshot       | `<type>#<id>`                           | `SNAPSHOT`                                | `snapshot`     |
 * | inbound event  | `<type>#<id>`                           | `EVENT#<sequence, 12 digits>`             | `event`        |
 * | outbox record  | `<type>#<id>`                           | `OUTBOX#<sequence, 12 digits>#<position, 4 digits>` | `outbox` |
 * | idempotency    | `<type>#<id>`                           | `IDEMPOTENCY#<key>`                       | `idempotency`  |
 * | index copy     | `INDEX#<type>#<index>#<key>`            | `<aggregate id>`                          | `index`        |
 * | listing        | `LIST#<type>#<shard>` (shard: `0`)      | `<aggregate id>`                          | `listing`      |
 *
 * A listing item is written in the same transaction as an aggregate's first commit; the items
 * of one type's listing partition, read in sort-key order, are `listAggregateIds`. Tables
 * written before listing items existed get them once from `backfillAggregateListing`.
 *
 * In `_pk`, every part (type, id, index name, index key) has `%` written as `%25` and `#` as
 * `%23`, so `#` only ever separates parts and two different aggregates or index keys can never
 * share a partition key: an aggregate's partition key has one separator, a listing partition's
 * two, an index partition's three. Values (state, payloads, metadata) live in one JSON string attribute,
 * `_data`, never next to the store's own attributes, so a state field may have any name.
 */
export const DYNAMO_TABLE_LAYOUT = {
  /** Partition key attribute (string). */
  partitionKey: '_pk',
  /** Sort key attribute (string). */
  sortKey: '_sk',
  /** Which kind of item this is: one of {@link DYNAMO_TABLE_LAYOUT.kinds}. */
  kindAttribute: '_kind',
  /** The stored value as JSON (dates tagged as `{"$date": "<ISO>"}`, see `toPlain`). */
  dataAttribute: '_data',
  /** Aggregate sequence (number): of the snapshot, of an event, of the commit that wrote an outbox record. */
  sequenceAttribute: '_seq',
  /** Id of the commit that wrote the item (26-character, time-sortable). */
  commitAttribute: '_commit',
  /**
   * Present on outbox records that were not yet marked published (holds the commit id). Only
   * the polling relay (`pendingOutbox`/`markPublished`) uses it; the stream path ignores it.
   */
  pendingAttribute: '_pending',
  /**
   * Expiry time, epoch seconds (number), of outbox records and (when configured) idempotency
   * records; enable TTL on this attribute. Snapshots, events and index copies never have it.
   */
  ttlAttribute: '_ttl',
  /** Values of {@link DYNAMO_TABLE_LAYOUT.kindAttribute}. */
  kinds: {
    snapshot: 'snapshot',
    event: 'event',
    outbox: 'outbox',
    index: 'index',
    idempotency: 'idempotency',
    listing: 'listing',
  },
  /** Sort-key prefixes of the items stored under an aggregate's partition key. */
  sortKeyPrefixes: {
    snapshot: 'SNAPSHOT',
    event: 'EVENT#',
    outbox: 'OUTBOX#',
    idempotency: 'IDEMPOTENCY#',
  },
  /** Partition-key prefix of index copies. */
  indexPartitionPrefix: 'INDEX#',
  /** Partition-key prefix of listing items. */
  listingPartitionPrefix: 'LIST#',
  /** The shard of a type's listing partition (one shard today; the key leaves room for more). */
  listingShard: '0',
  /** Separator of the parts of a key. */
  separator: '#',
  /** Digits of the zero-padded sequence in sort keys. */
  sequenceDigits: 12,
  /** Digits of the zero-padded outbox position in sort keys. */
  positionDigits: 4,
  /** The stream view the outbox publisher needs. */
  streamViewType: 'NEW_IMAGE',
} as const;

/** The type of {@link DYNAMO_TABLE_LAYOUT}. */
export type DynamoTableLayout = typeof DYNAMO_TABLE_LAYOUT;

/** The kinds of items in the table. */
export type DynamoItemKind = (typeof DYNAMO_TABLE_LAYOUT.kinds)[keyof typeof DYNAMO_TABLE_LAYOUT.kinds];

/**
 * A DynamoDB Streams / Lambda event-source filter pattern that passes only newly inserted
 * outbox records: `{ eventName: ["INSERT"], dynamodb: { NewImage: { _kind: { S: ["outbox"] } } } }`.
 * Use it as `FilterCriteria.Filters[].Pattern` (JSON-encoded) or with CDK's `FilterCriteria.filter`.
 */
export const OUTBOX_INSERT_FILTER_PATTERN = {
  eventName: ['INSERT'],
  dynamodb: {
    NewImage: {
      [DYNAMO_TABLE_LAYOUT.kindAttribute]: { S: [DYNAMO_TABLE_LAYOUT.kinds.outbox] },
    },
  },
} as const;

const L = DYNAMO_TABLE_LAYOUT;

/** Escapes one key part so it contains no separator: `%` → `%25`, `#` → `%23`. */
export function escapeKeyPart(part: string): string {
  return part.replace(/%/g, '%25').replace(/#/g, '%23');
}

/** Partition key of an aggregate's own items (snapshot, events, outbox, idempotency). */
export function aggregatePartitionKey(aggregateType: string, aggregateId: string): string {
  return escapeKeyPart(aggregateType) + L.separator + escapeKeyPart(aggregateId);
}

/** Partition key of the index copies filed under `key` in `index` of `aggregateType`. */
export function indexPartitionKey(aggregateType: string, index: string, key: string): string {
  return L.indexPartitionPrefix + [aggregateType, index, key].map(escapeKeyPart).join(L.separator);
}

/** Partition key of the listing items of `aggregateType`. */
export function listingPartitionKey(aggregateType: string): string {
  return L.listingPartitionPrefix + escapeKeyPart(aggregateType) + L.separator + L.listingShard;
}

/** The aggregate (type and id) of an aggregate partition key, or undefined for another kind of key. */
export function parseAggregatePartitionKey(partitionKey: string): { type: string; id: string } | undefined {
  const parts = partitionKey.split(L.separator);
  if (parts.length !== 2) return undefined;
  const unescape = (part: string) => part.replace(/%23/g, '#').replace(/%25/g, '%');
  return { type: unescape(parts[0]!), id: unescape(parts[1]!) };
}

/** Zero-pads a non-negative integer to `digits` digits. */
export function padNumber(value: number, digits: number): string {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`not a non-negative integer: ${value}`);
  const text = String(value);
  if (text.length > digits) throw new RangeError(`${value} has more than ${digits} digits`);
  return text.padStart(digits, '0');
}

/** Sort key of the event with this sequence. */
export function eventSortKey(sequence: number): string {
  return L.sortKeyPrefixes.event + padNumber(sequence, L.sequenceDigits);
}

/** Sort key of an outbox record. */
export function outboxSortKey(sequence: number, position: number): string {
  return L.sortKeyPrefixes.outbox + padNumber(sequence, L.sequenceDigits) + L.separator + padNumber(position, L.positionDigits);
}

/** Sort key of an idempotency record. */
export function idempotencySortKey(key: string): string {
  return L.sortKeyPrefixes.idempotency + key;
}

/** Sort key of an index copy: the aggregate id itself. */
export function indexSortKey(aggregateId: string): string {
  return aggregateId;
}
