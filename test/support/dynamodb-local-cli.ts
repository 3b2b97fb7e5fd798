/**
 * `npm run dynamodb`: runs DynamoDB Local in the foreground for local development, in memory,
 * on 127.0.0.1 (port 8000, or the first argument, or $DYNAMODB_LOCAL_PORT). Ctrl-C stops it.
 */
import { startDynamoDBLocal } from './dynamodb-local.js';

const requested = process.argv[2] ?? process.env.DYNAMODB_LOCAL_PORT ?? '8000';
const port = Number(requested);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`dynamodb: invalid port ${JSON.stringify(requested)}`);
  process.exit(2);
}

const server = await startDynamoDBLocal({ port, inheritOutput: true });
console.log(`DynamoDB Local (in memory) at ${server.endpoint}; region us-east-1, any credentials. Ctrl-C stops it.`);

let stopping = false;
const shutdown = () => {
  if (stopping) return;
  stopping = true;
  void server.stop().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
