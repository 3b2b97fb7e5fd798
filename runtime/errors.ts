/** Base class of every error this library throws on purpose. */
export class EventSourcingError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A commit lost an optimistic-concurrency race: the stored sequence was not the expected one. */
export class ConcurrencyError extends EventSourcingError {
  constructor(
    readonly aggregateType: string,
    readonly aggregateId: string,
    readonly expectedSequence: number,
    readonly actualSequence?: number,
    options?: { cause?: unknown; reason?: string },
  ) {
    super(
      `Concurrent change to ${aggregateType} ${JSON.stringify(aggregateId)}: expected sequence ${expectedSequence}` +
        (actualSequence === undefined ? '' : `, found ${actualSequence}`) +
        (options?.reason ? ` (${options.reason})` : ''),
      options,
    );
  }
}

/** One failing location in a payload. */
export interface ValidationIssue {
  /** Path into the payload, e.g. `["address", "city"]`; empty for the payload itself. */
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** A payload failed its schema. Nothing was written. */
export class ValidationError extends EventSourcingError {
  constructor(
    readonly aggregateType: string,
    readonly aggregateId: string,
    readonly eventType: string,
    readonly direction: 'inbound' | 'outbound',
    readonly issues: readonly ValidationIssue[],
    /**
     * For an inbound payload: the 0-based position of the failing event among the events of
     * the `append`/`appendTo` call (what an HTTP caller needs to point at its request body).
     */
    readonly eventIndex?: number,
  ) {
    const where = issues
      .map((issue) => `${issue.path.length ? issue.path.join('.') : '(payload)'}: ${issue.message}`)
      .join('; ');
    super(`Invalid ${direction} ${eventType} payload for ${aggregateType} ${JSON.stringify(aggregateId)}: ${where}`);
  }
  /** The first failing path, joined with dots (`""` for the payload itself). */
  get path(): string {
    return this.issues[0]?.path.join('.') ?? '';
  }
}

/** ` in aggregate ACCOUNT "a-1"` for messages, or `""` when the aggregate is not known. */
function inAggregate(aggregateType: string | undefined, aggregateId: string | undefined): string {
  return aggregateType ? ` in aggregate ${aggregateType}${aggregateId ? ` ${JSON.stringify(aggregateId)}` : ''}` : '';
}

/** An event type with no rule, where unknown types are not configured to be ignored. */
export class UnknownEventTypeError extends EventSourcingError {
  constructor(
    readonly eventType: string,
    readonly aggregateType?: string,
    readonly aggregateId?: string,
  ) {
    super(
      `No rule for event type ${JSON.stringify(eventType)}${inAggregate(aggregateType, aggregateId)}`,
    );
  }
}

/**
 * A rule returned nothing, or something other than an object where the state is an object. A
 * rule must return the new state: the state it was given (mutated) or a new object.
 */
export class InvalidRuleResultError extends EventSourcingError {
  constructor(
    readonly eventType: string,
    /** What the rule returned: `undefined`, `null`, or `a <typeof>` (`a number`, `a string`, ...). */
    readonly returned: string,
    readonly aggregateType?: string,
    readonly aggregateId?: string,
  ) {
    super(
      `The rule for event type ${JSON.stringify(eventType)}${inAggregate(aggregateType, aggregateId)}` +
        ` returned ${returned}; a rule must return the new state (e.g. \`return state;\` after changing it, or a new object)`,
    );
  }
}

/** A store cannot take a change as given (too large, too many items, ...). Nothing was written. */
export class StoreLimitError extends EventSourcingError {}

/** A store failed for a reason other than a concurrency conflict. */
export class StoreError extends EventSourcingError {}

/**
 * A rule called `publish` after it returned (from a callback or a kept input object). A
 * publication belongs to the rule call that made it; a late one would be pinned on whatever
 * event runs then, so it is refused.
 */
export class PublishAfterRuleError extends EventSourcingError {
  constructor(
    readonly eventType: string,
    readonly causeId: string,
  ) {
    super(
      `publish(${JSON.stringify(eventType)}) was called after the rule for event ${causeId} returned; ` +
        'publish only while the rule runs',
    );
  }
}

/**
 * A value cannot be stored so that it reads back exactly (a `Map`, a `bigint`, `NaN`, a
 * circular reference, ...; see `docs/codec.md`). Thrown before anything is written, by every
 * store and by the runtime.
 */
export class UnsupportedValueError extends EventSourcingError {
  constructor(
    /** Where the value sits, e.g. `payload.items[2].at` (`""` for the value itself). */
    readonly path: string,
    /** Why it cannot be stored, e.g. `a Map cannot be stored`. */
    readonly reason: string,
    /** What holds the value, e.g. `event 01J… (DEPOSITED, sequence 3) of ACCOUNT "a-1"`, when known. */
    readonly subject?: string,
  ) {
    super(`Cannot store ${subject ?? 'the value'}: ${path ? `at ${path}: ` : ''}${reason}`);
  }
}

/**
 * An aggregate id, aggregate type, event type, event id, index name, index key or idempotency
 * key is not a usable key: not a string, or ill-formed UTF-16 (a lone surrogate such as
 * `"\uD800"`), which some stores would silently merge with another key. Nothing was written.
 */
export class InvalidKeyError extends EventSourcingError {
  constructor(
    /** Which key, e.g. `aggregate id`, `index key`. */
    readonly kind: string,
    /** The value given. */
    readonly value: unknown,
    readonly reason: string,
  ) {
    super(`Invalid ${kind} ${typeof value === 'string' ? JSON.stringify(value) : String(value)}: ${reason}`);
  }
}

/** An option has a value outside its documented range (e.g. `pageSize: 2.5`). */
export class InvalidOptionError extends EventSourcingError {
  constructor(
    /** The option, e.g. `history.pageSize`. */
    readonly option: string,
    /** The value given. */
    readonly value: unknown,
    /** What it must be, e.g. `a positive integer`. */
    readonly expected: string,
  ) {
    super(`Invalid option ${option}: ${describeOptionValue(value)} is not ${expected}`);
  }
}

function describeOptionValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' && Object.is(value, -0)) return '-0';
  return String(value);
}

/**
 * A stored record cannot be read: not what this library wrote (not JSON, wrong shape). Only
 * reads of that record's aggregate fail with it; lists across aggregates (pending outbox,
 * index queries) skip the record and report it to the store's `onCorruptRecord`.
 */
export class CorruptRecordError extends StoreError {
  constructor(
    /** The storage key, row or item holding the bad value. */
    readonly key: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`The value stored under ${JSON.stringify(key)} is corrupt: ${detail}`, options);
  }
}

/** What every {@link UpcastError} names: the stored event and the versions involved. */
export interface UpcastErrorDetails {
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly eventType: string;
  /** The event's place in the aggregate's history. */
  readonly sequence: number;
  /** The schema version the event was stored with (absent in storage means 1). */
  readonly storedVersion: number;
  /** The current schema version of the event type in this code. */
  readonly currentVersion: number;
}

/**
 * A stored event could not be brought to the current schema version of its type. Nothing was
 * handed to rules or readers past this event. Subclasses say why.
 */
export class UpcastError extends EventSourcingError implements UpcastErrorDetails {
  readonly aggregateType: string;
  readonly aggregateId: string;
  readonly eventType: string;
  readonly sequence: number;
  readonly storedVersion: number;
  readonly currentVersion: number;

  constructor(details: UpcastErrorDetails, reason: string, options?: { cause?: unknown }) {
    super(
      `Cannot upcast ${details.eventType} (sequence ${details.sequence}) of ${details.aggregateType} ` +
        `${JSON.stringify(details.aggregateId)} from schema version ${details.storedVersion} to ${details.currentVersion}: ${reason}`,
      options,
    );
    this.aggregateType = details.aggregateType;
    this.aggregateId = details.aggregateId;
    this.eventType = details.eventType;
    this.sequence = details.sequence;
    this.storedVersion = details.storedVersion;
    this.currentVersion = details.currentVersion;
  }
}

/** The upcaster step from `fromVersion` to `fromVersion + 1` of the event type is not defined. */
export class MissingUpcasterError extends UpcastError {
  constructor(
    details: UpcastErrorDetails,
    /** The version the missing step starts from. */
    readonly fromVersion: number,
  ) {
    super(details, `no upcaster step from version ${fromVersion} to ${fromVersion + 1}`);
  }
}

/** An upcaster step threw (the error is the `cause`) or returned `undefined`. */
export class UpcasterFailedError extends UpcastError {
  constructor(
    details: UpcastErrorDetails,
    /** The version the failing step starts from. */
    readonly fromVersion: number,
    options?: { cause?: unknown },
  ) {
    const why =
      options && 'cause' in options
        ? `the step from version ${fromVersion} to ${fromVersion + 1} threw: ${options.cause instanceof Error ? options.cause.message : String(options.cause)}`
        : `the step from version ${fromVersion} to ${fromVersion + 1} returned undefined`;
    super(details, why, options);
  }
}

/**
 * A stored event's schema version is not one this code can read: newer than the current
 * version (written by newer code), or not a positive integer.
 */
export class EventVersionError extends UpcastError {
  constructor(details: UpcastErrorDetails) {
    super(
      details,
      Number.isInteger(details.storedVersion) && details.storedVersion >= 1
        ? 'the event was written by newer code; deploy that code (or add the version) to read it'
        : 'the stored version is not a positive integer',
    );
  }
}

/**
 * `recalculateAll` stopped because an aggregate could not be recalculated (its error is the
 * `cause`). Aggregates before `cursor` are done: pass it as `cursor` to go on.
 */
export class RecalculateAllError extends EventSourcingError {
  constructor(
    readonly aggregateType: string,
    /** The aggregate that failed (undefined when listing the ids failed). */
    readonly aggregateId: string | undefined,
    /** Aggregates recalculated before it stopped. */
    readonly recalculated: number,
    /** Where to resume. */
    readonly cursor: string | undefined,
    cause: unknown,
  ) {
    super(
      `recalculateAll of ${aggregateType} stopped after ${recalculated} aggregate(s): ` +
        (aggregateId === undefined ? 'listing the ids failed' : `${JSON.stringify(aggregateId)} failed`) +
        `: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}
