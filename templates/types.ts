//! Template of `types.ts`: the aggregate's types, derived from the schema module with
//! `SchemaOutput` (what `z.infer` gives), so the schema stays the one source of truth.
import type { DomainEvent, Rule, Rules } from 'event-sourced-rules-engine';
import type { SchemaInput, SchemaOutput } from 'event-sourced-rules-engine/schema';
import type definition from './template.schema.js';

type Definition = typeof definition;

/** The state of the Template aggregate. */
export type TemplateState = SchemaOutput<Definition['state']>;

// @each inbound
/** Payload of the inbound event SOMETHING_HAPPENED, as rules see it (parsed: defaults applied). */
export type SomethingHappenedPayload = SchemaOutput<Definition['inbound']['SOMETHING_HAPPENED']>;
/** Payload of the inbound event SOMETHING_HAPPENED, as it is created (before parsing). */
export type SomethingHappenedInput = SchemaInput<Definition['inbound']['SOMETHING_HAPPENED']>;
// @end
// @each inboundVersion
/** Payload of SOMETHING_HAPPENED at schema version 1, as stored by then (parsed when it was appended); upcasters read and return these. */
export type SomethingHappenedV1Payload = SchemaOutput<Definition['inbound']['SOMETHING_HAPPENED']['versions'][1]>;
// @end

// @each outbound
/** Payload of the outbound event SOMETHING_PUBLISHED, as it is sent (parsed: defaults applied). */
export type SomethingPublishedOutboundPayload = SchemaOutput<Definition['outbound']['SOMETHING_PUBLISHED']>;
/** Payload of the outbound event SOMETHING_PUBLISHED, as a rule publishes it (before parsing). */
export type SomethingPublishedOutboundInput = SchemaInput<Definition['outbound']['SOMETHING_PUBLISHED']>;
// @end

/** Inbound event type → payload as rules see it. */
export interface TemplateInboundMap {
  // @each inbound
  SOMETHING_HAPPENED: SomethingHappenedPayload;
  // @end
}

/** Inbound event type → payload as it is created. */
export interface TemplateInboundInputMap {
  // @each inbound
  SOMETHING_HAPPENED: SomethingHappenedInput;
  // @end
}

/** Outbound event type → payload as it is sent. */
export interface TemplateOutboundMap {
  // @each outbound
  SOMETHING_PUBLISHED: SomethingPublishedOutboundPayload;
  // @end
}

/** Outbound event type → payload as a rule publishes it: the only events Template rules may publish. */
export interface TemplateOutboundInputMap {
  // @each outbound
  SOMETHING_PUBLISHED: SomethingPublishedOutboundInput;
  // @end
}

/** Inbound event types of Template. */
export type TemplateInboundType = keyof TemplateInboundMap;

/** Outbound event types of Template. */
export type TemplateOutboundType = keyof TemplateOutboundMap;

/** Any inbound payload of Template. */
export type TemplateInbound = TemplateInboundMap[TemplateInboundType];

/** Any inbound payload of Template, as it is created (before parsing). */
export type TemplateInboundInput = TemplateInboundInputMap[TemplateInboundType];

/** Any outbound payload of Template. */
export type TemplateOutbound = TemplateOutboundMap[TemplateOutboundType];

/** An inbound event of Template, as created and appended: a union discriminated by `type`. */
export type TemplateInboundEvent = {
  [K in TemplateInboundType]: DomainEvent<K, TemplateInboundInputMap[K]>;
}[TemplateInboundType];

/** The rule of inbound event `K`: `current` is its payload, `publish` takes only declared outbound events. */
export type TemplateRule<K extends TemplateInboundType> = Rule<TemplateState, TemplateInboundMap, TemplateOutboundInputMap, K>;

/** One rule per inbound event of Template. */
export type TemplateRules = Rules<TemplateState, TemplateInboundMap, TemplateOutboundInputMap>;
