/**
 * Turns snapshots, events, outbox records, index entries and idempotency records into table
 * items (see {@link DYNAMO_TABLE_LAYOUT}) and back. No AWS SDK imports here (nor in layout.ts):
 * the DynamoDB Streams handler imports this module and stays small.
 */
import { CorruptRecordError } from '../errors.js';
import type { EventRecord, IdempotencyRecord, IndexEntry, OutboxRecord, Snapshot } from '../types.js';
import { decodeValue, encodeValue } from './encode.js';
import {
  DYNAMO_TABLE_LAYOUT as L,
  aggregatePartitionKey,
  eventSortKey,
  idempotencySortKey,
  indexPartitionKey,
  indexSortKey,
  listingPartitionKey,
  outboxSortKey,
} from './layout.js';
import type { FlatItem } from './limits.js';

/** Names an aggregate in messages: `ACCOUNT "a-1"`. */
export function aggregateName(aggregateType: string, aggregateId: string): string {
  return `${aggregateType} ${JSON.stringify(aggregateId)}`;
}

/** The snapshot item of an aggregate. */
export function snapshotItem(snapshot: Snapshot<unknown>, commitId: string): FlatItem {
  const who = aggregateName(snapshot.aggregateType, snapshot.aggregateId);
  return {
    [L.partitionKey]: aggregatePartitionKey(snapshot.aggregateType, snapshot.aggregateId),
    [L.sortKey]: L.sortKeyPrefixes.snapshot,
    [L.kindAttribute]: L.kinds.snapshot,
    [L.sequenceAttribute]: snapshot.sequence,
    [L.commitAttribute]: commitId,
    [L.dataAttribute]: encodeValue(snapshot, () => `the snapshot of ${who} (sequence ${snapshot.sequence})`),
  };
}

/** The item of one inbound event. */
export function eventItem(event: EventRecord<unknown>, commitId: string): FlatItem {
  return {
    [L.partitionKey]: aggregatePartitionKey(event.aggregateType, event.aggregateId),
    [L.sortKey]: eventSortKey(event.sequence),
    [L.kindAttribute]: L.kinds.event,
    [L.sequenceAttribute]: event.sequence,
    [L.commitAttribute]: commitId,
    [L.dataAttribute]: encodeValue(event, () => describeEvent(event)),
  };
}

/**
 * The item of one outbox record. `expiresAt` (epoch seconds) becomes the TTL attribute;
 * `pending` adds the attribute the polling relay looks for.
 */
export function outboxItem(record: OutboxRecord<unknown>, commitId: string, expiresAt: number | undefined): FlatItem {
  return {
    [L.partitionKey]: aggregatePartitionKey(record.aggregateType, record.aggregateId),
    [L.sortKey]: outboxSortKey(record.sequence, record.position),
    [L.kindAttribute]: L.kinds.outbox,
    [L.sequenceAttribute]: record.sequence,
    [L.commitAttribute]: commitId,
    [L.pendingAttribute]: commitId,
    ...(expiresAt === undefined ? {} : { [L.ttlAttribute]: expiresAt }),
    [L.dataAttribute]: encodeValue(record, () => describeOutbox(record)),
  };
}

/** The item of one index copy. */
export function indexItem(entry: IndexEntry<unknown>, commitId: string): FlatItem {
  const { snapshot } = entry;
  return {
    ...indexKey(snapshot.aggregateType, snapshot.aggregateId, entry.index, entry.key),
    [L.kindAttribute]: L.kinds.index,
    [L.sequenceAttribute]: snapshot.sequence,
    [L.commitAttribute]: commitId,
    [L.dataAttribute]: encodeValue(snapshot, () => describeIndex(snapshot.aggregateType, snapshot.aggregateId, entry.index, entry.key)),
  };
}

/** The listing item of an aggregate: its key names it; it holds nothing else. */
export function listingItem(aggregateType: string, aggregateId: string, commitId: string): FlatItem {
  return {
    [L.partitionKey]: listingPartitionKey(aggregateType),
    [L.sortKey]: aggregateId,
    [L.kindAttribute]: L.kinds.listing,
    [L.commitAttribute]: commitId,
  };
}

/** The key of an index copy. */
export function indexKey(aggregateType: string, aggregateId: string, index: string, key: string): FlatItem {
  return {
    [L.partitionKey]: indexPartitionKey(aggregateType, index, key),
    [L.sortKey]: indexSortKey(aggregateId),
  };
}

/** The item of an idempotency record; `expiresAt` (epoch seconds) becomes the TTL attribute. */
export function idempotencyItem(
  record: IdempotencyRecord<unknown, unknown, unknown>,
  commitId: string,
  expiresAt: number | undefined,
): FlatItem {
  return {
    [L.partitionKey]: aggregatePartitionKey(record.aggregateType, record.aggregateId),
    [L.sortKey]: idempotencySortKey(record.key),
    [L.kindAttribute]: L.kinds.idempotency,
    [L.sequenceAttribute]: record.result.snapshot.sequence,
    [L.commitAttribute]: commitId,
    ...(expiresAt === undefined ? {} : { [L.ttlAttribute]: expiresAt }),
    [L.dataAttribute]: encodeValue(record, () => describeIdempotency(record.aggregateType, record.aggregateId, record.key)),
  };
}

/** `event 01J… (DEPOSITED, sequence 3) of ACCOUNT "a-1"` */
export function describeEvent(event: EventRecord<unknown>): string {
  return `event ${event.id} (${event.type}, sequence ${event.sequence}) of ${aggregateName(event.aggregateType, event.aggregateId)}`;
}

/** `outbox record 01J… (BALANCE_CHANGED, sequence 3, position 0) of ACCOUNT "a-1"` */
export function describeOutbox(record: OutboxRecord<unknown>): string {
  return (
    `outbox record ${record.id} (${record.type}, sequence ${record.sequence}, position ${record.position}) of ` +
    aggregateName(record.aggregateType, record.aggregateId)
  );
}

/** `index entry byEmail = "a@b.c" of ACCOUNT "a-1"` */
export function describeIndex(aggregateType: string, aggregateId: string, index: string, key: string): string {
  return `index entry ${index} = ${JSON.stringify(key)} of ${aggregateName(aggregateType, aggregateId)}`;
}

/** `idempotency record "request-1" of ACCOUNT "a-1"` */
export function describeIdempotency(aggregateType: string, aggregateId: string, key: string): string {
  return `idempotency record ${JSON.stringify(key)} of ${aggregateName(aggregateType, aggregateId)}`;
}

/** Reads a string attribute from an unmarshalled item or a raw stream image (`{ S: "..." }`). */
function stringAttribute(item: Record<string, unknown>, name: string): string | undefined {
  const value = item[name];
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object' && typeof (value as { S?: unknown }).S === 'string') {
    return (value as { S: string }).S;
  }
  return undefined;
}

/** The value stored in an item of the given kind; a {@link StoreError} if the item is not one. */
function dataOf<T>(item: Record<string, unknown>, kind: string): T {
  const actual = stringAttribute(item, L.kindAttribute);
  const data = stringAttribute(item, L.dataAttribute);
  const where = itemName(item);
  if (actual !== kind || data === undefined) {
    throw new CorruptRecordError(
      where,
      `DynamoEventStore expected an item of kind ${JSON.stringify(kind)} with a ${L.dataAttribute} string (its kind: ${String(actual)})`,
    );
  }
  return decodeValue<T>(data, where);
}

/** Names an item in errors: `<_pk> / <_sk>`. */
export function itemName(item: Record<string, unknown>): string {
  return `${String(stringAttribute(item, L.partitionKey))} / ${String(stringAttribute(item, L.sortKey))}`;
}

/** The snapshot stored in a snapshot item. */
export function snapshotFromItem<TState>(item: Record<string, unknown>): Snapshot<TState> {
  return dataOf<Snapshot<TState>>(item, L.kinds.snapshot);
}

/** The event stored in an event item. */
export function eventFromItem<TPayload>(item: Record<string, unknown>): EventRecord<TPayload> {
  return dataOf<EventRecord<TPayload>>(item, L.kinds.event);
}

/** The snapshot copy stored in an index item. */
export function snapshotFromIndexItem<TState>(item: Record<string, unknown>): Snapshot<TState> {
  return dataOf<Snapshot<TState>>(item, L.kinds.index);
}

/** The record stored in an idempotency item. */
export function idempotencyRecordFromItem<TState, TInbound, TOutbound>(
  item: Record<string, unknown>,
): IdempotencyRecord<TState, TInbound, TOutbound> {
  return dataOf<IdempotencyRecord<TState, TInbound, TOutbound>>(item, L.kinds.idempotency);
}

/**
 * Whether a table item or stream image is an outbox record. Takes an unmarshalled item
 * (`{ _kind: "outbox", ... }`) or a raw stream image (`{ _kind: { S: "outbox" }, ... }`).
 */
export function isOutboxItem(item: Record<string, unknown> | undefined | null): boolean {
  return !!item && stringAttribute(item, L.kindAttribute) === L.kinds.outbox;
}

/**
 * The {@link OutboxRecord} held by an outbox item: for a DynamoDB Streams handler, pass the
 * record's `NewImage`, either unmarshalled (`unmarshall(record.dynamodb.NewImage)`) or raw as
 * Lambda delivers it (`{ _kind: { S: "outbox" }, _data: { S: "..." } }`). Dates in the payload
 * and `occurredAt` come back as `Date`s. Throws a {@link StoreError} for any other item.
 */
export function outboxRecordFromItem<TPayload = unknown>(item: Record<string, unknown>): OutboxRecord<TPayload> {
  return dataOf<OutboxRecord<TPayload>>(item, L.kinds.outbox);
}
