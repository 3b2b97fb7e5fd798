/**
 * Isolation on DynamoDB Local: an item of aggregate "x" whose `_data` is not the codec's JSON
 * is skipped by the lists that span aggregates (pending outbox, index queries) and reported by
 * its key; reads of "x" itself fail naming the item.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'chai';
import { Aggregate, CorruptRecordError, Processor, createEvent, defineIndex } from 'event-sourced-rules-engine';
import { DYNAMO_TABLE_LAYOUT as L, DynamoEventStore, aggregatePartitionKey, createEventStoreTable, indexPartitionKey } from 'event-sourced-rules-engine/dynamodb';
import { useDynamoDBLocal } from './support/dynamodb-local.js';

describe('DynamoEventStore: a corrupt item affects only its own aggregate (DynamoDB Local)', function () {
  this.timeout(120_000);
  const local = useDynamoDBLocal();
  const tableName = 'codec-corrupt';

  before(async () => {
    await createEventStoreTable(local().client, tableName);
  });

  it("skips x's corrupt outbox record and index entry, reporting their keys; others keep working", async () => {
    const reported: CorruptRecordError[] = [];
    const store = new DynamoEventStore<{ tag: string }, { tag: string }, { tag: string }>({ client: local().documentClient, tableName, onCorruptRecord: (error) => reported.push(error) });
    const aggregate = new Aggregate<{ tag: string }, { tag: string }, { tag: string }>({
      type: 'TAGGED',
      store,
      processor: new Processor<{ tag: string }, { tag: string }, { tag: string }>(
        {
          TAGGED: (input) => {
            input.publish('RETAGGED', { tag: input.current.tag });
            return { tag: input.current.tag };
          },
        },
        () => ({ tag: '' }),
      ),
      indexes: [defineIndex<{ tag: string }>('byTag', (snapshot) => snapshot.state.tag)],
    });
    for (const id of ['w', 'x', 'y']) await aggregate.append(id, createEvent('TAGGED', { tag: 'shared' }));
    const spoil = (pk: string, sk: string) =>
      local().documentClient.send(
        new UpdateCommand({ TableName: tableName, Key: { [L.partitionKey]: pk, [L.sortKey]: sk }, UpdateExpression: 'SET #d = :bad', ExpressionAttributeNames: { '#d': L.dataAttribute }, ExpressionAttributeValues: { ':bad': '{not json' } }),
      );
    await spoil(aggregatePartitionKey('TAGGED', 'x'), 'OUTBOX#000000000001#0000');
    await spoil(indexPartitionKey('TAGGED', 'byTag', 'shared'), 'x');
    await spoil(aggregatePartitionKey('TAGGED', 'x'), 'SNAPSHOT');

    const pending = (await store.pendingOutbox({ limit: 1000 })).filter((record) => record.aggregateType === 'TAGGED');
    expect(pending.map((record) => record.aggregateId).sort()).to.deep.equal(['w', 'y']);
    expect((await aggregate.query('byTag', 'shared')).map((snapshot) => snapshot.aggregateId)).to.deep.equal(['w', 'y']);
    expect(reported.map((error) => error.key).sort()).to.deep.equal(['INDEX#TAGGED#byTag#shared / x', 'TAGGED#x / OUTBOX#000000000001#0000']);

    const error = await aggregate.get('x').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(CorruptRecordError);
    expect((error as CorruptRecordError).key).to.equal('TAGGED#x / SNAPSHOT');
    expect((await aggregate.get('y')).state.tag).to.equal('shared');
  });
});
