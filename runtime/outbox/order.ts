import type { OutboxRecord } from '../types.js';

/** A string naming the aggregate a record belongs to (type and id), usable as a map key. */
export function aggregateKeyOf(record: Pick<OutboxRecord, 'aggregateType' | 'aggregateId'>): string {
  return `${record.aggregateType}\u0000${record.aggregateId}`;
}

/** Orders two records of the same aggregate: by commit sequence, then position in the commit. */
export function compareWithinAggregate(
  a: Pick<OutboxRecord, 'sequence' | 'position'>,
  b: Pick<OutboxRecord, 'sequence' | 'position'>,
): number {
  return a.sequence - b.sequence || a.position - b.position;
}

/**
 * Splits records into one queue per aggregate, each queue in (sequence, position) order. The
 * queues come in the order their aggregate first appears in `records`.
 */
export function queuesByAggregate<T extends OutboxRecord<unknown>>(records: readonly T[]): T[][] {
  const queues = new Map<string, T[]>();
  for (const record of records) {
    const key = aggregateKeyOf(record);
    const queue = queues.get(key);
    if (queue) queue.push(record);
    else queues.set(key, [record]);
  }
  const result = [...queues.values()];
  for (const queue of result) queue.sort(compareWithinAggregate);
  return result;
}
