import { createEventStoreTable, DynamoEventStore } from 'event-sourced-rules-engine/dynamodb';
import { describeEventStoreContract } from 'event-sourced-rules-engine/testing';
import { useDynamoDBLocal } from './support/dynamodb-local.js';

describe('DynamoEventStore on DynamoDB Local', function () {
  const local = useDynamoDBLocal();
  let store: DynamoEventStore<any, any, any>;

  before(async function () {
    this.timeout(60_000);
    const tableName = 'dynamodb-contract';
    await createEventStoreTable(local().client, tableName);
    store = new DynamoEventStore({ client: local().documentClient, tableName });
  });

  describeEventStoreContract('DynamoEventStore', () => store, { timeout: 600_000, setupConcurrency: 32 });
});
