/**
 * The Lambda entry point bundled by the CDK construct `DynamoDBOutboxEventBridgeHandler`:
 * publishes the table's outbox inserts to EventBridge, configured from the environment
 * (see {@link OUTBOX_HANDLER_ENVIRONMENT}).
 */
import { OUTBOX_HANDLER_ENVIRONMENT as ENV } from './lambda-environment.js';
import { createDynamoDBStreamToEventBridgeHandler } from './stream-handler.js';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`The outbox handler needs the environment variable ${name}`);
  return value;
}

const maxEntryBytes = process.env[ENV.maxEntryBytes];

/** The handler Lambda invokes. */
export const handler = createDynamoDBStreamToEventBridgeHandler({
  source: required(ENV.source),
  eventBusName: required(ENV.eventBusName),
  ...(maxEntryBytes ? { maxEntryBytes: Number(maxEntryBytes) } : {}),
});
