/**
 * `event-sourced-rules-engine/dynamodb`: the DynamoDB {@link DynamoEventStore}, its table
 * layout, and what stream consumers and infrastructure code need to agree with it. Needs the
 * optional peer dependencies `@aws-sdk/client-dynamodb` and `@aws-sdk/lib-dynamodb`.
 */
export { DynamoEventStore, DEFAULT_OUTBOX_RETENTION_SECONDS, type DynamoEventStoreOptions } from './dynamo-event-store.js';
export {
  DYNAMO_TABLE_LAYOUT,
  OUTBOX_INSERT_FILTER_PATTERN,
  type DynamoTableLayout,
  type DynamoItemKind,
  aggregatePartitionKey,
  indexPartitionKey,
  listingPartitionKey,
  eventSortKey,
  outboxSortKey,
  idempotencySortKey,
  escapeKeyPart,
} from './layout.js';
export { isOutboxItem, outboxRecordFromItem } from './items.js';
export { DYNAMO_LIMITS, itemSize } from './limits.js';
export { DynamoLimitError, UnstorableValueError } from './errors.js';
export { UnsupportedValueError, InvalidKeyError, InvalidOptionError, CorruptRecordError } from '../errors.js';
export { backfillAggregateListing, type BackfillListingOptions, type BackfillProgress } from './backfill-listing.js';
export { createEventStoreTable, type CreateEventStoreTableOptions } from './create-table.js';
export { type DynamoClientLike } from './client.js';
