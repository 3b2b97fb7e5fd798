//! Template of `aggregate.ts`: the typed aggregate class over the runtime's `Aggregate`.
import {
  Aggregate,
  type AppendResult,
  type AppendTarget,
  type DomainEvent,
  type EventStore,
  Processor,
  type RetryOptions,
  type Snapshot,
} from 'event-sourced-rules-engine';
import definition from './template.schema.js';
import { type TemplateIndexKeys, templateIndexList } from './indexes.js';
import { templateRules } from './rules.index.js';
import type { TemplateInbound, TemplateInboundEvent, TemplateOutbound, TemplateRules, TemplateState } from './types.js';

/** Options of {@link TemplateAggregate}. */
export interface TemplateAggregateOptions {
  /** Where events, snapshots, index entries and outbox records are kept. */
  readonly store: EventStore<TemplateState, TemplateInbound, TemplateOutbound>;
  /** Rules to use instead of the rule files (e.g. in a test). */
  readonly rules?: TemplateRules;
  /** Retries of concurrency conflicts in `append`; `false` for none. */
  readonly retry?: RetryOptions | false;
  /** Source of "now" for snapshots. */
  readonly clock?: () => Date;
}

/**
 * The Template aggregate: typed `append`, typed index queries, payloads validated against the
 * schema module's zod schemas (inbound before anything is written, outbound when published).
 */
export class TemplateAggregate extends Aggregate<TemplateState, TemplateInbound, TemplateOutbound> {
  /** The stored aggregate type. */
  static readonly aggregateType: string = definition.type;

  constructor(options: TemplateAggregateOptions) {
    super({
      type: definition.type,
      store: options.store,
      processor: new Processor<TemplateState, TemplateInbound, TemplateOutbound>(options.rules ?? templateRules, () =>
        structuredClone(definition.initial),
      ),
      indexes: templateIndexList,
      schemas: { inbound: definition.inbound, outbound: definition.outbound },
      ...(options.retry === undefined ? {} : { retry: options.retry }),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    });
  }

  /**
   * Applies inbound events (see `Aggregate.append`); only Template's inbound events type-check.
   * Payloads are parsed by their schemas before anything is written, so rules see parsed payloads.
   */
  override append(
    target: string | AppendTarget,
    ...events: TemplateInboundEvent[]
  ): Promise<AppendResult<TemplateState, TemplateInbound, TemplateOutbound>> {
    return super.append(target, ...(events as DomainEvent<string, TemplateInbound>[]));
  }

  /** Applies inbound events to a snapshot in hand (see `Aggregate.appendTo`). */
  override appendTo(
    snapshot: Snapshot<TemplateState>,
    ...events: TemplateInboundEvent[]
  ): Promise<AppendResult<TemplateState, TemplateInbound, TemplateOutbound>> {
    return super.appendTo(snapshot, ...(events as DomainEvent<string, TemplateInbound>[]));
  }
  // @each index

  /** Snapshots filed under `key` in the byKey index. */
  queryByKey(key: TemplateIndexKeys['byKey']): Promise<Snapshot<TemplateState>[]> {
    return this.query('byKey', key);
  }
  // @end
}
