/**
 * Environment variables the bundled outbox Lambda reads; the CDK construct sets them. Kept in
 * a module of its own so the construct can use the names without loading the AWS SDK.
 */
export const OUTBOX_HANDLER_ENVIRONMENT = {
  /** `Source` of the published events (required). */
  source: 'ESRE_EVENT_SOURCE',
  /** Name or ARN of the event bus (required). */
  eventBusName: 'ESRE_EVENT_BUS_NAME',
  /** Optional entry size limit in bytes (default 256 KiB). */
  maxEntryBytes: 'ESRE_MAX_ENTRY_BYTES',
} as const;
