//! Template of `aggregate.ts`: the typed aggregate class over the runtime's `Aggregate`.
import {
  Aggregate,
  type AppendResult,
  type AppendTarget,
  type EventRecord,
  type EventStore,
  type HistoryOptions,
  Processor,
  type RecalculateAllOptions,
  type RecalculateAllResult,
  type RecalculateOptions,
  type RetryOptions,
  type Snapshot,
  type Upcasters,
} from 'event-sourced-rules-engine';
import { initialState } from 'event-sourced-rules-engine/schema';
// @each zodMiniLocale
import { config as zodConfig } from 'zod/mini';
import english from 'zod/v4/locales/en.js';
// @end
import definition from './template.schema.js';
import { type TemplateIndexKeys, templateIndexList } from './indexes.js';
import { templateRules } from './rules.index.js';
// @each upcaster
import somethingHappenedV1ToV2 from './rules/upcasters/somethingHappenedV1ToV2.js';
// @end
import type {
  TemplateInbound,
  TemplateInboundEvent,
  TemplateInboundInput,
  TemplateOutbound,
  TemplateRules,
  TemplateState,
} from './types.js';

// @each zodMiniLocale
// zod/mini loads no locale (every issue would read "Invalid input"): English, as classic zod
// does, unless the app has set one (`z.config(...)`) before.
if (!zodConfig().localeError) zodConfig(english());

// @end
/** The state before any event: the schema module's `initial`, parsed by its state schema. */
const initial: TemplateState = initialState(definition);

/**
 * The version history of Template's versioned inbound events: each one's current schema
 * version and one upcaster per older version (the upcaster files), so the runtime stamps new
 * events with their version and upcasts stored ones as it reads them.
 */
export const templateUpcasters: Upcasters = { SOMETHING_HAPPENED: { version: 2, steps: { 1: somethingHappenedV1ToV2 } } };

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
 * The Template aggregate: a typed face over the runtime's `Aggregate` (available as
 * `aggregate`). Only Template's inbound events type-check in `append`; index queries take
 * their key type; payloads are validated against the schema module's zod schemas (inbound
 * before anything is written, outbound when published), so rules see parsed payloads.
 */
export class TemplateAggregate {
  /** The stored aggregate type. */
  static readonly aggregateType: string = definition.type;
  /** The runtime aggregate this class types. */
  readonly aggregate: Aggregate<TemplateState, TemplateInbound, TemplateOutbound, TemplateInboundInput>;

  constructor(options: TemplateAggregateOptions) {
    this.aggregate = new Aggregate<TemplateState, TemplateInbound, TemplateOutbound, TemplateInboundInput>({
      type: definition.type,
      store: options.store,
      processor: new Processor<TemplateState, TemplateInbound, TemplateOutbound>(options.rules ?? templateRules, () => structuredClone(initial)),
      indexes: templateIndexList,
      schemas: { inbound: definition.inbound, outbound: definition.outbound },
      upcasters: templateUpcasters,
      stateVersion: definition.stateVersion,
      rulesVersion: definition.rulesVersion,
      ...(options.retry === undefined ? {} : { retry: options.retry }),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    });
  }

  /** The latest snapshot; an aggregate with no events has the initial state and sequence 0. */
  get(id: string): Promise<Snapshot<TemplateState>> {
    return this.aggregate.get(id);
  }

  /** Applies inbound events and commits the change (see `Aggregate.append`); `target` is an id or `{ id, idempotencyKey }`. */
  append(
    target: string | AppendTarget,
    ...events: TemplateInboundEvent[]
  ): Promise<AppendResult<TemplateState, TemplateInbound, TemplateOutbound>> {
    return this.aggregate.append(target, ...events);
  }

  /** Applies inbound events to a snapshot in hand: one write, no read (see `Aggregate.appendTo`). */
  appendTo(
    snapshot: Snapshot<TemplateState>,
    ...events: TemplateInboundEvent[]
  ): Promise<AppendResult<TemplateState, TemplateInbound, TemplateOutbound>> {
    return this.aggregate.appendTo(snapshot, ...events);
  }

  /** Replays the whole history with the current rules and stores the new snapshot (see `Aggregate.recalculate`). */
  recalculate(id: string, options?: RecalculateOptions): Promise<Snapshot<TemplateState>> {
    return this.aggregate.recalculate(id, options);
  }

  /**
   * Recalculates every Template aggregate in the store, `concurrency` at a time, with progress,
   * an `AbortSignal` and a resumable cursor (see `Aggregate.recalculateAll`).
   */
  recalculateAll(options?: RecalculateAllOptions): Promise<RecalculateAllResult> {
    return this.aggregate.recalculateAll(options);
  }

  /** The aggregate's inbound events in order, read page by page. */
  history(id: string, options?: HistoryOptions): AsyncIterable<EventRecord<TemplateInbound>> {
    return this.aggregate.history(id, options);
  }
  // @each index

  /** Snapshots filed under `key` in the byKey index, in one read. */
  queryByKey(key: TemplateIndexKeys['byKey']): Promise<Snapshot<TemplateState>[]> {
    return this.aggregate.query('byKey', key);
  }
  // @end
}
