import type { AggregateRef } from '../types.js';

/**
 * Where a {@link WebStorageEventStore} keeps things. Every key starts with the namespace and
 * belongs to exactly one aggregate, so commits to different aggregates never touch one key:
 *
 * - `<ns>/snapshot/<type>/<id>`: the snapshot (written last in a commit; other tabs watch it)
 * - `<ns>/events/<type>/<id>/<chunk>`: inbound events, `eventsPerKey` per key
 * - `<ns>/outbox/<type>/<id>`: pending outbox records (absent when none are pending)
 * - `<ns>/index/<type>/<index>/<key>/<id>`: index copies of the snapshot
 * - `<ns>/idempotency/<type>/<id>/<key>`: idempotency records
 *
 * Type, id, index names and keys are URI-encoded, so `/` inside them cannot be confused with
 * the separator.
 */
export class WebStorageKeys {
  constructor(readonly namespace: string) {}

  snapshot(ref: AggregateRef): string {
    return `${this.namespace}/snapshot/${enc(ref.type)}/${enc(ref.id)}`;
  }

  /** The prefix of the snapshot keys of one aggregate type. */
  snapshotPrefix(aggregateType: string): string {
    return `${this.namespace}/snapshot/${enc(aggregateType)}/`;
  }

  /** The ref of a snapshot key, or undefined when `key` is not one of this namespace. */
  parseSnapshot(key: string): AggregateRef | undefined {
    const prefix = `${this.namespace}/snapshot/`;
    if (!key.startsWith(prefix)) return undefined;
    const parts = key.slice(prefix.length).split('/');
    if (parts.length !== 2) return undefined;
    try {
      return { type: decodeURIComponent(parts[0]!), id: decodeURIComponent(parts[1]!) };
    } catch {
      return undefined;
    }
  }

  events(ref: AggregateRef, chunk: number): string {
    return `${this.namespace}/events/${enc(ref.type)}/${enc(ref.id)}/${chunk}`;
  }

  outbox(ref: AggregateRef): string {
    return `${this.namespace}/outbox/${enc(ref.type)}/${enc(ref.id)}`;
  }

  get outboxPrefix(): string {
    return `${this.namespace}/outbox/`;
  }

  index(aggregateType: string, index: string, key: string, aggregateId: string): string {
    return `${this.indexPrefix(aggregateType, index, key)}${enc(aggregateId)}`;
  }

  /** The prefix shared by all entries under one index key; what follows it is the encoded aggregate id. */
  indexPrefix(aggregateType: string, index: string, key: string): string {
    return `${this.namespace}/index/${enc(aggregateType)}/${enc(index)}/${enc(key)}/`;
  }

  idempotency(ref: AggregateRef, key: string): string {
    return `${this.namespace}/idempotency/${enc(ref.type)}/${enc(ref.id)}/${enc(key)}`;
  }
}

function enc(part: string): string {
  return encodeURIComponent(part);
}
