/**
 * event-sourced-rules-engine/eventbridge: publishing outbox records to Amazon EventBridge,
 * from any caller ({@link EventBridgeOutboxPublisher}) or from a DynamoDB stream in Lambda.
 */
export {
  EventBridgeOutboxPublisher,
  DEFAULT_MAX_ENTRY_BYTES,
  DEFAULT_REQUEST_TIMEOUT_MS,
  MAX_ENTRIES_PER_REQUEST,
  type EventBridgeOutboxPublisherOptions,
  type PutEventsClient,
} from './publisher.js';
export { toEventDetail, toPutEventsEntry, putEventsEntrySize, type OutboxEventDetail, type EventTarget } from './entry.js';
export type { OutboxPublisher, PublishResult, PublishFailure, PublishOptions } from '../outbox/publisher.js';
export { PublishTimeoutError, PublishAbortedError } from '../outbox/errors.js';
export {
  createDynamoDBStreamToEventBridgeHandler,
  DEFAULT_TIMEOUT_MARGIN_MS,
  type InvocationContext,
  type DynamoDBStreamToEventBridgeOptions,
  type StreamEvent,
  type StreamEventRecord,
  type StreamBatchResponse,
} from './stream-handler.js';
export { jsonLineLogger, type Logger, type LogEntry } from './log.js';
export { OUTBOX_HANDLER_ENVIRONMENT } from './lambda-environment.js';
