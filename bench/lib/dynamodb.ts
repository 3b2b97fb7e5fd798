/**
 * DynamoDB Local for the benchmarks: `bench/run.ts` starts one server (with the test harness in
 * `test/support/dynamodb-local.ts`) and hands its endpoint to each case through
 * `ESRE_BENCH_DYNAMODB_ENDPOINT` (and its process id through `ESRE_BENCH_DYNAMODB_PID`); a case
 * run alone, or not marked `dynamodb` in `bench/lib/case-list.ts`, starts its own.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createEventStoreTable } from 'event-sourced-rules-engine/dynamodb';
import { DYNAMODB_LOCAL_CLIENT_CONFIG, startDynamoDBLocal } from '../../test/support/dynamodb-local.js';

/** The environment variable naming a running DynamoDB Local endpoint. */
export const DYNAMODB_ENDPOINT_VARIABLE = 'ESRE_BENCH_DYNAMODB_ENDPOINT';

/** The environment variable naming the process id of the server at {@link DYNAMODB_ENDPOINT_VARIABLE}. */
export const DYNAMODB_PID_VARIABLE = 'ESRE_BENCH_DYNAMODB_PID';

/** A fresh table on DynamoDB Local, with clients for it. */
export interface BenchTable {
  readonly client: DynamoDBClient;
  readonly documentClient: DynamoDBDocumentClient;
  readonly tableName: string;
  /** The server's endpoint, `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** The server's `java` process id, when known (to account its CPU time). */
  readonly serverPid: number | undefined;
  /** Destroys the clients, and stops the server when this case started it. */
  close(): Promise<void>;
}

let tables = 0;

/** Creates a new event-store table (stream on, like production) on the shared or an own server. */
export async function benchTable(): Promise<BenchTable> {
  let endpoint = process.env[DYNAMODB_ENDPOINT_VARIABLE];
  let serverPid = endpoint && process.env[DYNAMODB_PID_VARIABLE] ? Number(process.env[DYNAMODB_PID_VARIABLE]) : undefined;
  let stop: (() => Promise<void>) | undefined;
  if (!endpoint) {
    const server = await startDynamoDBLocal();
    endpoint = server.endpoint;
    serverPid = server.pid;
    stop = server.stop;
  }
  const client = new DynamoDBClient({ ...DYNAMODB_LOCAL_CLIENT_CONFIG, endpoint });
  const documentClient = DynamoDBDocumentClient.from(client);
  const tableName = `bench-${process.pid}-${++tables}`;
  await createEventStoreTable(client, tableName);
  return {
    client,
    documentClient,
    tableName,
    endpoint,
    serverPid,
    async close() {
      client.destroy();
      await stop?.();
    },
  };
}
