import { InvalidOptionError } from './errors.js';
import { newId } from './ids.js';
import { checkKey } from './keys.js';
import type { DomainEvent, EventMetadata } from './types.js';

/** Options of {@link createEvent}. */
export interface CreateEventOptions {
  /** Use this id instead of a new one (e.g. an id from an upstream system); a non-empty, well-formed string. */
  readonly id?: string;
  /** When the event happened (any valid `Date`); defaults to now. */
  readonly occurredAt?: Date;
  /** An object of JSON values (see `docs/codec.md`). */
  readonly metadata?: EventMetadata;
}

/**
 * Creates an event: a new unique, time-sortable id, the type, the payload, `occurredAt` and
 * optional metadata. The result is frozen (its payload is not). Throws {@link InvalidKeyError}
 * for an empty or ill-formed type or id and {@link InvalidOptionError} for an invalid
 * `occurredAt` or metadata that is not an object.
 */
export function createEvent<TType extends string, TPayload>(
  type: TType,
  payload: TPayload,
  options: CreateEventOptions = {},
): DomainEvent<TType, TPayload> {
  checkKey('event type', type, true);
  if (options === null || typeof options !== 'object') throw new InvalidOptionError('createEvent options', options, 'an object');
  const { occurredAt, metadata, id } = options;
  if (occurredAt !== undefined && !(occurredAt instanceof Date && !Number.isNaN(occurredAt.getTime()))) {
    throw new InvalidOptionError('createEvent occurredAt', occurredAt, 'a valid Date');
  }
  if (metadata !== undefined && (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata))) {
    throw new InvalidOptionError('createEvent metadata', metadata, 'an object');
  }
  if (id !== undefined) checkKey('event id', id, true);
  const event: DomainEvent<TType, TPayload> = {
    id: id ?? (occurredAt ? newId(occurredAt.getTime()) : newId()),
    type,
    payload,
    occurredAt: occurredAt ? new Date(occurredAt.getTime()) : new Date(),
    ...(metadata === undefined ? {} : { metadata }),
  };
  return Object.freeze(event);
}
