/**
 * event-sourced-rules-engine: the core. No AWS, CDK, SQLite or Node-only imports here; stores
 * and integrations live under their own subpaths.
 */
export * from './types.js';
export * from './errors.js';
export { createEvent, type CreateEventOptions } from './event.js';
export { newId } from './ids.js';
export {
  Processor,
  type Publish,
  type TypedPublish,
  type RuleInput,
  type StateUpdater,
  type Rule,
  type Rules,
  type RuleSet,
  type Publication,
  type ProcessInput,
  type ProcessOptions,
  type ProcessResult,
} from './processor.js';
export {
  defineIndex,
  indexKeysOf,
  type IndexDefinition,
  type IndexKey,
  type IndexKeyFunction,
} from './indexes.js';
export {
  Aggregate,
  type AggregateOptions,
  type AppendTarget,
  type RecalculateOptions,
  type RecalculateAllOptions,
  type RecalculateAllProgress,
  type RecalculateAllResult,
} from './aggregate.js';
export { idempotencyRecordsOf } from './commit.js';
export { allAggregateIds, DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT } from './listing.js';
export { type RetryOptions } from './retry.js';
export { EventUpcaster, schemaVersionOf, type Upcasters, type EventUpcasters, type UpcastStep } from './upcasting.js';
export { type SchemaLike, type AggregateSchemas } from './schemas.js';
export { toPlain, fromPlain, serialize, deserialize, MAX_NESTING } from './codec.js';
export { type CorruptRecordListener } from './corrupt.js';
export { InMemoryEventStore, type InMemoryEventStoreOptions } from './memory/in-memory-event-store.js';
