import { newId } from './ids.js';
import type { DomainEvent, EventMetadata } from './types.js';

/** Options of {@link createEvent}. */
export interface CreateEventOptions {
  /** Use this id instead of a new one (e.g. an id from an upstream system). */
  readonly id?: string;
  /** When the event happened; defaults to now. */
  readonly occurredAt?: Date;
  readonly metadata?: EventMetadata;
}

/**
 * Creates an event: a new unique, time-sortable id, the type, the payload, `occurredAt` and
 * optional metadata. The result is frozen (its payload is not).
 */
export function createEvent<TType extends string, TPayload>(
  type: TType,
  payload: TPayload,
  options: CreateEventOptions = {},
): DomainEvent<TType, TPayload> {
  if (typeof type !== 'string' || type.length === 0) {
    throw new TypeError('createEvent: the event type must be a non-empty string');
  }
  const occurredAt = options.occurredAt ?? new Date();
  const event: DomainEvent<TType, TPayload> = {
    id: options.id ?? newId(occurredAt.getTime()),
    type,
    payload,
    occurredAt,
    ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
  };
  return Object.freeze(event);
}
