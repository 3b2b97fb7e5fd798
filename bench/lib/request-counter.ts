/**
 * Counts the DynamoDB requests a client actually sends, with a middleware in the client's own
 * stack (the DocumentClient shares its DynamoDBClient's stack, so both are counted).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** What a {@link RequestCounter} has seen since it was last reset. */
export interface RequestCounter {
  /** HTTP requests sent (each retry attempt counts). */
  readonly count: number;
  /** The operation of each request, in order, e.g. `["GetItem", "TransactWriteItems"]`. */
  readonly operations: readonly string[];
  /** Forgets what was counted so far. */
  reset(): void;
  /** Removes the middleware from the client. */
  detach(): void;
}

let counters = 0;

/**
 * Adds a counting middleware to `client`. It sits in the `deserialize` step, inside the SDK's
 * retry loop, so each HTTP request sent is counted once, retries included.
 */
export function countRequests(client: Pick<DynamoDBClient, 'middlewareStack'>): RequestCounter {
  const name = `esreRequestCounter${++counters}`;
  const operations: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String((context as { commandName?: string }).commandName ?? 'unknown');
      operations.push(command.replace(/Command$/, ''));
      return next(args);
    },
    { step: 'deserialize', name, priority: 'low' },
  );
  return {
    get count() {
      return operations.length;
    },
    operations,
    reset() {
      operations.length = 0;
    },
    detach() {
      client.middlewareStack.remove(name);
    },
  };
}
