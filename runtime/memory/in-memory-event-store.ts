import { decodeRecord, encodeRecord } from '../codec.js';
import { idempotencyRecordsOf } from '../commit.js';
import { ConcurrencyError } from '../errors.js';
import { checkCommitKeys, checkIndexQuery, checkKey, checkRef } from '../keys.js';
import { compareCodePoints, listingStart, pageOf } from '../listing.js';
import { checkHistoryOptions, checkOutboxLimit, optionObject, positiveInteger } from '../options.js';
import type {
  AggregateIdPage,
  AggregateRef,
  Commit,
  EventRecord,
  EventStore,
  HistoryOptions,
  IdempotencyRecord,
  ListAggregateIdsOptions,
  OutboxRecord,
  Snapshot,
} from '../types.js';

/** A record as the codec encodes it: the memory store keeps what every other store would. */
type Encoded = unknown;

interface Stream {
  snapshot?: { sequence: number; value: Encoded };
  events: Encoded[];
  idempotency: Map<string, Encoded>;
}

interface PendingOutbox {
  commit: number;
  position: number;
  record: Encoded;
}

/** Options of {@link InMemoryEventStore}. */
export interface InMemoryEventStoreOptions {
  /** Events per page when reading history (default 500). */
  readonly pageSize?: number;
}

/**
 * The reference {@link EventStore}: everything in process memory, kept encoded by the same
 * codec as every other store (so values that another store would refuse are refused here too,
 * and callers can never mutate what is stored). For tests, examples and short-lived processes.
 */
export class InMemoryEventStore<TState = unknown, TInbound = unknown, TOutbound = unknown>
  implements EventStore<TState, TInbound, TOutbound>
{
  readonly #streams = new Map<string, Stream>();
  /** aggregateType → index → key → aggregateId → encoded snapshot */
  readonly #indexes = new Map<string, Map<string, Map<string, Map<string, Encoded>>>>();
  readonly #outbox = new Map<string, PendingOutbox>();
  /** aggregateType → ids of its aggregates with a snapshot, in code point order */
  readonly #ids = new Map<string, string[]>();
  readonly #pageSize: number;
  #commits = 0;

  constructor(options: InMemoryEventStoreOptions = {}) {
    optionObject('InMemoryEventStore options', options);
    this.#pageSize = positiveInteger('InMemoryEventStore.pageSize', options.pageSize) ?? 500;
  }

  async commit(commit: Commit<TState, TInbound, TOutbound>): Promise<void> {
    checkCommitKeys(commit as Commit<unknown, unknown, unknown>);
    const key = refKey(commit.ref);
    const stream: Stream = this.#streams.get(key) ?? { events: [], idempotency: new Map() };
    const actual = stream.snapshot?.sequence ?? 0;
    if (actual !== commit.expectedSequence) {
      throw new ConcurrencyError(commit.ref.type, commit.ref.id, commit.expectedSequence, actual);
    }
    const idempotency = idempotencyRecordsOf(commit);
    const keys = new Set<string>();
    for (const record of idempotency) {
      if (stream.idempotency.has(record.key) || keys.has(record.key)) {
        throw new ConcurrencyError(commit.ref.type, commit.ref.id, commit.expectedSequence, actual, {
          reason: `idempotency key ${JSON.stringify(record.key)} already used`,
        });
      }
      keys.add(record.key);
    }
    // Encode everything first: if a value cannot be stored, nothing has been changed yet.
    const who = `${commit.ref.type} ${JSON.stringify(commit.ref.id)}`;
    const events = commit.events.map((event) => encodeRecord(event, `event ${event.id} (${event.type}, sequence ${event.sequence}) of ${who}`));
    const snapshot = encodeRecord(commit.snapshot, `the snapshot of ${who}`);
    const indexPuts = commit.indexPuts.map((entry) => ({
      entry,
      value: encodeRecord(entry.snapshot, `index entry ${entry.index} = ${JSON.stringify(entry.key)} of ${who}`),
    }));
    const outbox = commit.outbox.map((record) => ({
      record,
      value: encodeRecord(record, `outbox record ${record.id} (${record.type}) of ${who}`),
    }));
    const encodedIdempotency = idempotency.map((record) => ({
      key: record.key,
      value: encodeRecord(record, `idempotency record ${JSON.stringify(record.key)} of ${who}`),
    }));
    const commitNumber = ++this.#commits;
    if (!stream.snapshot) this.#listed(commit.ref);
    stream.events.push(...events);
    stream.snapshot = { sequence: commit.snapshot.sequence, value: snapshot };
    for (const record of encodedIdempotency) stream.idempotency.set(record.key, record.value);
    this.#streams.set(key, stream);
    const byIndex = this.#indexesOf(commit.ref.type);
    for (const entry of commit.indexDeletes) byIndex.get(entry.index)?.get(entry.key)?.delete(commit.ref.id);
    for (const { entry, value } of indexPuts) {
      const byKey = byIndex.get(entry.index) ?? new Map<string, Map<string, Encoded>>();
      byIndex.set(entry.index, byKey);
      const ids = byKey.get(entry.key) ?? new Map<string, Encoded>();
      byKey.set(entry.key, ids);
      ids.set(commit.ref.id, value);
    }
    for (const { record, value } of outbox) {
      this.#outbox.set(record.id, { commit: commitNumber, position: record.position, record: value });
    }
  }

  async loadSnapshot(ref: AggregateRef): Promise<Snapshot<TState> | undefined> {
    checkRef(ref);
    const snapshot = this.#streams.get(refKey(ref))?.snapshot;
    return snapshot && decodeRecord<Snapshot<TState>>(snapshot.value, `snapshot of ${refKey(ref)}`);
  }

  async *readHistory(ref: AggregateRef, options: HistoryOptions = {}): AsyncIterable<EventRecord<TInbound>> {
    checkRef(ref);
    const checked = checkHistoryOptions(options);
    const pageSize = checked.pageSize ?? this.#pageSize;
    let after = checked.afterSequence;
    for (;;) {
      const events = this.#streams.get(refKey(ref))?.events ?? [];
      // Sequences are 1-based and dense, so event n sits at index n - 1.
      const page = events.slice(after, after + pageSize);
      if (page.length === 0) return;
      for (const event of page) yield decodeRecord<EventRecord<TInbound>>(event, `event of ${refKey(ref)}`);
      after += page.length;
      if (page.length < pageSize) return;
    }
  }

  async queryIndex(aggregateType: string, index: string, key: string): Promise<Snapshot<TState>[]> {
    checkIndexQuery(aggregateType, index, key);
    const ids = this.#indexes.get(aggregateType)?.get(index)?.get(key);
    if (!ids) return [];
    return [...ids.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([id, snapshot]) => decodeRecord<Snapshot<TState>>(snapshot, `index entry of ${id}`));
  }

  async loadIdempotencyRecord(
    ref: AggregateRef,
    key: string,
  ): Promise<IdempotencyRecord<TState, TInbound, TOutbound> | undefined> {
    checkRef(ref);
    checkKey('idempotency key', key);
    const record = this.#streams.get(refKey(ref))?.idempotency.get(key);
    return record === undefined ? undefined : decodeRecord<IdempotencyRecord<TState, TInbound, TOutbound>>(record, `idempotency record ${key}`);
  }

  async pendingOutbox(options: { limit?: number } = {}): Promise<OutboxRecord<TOutbound>[]> {
    const limit = checkOutboxLimit(options);
    return [...this.#outbox.entries()]
      .sort(([, a], [, b]) => a.commit - b.commit || a.position - b.position)
      .slice(0, limit)
      .map(([id, pending]) => decodeRecord<OutboxRecord<TOutbound>>(pending.record, `outbox record ${id}`));
  }

  async markPublished(records: readonly OutboxRecord<TOutbound>[]): Promise<void> {
    for (const record of records) this.#outbox.delete(record.id);
  }

  /** Ids of `aggregateType`, ascending by code point: a binary search finds where a page starts. */
  async listAggregateIds(aggregateType: string, options?: ListAggregateIdsOptions): Promise<AggregateIdPage> {
    const { limit, after } = listingStart(aggregateType, options);
    const ids = this.#ids.get(aggregateType) ?? [];
    const start = after === undefined ? 0 : positionAfter(ids, after);
    return pageOf(ids.slice(start, start + limit + 1), limit);
  }

  #listed(ref: AggregateRef): void {
    let ids = this.#ids.get(ref.type);
    if (!ids) this.#ids.set(ref.type, (ids = []));
    ids.splice(positionAfter(ids, ref.id), 0, ref.id);
  }

  #indexesOf(aggregateType: string) {
    let byIndex = this.#indexes.get(aggregateType);
    if (!byIndex) this.#indexes.set(aggregateType, (byIndex = new Map()));
    return byIndex;
  }
}

/** Index of the first id in the sorted `ids` greater than `id`. */
function positionAfter(ids: readonly string[], id: string): number {
  let low = 0;
  let high = ids.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareCodePoints(ids[middle]!, id) <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

function refKey(ref: AggregateRef): string {
  return `${ref.type}\u0000${ref.id}`;
}
