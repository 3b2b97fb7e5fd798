/**
 * The data shapes shared by the runtime, its stores and generated code.
 *
 * Payload type parameters follow the seed README: `TInbound` and `TOutbound` are the unions
 * of inbound and outbound payloads, `TState` is the aggregate's state.
 */

/** A string key of an event type, e.g. `"ACCOUNT_OPENED"`. */
export type EventType = string;

/** Free-form metadata carried with an event (correlation ids, user, ...). JSON values only. */
export type EventMetadata = Record<string, unknown>;

/** An event as created by {@link createEvent}, before an aggregate records it. */
export interface DomainEvent<TType extends string = string, TPayload = unknown> {
  /** Unique, time-sortable id (26 characters, Crockford base32, ULID layout). */
  readonly id: string;
  readonly type: TType;
  readonly payload: TPayload;
  readonly occurredAt: Date;
  readonly metadata?: EventMetadata;
}

/** Identifies one aggregate instance. */
export interface AggregateRef {
  readonly type: string;
  readonly id: string;
}

/** An inbound event as stored: the event plus its place in the aggregate's history. */
export interface EventRecord<TPayload = unknown> extends DomainEvent<string, TPayload> {
  readonly aggregateType: string;
  readonly aggregateId: string;
  /** 1-based position in the aggregate's history. */
  readonly sequence: number;
  /**
   * The schema version of the event type the payload was written with. Absent means 1: events
   * stored before versions existed carry none, and read as version 1 in every store. Reads
   * through an {@link Aggregate} (history, rules, recalculation) upcast old events, so what
   * they hand out always carries the current version.
   */
  readonly schemaVersion?: number;
}

/** The state of one aggregate after folding its first `sequence` events. */
export interface Snapshot<TState = unknown> {
  readonly aggregateType: string;
  readonly aggregateId: string;
  /** Number of events folded into `state`; 0 for an aggregate with no events. */
  readonly sequence: number;
  readonly state: TState;
  /** When the snapshot was last written; the epoch for an aggregate with no events. */
  readonly updatedAt: Date;
  /**
   * The state schema version the snapshot was built under (absent means 1). An aggregate never
   * returns nor hands to rules a snapshot of another version: it rebuilds it from history.
   */
  readonly stateVersion?: number;
  /** The rules version the snapshot was built under (absent means 1); rebuilt like `stateVersion`. */
  readonly rulesVersion?: number;
}

/** An outbound event published by a rule, persisted with the commit that produced it. */
export interface OutboxRecord<TPayload = unknown> extends DomainEvent<string, TPayload> {
  readonly aggregateType: string;
  readonly aggregateId: string;
  /** Sequence of the aggregate after the commit that published this record. */
  readonly sequence: number;
  /** 0-based position among the records of that commit: (sequence, position) orders them. */
  readonly position: number;
  /** Id of the inbound event whose rule published this record. */
  readonly causationId: string;
}

/** A snapshot copy stored under an index key, so an index query is one read. */
export interface IndexEntry<TState = unknown> {
  readonly index: string;
  readonly key: string;
  readonly snapshot: Snapshot<TState>;
}

/** Names an index entry to delete. */
export interface IndexEntryKey {
  readonly index: string;
  readonly key: string;
}

/** What an append produced; also what an idempotency record replays. */
export interface AppendResult<TState = unknown, TInbound = unknown, TOutbound = unknown> {
  readonly snapshot: Snapshot<TState>;
  readonly events: readonly EventRecord<TInbound>[];
  readonly outbound: readonly OutboxRecord<TOutbound>[];
}

/** Remembers the result of an append made with an idempotency key. */
export interface IdempotencyRecord<TState = unknown, TInbound = unknown, TOutbound = unknown> {
  readonly key: string;
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly result: AppendResult<TState, TInbound, TOutbound>;
  readonly createdAt: Date;
}

/**
 * One atomic change to one aggregate. A store writes all of it or none of it, and only when
 * the stored snapshot's sequence still equals `expectedSequence` (0: no snapshot yet) and, when
 * `idempotency` is set, no record with that key exists yet. Otherwise it throws
 * {@link ConcurrencyError} and writes nothing.
 */
export interface Commit<TState = unknown, TInbound = unknown, TOutbound = unknown> {
  readonly ref: AggregateRef;
  readonly expectedSequence: number;
  /** New inbound events, sequences `expectedSequence + 1 ...` in order. May be empty (recalculate). */
  readonly events: readonly EventRecord<TInbound>[];
  readonly snapshot: Snapshot<TState>;
  readonly indexPuts: readonly IndexEntry<TState>[];
  readonly indexDeletes: readonly IndexEntryKey[];
  readonly outbox: readonly OutboxRecord<TOutbound>[];
  /**
   * The idempotency record of the append, or one record per idempotency key when several
   * appends are committed together (group commit); each key must be new. Read it with
   * {@link idempotencyRecordsOf}.
   */
  readonly idempotency?: IdempotencyRecord<TState, TInbound, TOutbound> | readonly IdempotencyRecord<TState, TInbound, TOutbound>[];
}

/** Options for reading history. */
export interface HistoryOptions {
  /** Only events with a sequence greater than this (default 0: from the start). */
  readonly afterSequence?: number;
  /** How many events a store fetches per page (a hint; stores may cap it). */
  readonly pageSize?: number;
}

/** Options of {@link EventStore.listAggregateIds}. */
export interface ListAggregateIdsOptions {
  /** At most this many ids in the page (default 100; stores may return fewer, never more). */
  readonly limit?: number;
  /** Where to go on: the `cursor` of the previous page. Absent: from the first id. */
  readonly cursor?: string;
}

/** One page of {@link EventStore.listAggregateIds}. */
export interface AggregateIdPage {
  /** Aggregate ids, ascending. */
  readonly ids: string[];
  /** Pass it back for the next page; absent on the last page. Opaque. */
  readonly cursor?: string;
}

/**
 * What a store can take in one commit. {@link Aggregate} keeps a group commit within these;
 * a store without limits leaves it out.
 */
export interface StoreLimits {
  /** Items (events, snapshot, index entries, outbox and idempotency records, ...) in one commit. */
  readonly commitItems?: number;
  /** Bytes in one commit, as the store counts them. */
  readonly commitBytes?: number;
}

/**
 * The storage boundary. Every adapter implements it and passes the contract suite exported
 * from `event-sourced-rules-engine/testing`.
 */
export interface EventStore<TState = unknown, TInbound = unknown, TOutbound = unknown> {
  /** Commits one change atomically; see {@link Commit}. */
  commit(commit: Commit<TState, TInbound, TOutbound>): Promise<void>;
  /** The latest snapshot, or undefined when the aggregate has no events. */
  loadSnapshot(ref: AggregateRef): Promise<Snapshot<TState> | undefined>;
  /** The aggregate's inbound events in sequence order, read page by page. */
  readHistory(ref: AggregateRef, options?: HistoryOptions): AsyncIterable<EventRecord<TInbound>>;
  /** Snapshot copies stored under `key` in `index` for aggregates of `aggregateType`, ordered by aggregate id. */
  queryIndex(aggregateType: string, index: string, key: string): Promise<Snapshot<TState>[]>;
  /** The record of an earlier append with this idempotency key, if any. */
  loadIdempotencyRecord(
    ref: AggregateRef,
    key: string,
  ): Promise<IdempotencyRecord<TState, TInbound, TOutbound> | undefined>;
  /** Outbox records not yet marked published, oldest commit first, at most `limit` (default 100). */
  pendingOutbox(options?: { limit?: number }): Promise<OutboxRecord<TOutbound>[]>;
  /** Marks outbox records (by event id) as published; unknown ids are ignored. */
  markPublished(records: readonly OutboxRecord<TOutbound>[]): Promise<void>;
  /**
   * The ids of the aggregates of `aggregateType` that have a snapshot, ascending, one page at a
   * time; the cost of a page is proportional to the page. Ascending means by Unicode code point
   * (the order of UTF-8 bytes); IndexedDB orders by UTF-16 code unit, which differs only
   * between characters U+E000–U+FFFF and characters above U+FFFF. Aggregates created while a listing
   * goes on may or may not appear; every other one appears exactly once.
   */
  listAggregateIds(aggregateType: string, options?: ListAggregateIdsOptions): Promise<AggregateIdPage>;
  /** What one commit can hold; absent when the store has no such limits. */
  readonly limits?: StoreLimits;
}
