import { ConcurrencyError } from '../errors.js';
import type {
  AggregateRef,
  Commit,
  EventRecord,
  EventStore,
  HistoryOptions,
  IdempotencyRecord,
  OutboxRecord,
  Snapshot,
} from '../types.js';

interface Stream {
  snapshot?: Snapshot<unknown>;
  events: EventRecord<unknown>[];
  idempotency: Map<string, IdempotencyRecord<unknown, unknown, unknown>>;
}

interface PendingOutbox {
  commit: number;
  record: OutboxRecord<unknown>;
}

/** Options of {@link InMemoryEventStore}. */
export interface InMemoryEventStoreOptions {
  /** Events per page when reading history (default 500). */
  readonly pageSize?: number;
}

/**
 * The reference {@link EventStore}: everything in process memory, every value copied on the
 * way in and out (so callers can never mutate what is stored). For tests, examples and
 * short-lived processes.
 */
export class InMemoryEventStore<TState = unknown, TInbound = unknown, TOutbound = unknown>
  implements EventStore<TState, TInbound, TOutbound>
{
  readonly #streams = new Map<string, Stream>();
  /** aggregateType → index → key → aggregateId → snapshot */
  readonly #indexes = new Map<string, Map<string, Map<string, Map<string, Snapshot<unknown>>>>>();
  readonly #outbox = new Map<string, PendingOutbox>();
  readonly #pageSize: number;
  #commits = 0;

  constructor(options: InMemoryEventStoreOptions = {}) {
    this.#pageSize = options.pageSize ?? 500;
  }

  async commit(commit: Commit<TState, TInbound, TOutbound>): Promise<void> {
    const key = refKey(commit.ref);
    const stream: Stream = this.#streams.get(key) ?? { events: [], idempotency: new Map() };
    const actual = stream.snapshot?.sequence ?? 0;
    if (actual !== commit.expectedSequence) {
      throw new ConcurrencyError(commit.ref.type, commit.ref.id, commit.expectedSequence, actual);
    }
    if (commit.idempotency && stream.idempotency.has(commit.idempotency.key)) {
      throw new ConcurrencyError(commit.ref.type, commit.ref.id, commit.expectedSequence, actual, {
        reason: `idempotency key ${JSON.stringify(commit.idempotency.key)} already used`,
      });
    }
    // Copy everything first: if a value cannot be cloned, nothing has been changed yet.
    const copy = structuredClone({
      events: commit.events,
      snapshot: commit.snapshot,
      indexPuts: commit.indexPuts,
      outbox: commit.outbox,
      idempotency: commit.idempotency,
    });
    const commitNumber = ++this.#commits;
    stream.events.push(...(copy.events as EventRecord<unknown>[]));
    stream.snapshot = copy.snapshot;
    if (copy.idempotency) stream.idempotency.set(copy.idempotency.key, copy.idempotency);
    this.#streams.set(key, stream);
    const byIndex = this.#indexesOf(commit.ref.type);
    for (const entry of commit.indexDeletes) byIndex.get(entry.index)?.get(entry.key)?.delete(commit.ref.id);
    for (const entry of copy.indexPuts) {
      const byKey = byIndex.get(entry.index) ?? new Map<string, Map<string, Snapshot<unknown>>>();
      byIndex.set(entry.index, byKey);
      const ids = byKey.get(entry.key) ?? new Map<string, Snapshot<unknown>>();
      byKey.set(entry.key, ids);
      ids.set(commit.ref.id, entry.snapshot);
    }
    for (const record of copy.outbox) this.#outbox.set(record.id, { commit: commitNumber, record });
  }

  async loadSnapshot(ref: AggregateRef): Promise<Snapshot<TState> | undefined> {
    const snapshot = this.#streams.get(refKey(ref))?.snapshot;
    return snapshot && (structuredClone(snapshot) as Snapshot<TState>);
  }

  async *readHistory(ref: AggregateRef, options: HistoryOptions = {}): AsyncIterable<EventRecord<TInbound>> {
    const pageSize = Math.max(1, options.pageSize ?? this.#pageSize);
    let after = options.afterSequence ?? 0;
    for (;;) {
      const events = this.#streams.get(refKey(ref))?.events ?? [];
      // Sequences are 1-based and dense, so event n sits at index n - 1.
      const page = events.slice(after, after + pageSize);
      if (page.length === 0) return;
      for (const event of structuredClone(page)) yield event as EventRecord<TInbound>;
      after += page.length;
      if (page.length < pageSize) return;
    }
  }

  async queryIndex(aggregateType: string, index: string, key: string): Promise<Snapshot<TState>[]> {
    const ids = this.#indexes.get(aggregateType)?.get(index)?.get(key);
    if (!ids) return [];
    return [...ids.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, snapshot]) => structuredClone(snapshot) as Snapshot<TState>);
  }

  async loadIdempotencyRecord(
    ref: AggregateRef,
    key: string,
  ): Promise<IdempotencyRecord<TState, TInbound, TOutbound> | undefined> {
    const record = this.#streams.get(refKey(ref))?.idempotency.get(key);
    return record && (structuredClone(record) as IdempotencyRecord<TState, TInbound, TOutbound>);
  }

  async pendingOutbox(options: { limit?: number } = {}): Promise<OutboxRecord<TOutbound>[]> {
    const limit = options.limit ?? 100;
    return [...this.#outbox.values()]
      .sort((a, b) => a.commit - b.commit || a.record.position - b.record.position)
      .slice(0, limit)
      .map((pending) => structuredClone(pending.record) as OutboxRecord<TOutbound>);
  }

  async markPublished(records: readonly OutboxRecord<TOutbound>[]): Promise<void> {
    for (const record of records) this.#outbox.delete(record.id);
  }

  #indexesOf(aggregateType: string) {
    let byIndex = this.#indexes.get(aggregateType);
    if (!byIndex) this.#indexes.set(aggregateType, (byIndex = new Map()));
    return byIndex;
  }
}

function refKey(ref: AggregateRef): string {
  return `${ref.type}\u0000${ref.id}`;
}
