import { expect } from 'chai';
import {
  DYNAMO_TABLE_LAYOUT,
  OUTBOX_INSERT_FILTER_PATTERN,
  aggregatePartitionKey,
  escapeKeyPart,
  eventSortKey,
  indexPartitionKey,
  itemSize,
  outboxSortKey,
} from 'event-sourced-rules-engine/dynamodb';

describe('DynamoDB table layout (pure functions)', () => {
  it('never gives two different aggregates the same partition key', () => {
    const pairs: [string, string][] = [
      ['A#B', 'C'],
      ['A', 'B#C'],
      ['A%23', 'B'],
      ['A#', 'B'],
      ['A', '#B'],
      ['A%', '23B'],
      ['INDEX', 'x'],
    ];
    const keys = pairs.map(([type, id]) => aggregatePartitionKey(type, id));
    expect(new Set(keys).size).to.equal(pairs.length);
    for (const key of keys) expect(key.split('#')).to.have.length(2, `${key} has exactly one separator`);
    expect(aggregatePartitionKey('ACCOUNT', 'a-1')).to.equal('ACCOUNT#a-1');
    expect(escapeKeyPart('50%#off')).to.equal('50%25%23off');
  });

  it('keeps index partitions apart from aggregate partitions and from each other', () => {
    const index = indexPartitionKey('ACCOUNT', 'byEmail', 'a#b@example.com');
    expect(index).to.equal('INDEX#ACCOUNT#byEmail#a%23b@example.com');
    expect(index).to.not.equal(indexPartitionKey('ACCOUNT', 'byEmail#a', 'b@example.com'));
    expect(index.split('#')).to.have.length(4);
    expect(aggregatePartitionKey('INDEX', 'ACCOUNT').split('#')).to.have.length(2);
  });

  it('pads sequences so that sort keys order like the numbers', () => {
    const sequences = [1, 2, 9, 10, 99, 100, 12345, 999_999_999_999];
    const keys = sequences.map(eventSortKey);
    expect([...keys].sort()).to.deep.equal(keys);
    expect(eventSortKey(7)).to.equal('EVENT#000000000007');
    expect(outboxSortKey(7, 3)).to.equal('OUTBOX#000000000007#0003');
    expect(() => eventSortKey(1_000_000_000_000)).to.throw(RangeError, 'more than 12 digits');
    expect(() => eventSortKey(-1)).to.throw(RangeError);
  });

  it('counts item sizes as DynamoDB does: UTF-8 names and values, numbers generously', () => {
    expect(itemSize({ ab: 'é' })).to.equal(2 + 2);
    expect(itemSize({ e: '😀' })).to.equal(1 + 4);
    expect(itemSize({ s: '\ud800' })).to.equal(1 + 3, 'a lone surrogate is sent as U+FFFD');
    expect(itemSize({ n: 123456 })).to.be.at.least(1 + 4); // DynamoDB: 1 byte per 2 digits + 1
    expect(itemSize({ 'ключ': 'x' })).to.equal(8 + 1);
  });

  it('describes outbox inserts with a filter pattern built from the layout', () => {
    expect(OUTBOX_INSERT_FILTER_PATTERN).to.deep.equal({
      eventName: ['INSERT'],
      dynamodb: { NewImage: { [DYNAMO_TABLE_LAYOUT.kindAttribute]: { S: [DYNAMO_TABLE_LAYOUT.kinds.outbox] } } },
    });
    expect(JSON.parse(JSON.stringify(OUTBOX_INSERT_FILTER_PATTERN))).to.deep.equal({
      eventName: ['INSERT'],
      dynamodb: { NewImage: { _kind: { S: ['outbox'] } } },
    });
  });
});
