import { EventSourcingError } from '../errors.js';

/**
 * A request to the destination got no answer within its timeout and was abandoned. The
 * records it carried count as not published (the destination may still have taken them:
 * delivery is at-least-once).
 */
export class PublishTimeoutError extends EventSourcingError {
  constructor(readonly timeoutMs: number) {
    super(`The destination did not answer within ${timeoutMs} ms`);
  }
}

/**
 * Publishing was cut short by its caller's signal (a relay stopping, a Lambda invocation
 * running out of time). What was not accepted before that is reported as not published.
 */
export class PublishAbortedError extends EventSourcingError {
  constructor(reason?: unknown) {
    super(`Publishing was aborted${reason instanceof Error ? `: ${reason.message}` : typeof reason === 'string' ? `: ${reason}` : ''}`);
  }
}
