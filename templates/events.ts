//! Template of `events.ts`: one typed creator per inbound event.
import { type CreateEventOptions, type DomainEvent, createEvent } from 'event-sourced-rules-engine';
import type { TemplateInboundInputMap } from './types.js';

/** Typed creators of Template's inbound events: one method per event type, named after it in camelCase. */
export const TemplateEvents = {
  // @each inbound
  /** Creates an event of type SOMETHING_HAPPENED (a new id; `occurredAt` is now unless given). */
  somethingHappened(
    payload: TemplateInboundInputMap['SOMETHING_HAPPENED'],
    options?: CreateEventOptions,
  ): DomainEvent<'SOMETHING_HAPPENED', TemplateInboundInputMap['SOMETHING_HAPPENED']> {
    return createEvent('SOMETHING_HAPPENED', payload, options);
  },
  // @end
} as const;
