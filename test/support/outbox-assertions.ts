/** Assertions shared by the outbox tests: everything arrived, in order per aggregate. */
import { expect } from 'chai';
import type { OutboxRecord } from 'event-sourced-rules-engine';
import type { AcceptedEvent } from './eventbridge-server.js';

/**
 * Checks that every written record arrived (by event id), that nothing arrived that was not
 * written, and that per aggregate the first arrival of each event follows (sequence, position)
 * order. Returns the number of duplicate deliveries (allowed: delivery is at-least-once).
 */
export function expectAllDeliveredInOrder(accepted: readonly AcceptedEvent[], written: readonly OutboxRecord<unknown>[]): number {
  const firstArrival = new Map<string, number>();
  accepted.forEach((event, index) => {
    const id = event.detail['eventId'] as string;
    if (!firstArrival.has(id)) firstArrival.set(id, index);
  });
  const writtenIds = new Set(written.map((record) => record.id));
  const missing = written.filter((record) => !firstArrival.has(record.id)).map((record) => record.id);
  expect(missing, 'events never delivered').to.deep.equal([]);
  const unexpected = [...firstArrival.keys()].filter((id) => !writtenIds.has(id));
  expect(unexpected, 'events delivered that were never written').to.deep.equal([]);

  const byAggregate = new Map<string, OutboxRecord<unknown>[]>();
  for (const record of written) {
    const key = `${record.aggregateType}/${record.aggregateId}`;
    byAggregate.set(key, [...(byAggregate.get(key) ?? []), record]);
  }
  for (const [aggregate, records] of byAggregate) {
    const expected = [...records].sort((a, b) => a.sequence - b.sequence || a.position - b.position).map((r) => r.id);
    const arrived = [...records].sort((a, b) => firstArrival.get(a.id)! - firstArrival.get(b.id)!).map((r) => r.id);
    expect(arrived, `arrival order of ${aggregate}`).to.deep.equal(expected);
  }
  return accepted.length - firstArrival.size;
}
