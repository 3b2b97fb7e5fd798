import {
  EventVersionError,
  MissingUpcasterError,
  UpcasterFailedError,
  type UpcastErrorDetails,
} from './errors.js';
import type { EventRecord } from './types.js';

/** Turns a payload of version `n` into one of version `n + 1`. */
export type UpcastStep = (payload: any) => unknown;

/** The version history of one event type: its current version and one step per older version. */
export interface EventUpcasters {
  /** The current schema version of the event type (a positive integer; new events are stamped with it). */
  readonly version: number;
  /** Step `n` turns a version-`n` payload into version `n + 1`; steps `1 … version - 1` are needed to read old events. */
  readonly steps: Readonly<Record<number, UpcastStep>>;
}

/**
 * Upcasters by event type. An event type that is not listed is at version 1. Generated
 * aggregate classes pass this from the schema module's version history and upcaster files.
 */
export type Upcasters = Readonly<Record<string, EventUpcasters>>;

/** The schema version a stored event was written with: `schemaVersion`, or 1 when absent. */
export function schemaVersionOf(event: { readonly schemaVersion?: number }): number {
  return event.schemaVersion ?? 1;
}

/**
 * Brings stored events of one aggregate type to the current schema version of their type, one
 * event at a time (so a history is upcast while it streams), and tells the current version of
 * a type for stamping new events.
 */
export class EventUpcaster {
  readonly #aggregateType: string;
  readonly #byType: ReadonlyMap<string, EventUpcasters>;

  /** Checks the shape of `upcasters` (a TypeError names what is wrong); steps are looked up when needed. */
  constructor(aggregateType: string, upcasters: Upcasters = {}) {
    if (upcasters === null || typeof upcasters !== 'object') {
      throw new TypeError(`Aggregate ${aggregateType}: \`upcasters\` must be an object keyed by event type`);
    }
    const byType = new Map<string, EventUpcasters>();
    for (const [type, entry] of Object.entries(upcasters)) {
      const where = `Aggregate ${aggregateType}: upcasters of ${type}`;
      if (!entry || !Number.isInteger(entry.version) || entry.version < 1) {
        throw new TypeError(`${where}: \`version\` must be a positive integer, got ${JSON.stringify(entry?.version)}`);
      }
      if (entry.steps === null || typeof entry.steps !== 'object') throw new TypeError(`${where}: \`steps\` must be an object`);
      for (const [from, step] of Object.entries(entry.steps)) {
        if (typeof step !== 'function') throw new TypeError(`${where}: step ${from} must be a function`);
      }
      byType.set(type, entry);
    }
    this.#aggregateType = aggregateType;
    this.#byType = byType;
  }

  /** Whether some event type has a version above 1 (otherwise reads need no upcasting at all). */
  get evolves(): boolean {
    for (const entry of this.#byType.values()) if (entry.version > 1) return true;
    return false;
  }

  /** The current schema version of an event type (1 when it has no upcasters). */
  versionOf(eventType: string): number {
    return this.#byType.get(eventType)?.version ?? 1;
  }

  /**
   * The event at the current version of its type: the same object when it is current already,
   * otherwise a copy with the upcast payload and `schemaVersion` set to the current version.
   * Throws an {@link UpcastError} subclass naming the event and the versions.
   */
  upcast<TPayload>(event: EventRecord<TPayload>): EventRecord<TPayload> {
    const stored = event.schemaVersion ?? 1;
    const current = this.versionOf(event.type);
    if (stored === current) return event;
    const details: UpcastErrorDetails = {
      aggregateType: event.aggregateType ?? this.#aggregateType,
      aggregateId: event.aggregateId,
      eventType: event.type,
      sequence: event.sequence,
      storedVersion: stored,
      currentVersion: current,
    };
    if (!Number.isInteger(stored) || stored < 1 || stored > current) throw new EventVersionError(details);
    const steps = this.#byType.get(event.type)!.steps;
    let payload: unknown = event.payload;
    for (let from = stored; from < current; from++) {
      const step = steps[from];
      if (typeof step !== 'function') throw new MissingUpcasterError(details, from);
      try {
        payload = step(payload);
      } catch (error) {
        throw new UpcasterFailedError(details, from, { cause: error });
      }
      if (payload === undefined) throw new UpcasterFailedError(details, from);
    }
    return { ...event, payload: payload as TPayload, schemaVersion: current };
  }

  /** Upcasts a stream of events as it is read: one event in memory at a time. */
  async *stream<TPayload>(events: AsyncIterable<EventRecord<TPayload>>): AsyncIterable<EventRecord<TPayload>> {
    for await (const event of events) yield this.upcast(event);
  }
}
