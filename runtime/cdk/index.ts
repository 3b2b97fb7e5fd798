/**
 * event-sourced-rules-engine/cdk: AWS CDK constructs for the DynamoDB event store and its
 * outbox publisher. Needs `aws-cdk-lib` and `constructs`.
 */
export { EventSourcedTable, type EventSourcedTableProps } from './event-sourced-table.js';
export { DynamoDBOutboxEventBridgeHandler, type DynamoDBOutboxEventBridgeHandlerProps } from './outbox-handler.js';
export { outboxHandlerEntry } from './handler-entry.js';
export { OutboundEventSchemas, type OutboundEventSchemasProps } from './event-schemas.js';
export { eventBridgeEventSchema, type JsonSchemaDocument } from './event-schema.js';
export { toDraft4, type Draft4Options } from './draft4.js';
export {
  EventSourcedHttpApi,
  type EventSourcedHttpApiProps,
  type HttpApiAggregate,
  type HttpApiThrottling,
  type HttpApiCors,
  EVENT_STORE_TABLE_NAME_VARIABLE,
  HTTP_HANDLER_TABLE_ACTIONS,
} from './http-api.js';
export { CORS_API_HEADERS, CORS_SIGV4_HEADERS, CORS_EXPOSE_HEADERS, DEFAULT_CORS_MAX_AGE_SECONDS, MAX_CORS_MAX_AGE_SECONDS } from './cors-settings.js';
export { exportConditionsOfThisProcess } from './export-conditions.js';
