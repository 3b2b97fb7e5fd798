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

/** An event type with no rule, where unknown types are not configured to be ignored. */
export class UnknownEventTypeError extends EventSourcingError {
  constructor(
    readonly eventType: string,
    readonly aggregateType?: string,
    readonly aggregateId?: string,
  ) {
    super(
      `No rule for event type ${JSON.stringify(eventType)}` +
        (aggregateType ? ` in aggregate ${aggregateType}${aggregateId ? ` ${JSON.stringify(aggregateId)}` : ''}` : ''),
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
