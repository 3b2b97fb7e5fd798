import { DeleteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'chai';
import { Aggregate, Processor, allAggregateIds, createEvent } from 'event-sourced-rules-engine';
import {
  DYNAMO_TABLE_LAYOUT as L,
  DynamoEventStore,
  backfillAggregateListing,
  createEventStoreTable,
  listingPartitionKey,
} from 'event-sourced-rules-engine/dynamodb';
import { useDynamoDBLocal } from './support/dynamodb-local.js';

const TABLE = 'dynamodb-listing';

describe('DynamoEventStore listing items', function () {
  this.timeout(120_000);
  const local = useDynamoDBLocal();
  let store: DynamoEventStore<{ n: number }, { n: number }>;

  before(async () => {
    await createEventStoreTable(local().client, TABLE);
    store = new DynamoEventStore({ client: local().documentClient, tableName: TABLE });
  });

  const notes = (type: string) =>
    new Aggregate<{ n: number }, { n: number }>({
      type,
      store,
      processor: new Processor<{ n: number }, { n: number }>({ SET: (input) => ({ n: input.current.n }) }, () => ({ n: 0 })),
    });

  async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
    const out: T[] = [];
    for await (const item of iterable) out.push(item);
    return out;
  }

  it('writes one listing item per aggregate, in its first commit only, and lists by one Query of the type partition', async () => {
    const aggregate = notes('LISTED');
    for (const id of ['b', 'a#1', 'c']) {
      await aggregate.append(id, createEvent('SET', { n: 1 }));
      await aggregate.append(id, createEvent('SET', { n: 2 }));
    }
    const items = await local().documentClient.send(
      new QueryCommand({ TableName: TABLE, KeyConditionExpression: '#pk = :pk', ExpressionAttributeNames: { '#pk': L.partitionKey }, ExpressionAttributeValues: { ':pk': listingPartitionKey('LISTED') }, ConsistentRead: true }),
    );
    expect(items.Items!.map((item) => [item[L.sortKey], item[L.kindAttribute]])).to.deep.equal([
      ['a#1', 'listing'],
      ['b', 'listing'],
      ['c', 'listing'],
    ]);
    expect(await collect(allAggregateIds(store, 'LISTED', 2))).to.deep.equal(['a#1', 'b', 'c']);
  });

  it('backfills the listing of aggregates written before listing items existed, with progress, idempotently', async () => {
    const aggregate = notes('OLD');
    const ids = Array.from({ length: 40 }, (_, i) => `old-${String(i).padStart(2, '0')}`);
    for (const id of ids) await aggregate.append(id, createEvent('SET', { n: 1 }));
    // A table of the earlier layout: the same items without listing items.
    for (const id of ids) {
      await local().documentClient.send(new DeleteCommand({ TableName: TABLE, Key: { [L.partitionKey]: listingPartitionKey('OLD'), [L.sortKey]: id } }));
    }
    expect(await store.listAggregateIds('OLD')).to.deep.equal({ ids: [] });
    const progress: { scanned: number; listed: number }[] = [];
    const totals = await backfillAggregateListing(local().client, TABLE, { onProgress: (p) => progress.push(p) });
    expect(totals.listed).to.be.at.least(ids.length + 3);
    expect(progress.at(-1)).to.deep.equal(totals);
    expect(await collect(allAggregateIds(store, 'OLD', 7))).to.deep.equal(ids);
    expect(await collect(allAggregateIds(store, 'LISTED'))).to.deep.equal(['a#1', 'b', 'c'], 'listed ones are unchanged');
    await backfillAggregateListing(local().client, TABLE);
    expect(await collect(allAggregateIds(store, 'OLD'))).to.deep.equal(ids, 'a second run changes nothing');
  });
});
