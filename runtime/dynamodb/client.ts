import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** A DocumentClient, or a plain DynamoDBClient to wrap in one. */
export type DynamoClientLike = DynamoDBDocumentClient | DynamoDBClient;

/**
 * `client` itself when it is a DocumentClient; otherwise a DocumentClient around it. The store
 * only writes flat items of strings and numbers, so the DocumentClient's marshalling options do
 * not change what it stores; the wrapper still sets `removeUndefinedValues` and
 * `convertClassInstanceToMap` so that nothing it sends can fail on them.
 */
export function toDocumentClient(client: DynamoClientLike): DynamoDBDocumentClient {
  if (!client || typeof (client as { send?: unknown }).send !== 'function') {
    throw new TypeError('DynamoEventStore: `client` must be a DynamoDBDocumentClient or a DynamoDBClient');
  }
  if (client instanceof DynamoDBDocumentClient || isDocumentClient(client)) return client as DynamoDBDocumentClient;
  return DynamoDBDocumentClient.from(client as DynamoDBClient, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
  });
}

/** Recognises a DocumentClient from another copy of `@aws-sdk/lib-dynamodb` (where `instanceof` fails). */
function isDocumentClient(client: object): boolean {
  const config = (client as { config?: { translateConfig?: unknown } }).config;
  return !!config && 'translateConfig' in config && client.constructor?.name === 'DynamoDBDocumentClient';
}
