/**
 * event-sourced-rules-engine/outbox: publishing outbox records from stores without a change
 * stream, and the publisher contract every destination implements.
 */
export type { OutboxPublisher, PublishResult, PublishFailure, PublishOptions } from './publisher.js';
export { PublishTimeoutError, PublishAbortedError } from './errors.js';
export { OutboxRelay, type OutboxRelayOptions, type RelayPollResult, type RelayableStore } from './relay.js';
export { aggregateKeyOf, compareWithinAggregate, queuesByAggregate } from './order.js';
