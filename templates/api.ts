//! Template of `api.ts` (written when `service.api` is on and the aggregate does not opt out):
//! the Lambda handler of Template's HTTP routes, over the generated aggregate class and the
//! DynamoDB event store. The CDK stack bundles it as one function per aggregate. The handler's
//! comment lists the routes the aggregate serves: the `indexQueries` block with indexes, the
//! `noIndexQueries` block without.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoEventStore } from 'event-sourced-rules-engine/dynamodb';
import { type HttpHandler, createHttpHandler } from 'event-sourced-rules-engine/http';
import { TemplateAggregate } from './aggregate.js';

/** The event store's table, named by the environment variable the CDK stack sets on the function. */
const tableName = process.env.EVENT_STORE_TABLE_NAME;
if (!tableName) throw new Error('The Template HTTP handler needs the environment variable EVENT_STORE_TABLE_NAME (the event store table)');

/** Template over the table; created once per Lambda container and reused by its invocations. */
const template = new TemplateAggregate({
  store: new DynamoEventStore({ client: new DynamoDBClient({}), tableName }),
});

/**
 * The Lambda handler (API Gateway HTTP API, payload format 2.0) of Template's routes:
 // @each indexQueries
 * `POST /template-folder/{id}/events`, `GET /template-folder/{id}`, `GET /template-folder/{id}/events`
 * and `GET /template-folder/by/{index}/{key}`; errors are RFC 9457 problems (see
 // @end
 // @each noIndexQueries
 * `POST /template-folder/{id}/events`, `GET /template-folder/{id}` and `GET /template-folder/{id}/events`
 * (no index queries: it has no index); errors are RFC 9457 problems (see
 // @end
 * `event-sourced-rules-engine/http`).
 */
export const handler: HttpHandler = createHttpHandler({
  aggregate: template,
  path: 'template-folder',
  indexKeyTypes: { byKey: 'string', byOther: 'string' },
  maxBodyBytes: 262_144,
});
