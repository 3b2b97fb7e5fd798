/**
 * RFC 9457 problem details: the body of every error response of the HTTP handler, sent as
 * `application/problem+json`.
 */
import type { HttpApiResult } from './api-gateway.js';

/** Where the problem types are described; each type is this page with a fragment. */
export const PROBLEM_TYPE_BASE = 'https://github.com/Rooster212/event-sourced-rules-engine/blob/main/docs/http-service.md';

/** One failing location in a request: a JSON Pointer (RFC 6901) into the request body, and why. */
export interface ProblemIssue {
  /** E.g. `/events/0/payload/amount`; `""` for the body itself. */
  readonly path: string;
  readonly message: string;
}

/** An RFC 9457 problem details object, as the handler sends it. */
export interface Problem {
  /** A URI naming the kind of problem (see {@link PROBLEM_TYPES}). */
  readonly type: string;
  /** A short summary of the kind of problem, the same for every occurrence. */
  readonly title: string;
  /** The HTTP status code. */
  readonly status: number;
  /** What went wrong with this request, in a sentence. */
  readonly detail?: string;
  /** The request's path. */
  readonly instance?: string;
  /** For a request body that fails validation: every failing location. */
  readonly issues?: readonly ProblemIssue[];
}

/** A kind of problem: its status and title. */
export interface ProblemType {
  readonly status: number;
  readonly title: string;
  /** The fragment of its `type` URI. */
  readonly slug: string;
}

/** Every kind of problem the handler answers with. */
export const PROBLEM_TYPES = {
  /** 400: the body is not `{ events: [...] }`, or a payload failed its schema. `issues` names every failing location. */
  validation: { status: 400, title: 'Validation failed', slug: 'validation-error' },
  /** 400: the body is not JSON. */
  malformedJson: { status: 400, title: 'Malformed JSON', slug: 'malformed-json' },
  /** 400: a bad query parameter, path encoding, aggregate id, index key or idempotency key. */
  badRequest: { status: 400, title: 'Bad request', slug: 'bad-request' },
  /** 404: no route for this path (or no such index). */
  notFound: { status: 404, title: 'Not found', slug: 'not-found' },
  /** 404: the aggregate has no events (sequence 0). */
  aggregateNotFound: { status: 404, title: 'Aggregate not found', slug: 'aggregate-not-found' },
  /** 405: the path exists, the method does not (the `Allow` header lists those that do). */
  methodNotAllowed: { status: 405, title: 'Method not allowed', slug: 'method-not-allowed' },
  /** 409: other writers kept changing the aggregate until the append's retries ran out. */
  concurrencyConflict: { status: 409, title: 'Concurrent changes', slug: 'concurrency-conflict' },
  /** 413: the body is larger than the handler's `maxBodyBytes`. */
  payloadTooLarge: { status: 413, title: 'Payload too large', slug: 'payload-too-large' },
  /** 413: the change is larger than the store takes in one commit (DynamoDB: 100 items, 4 MB, 400 KB per item). */
  storeLimitExceeded: { status: 413, title: 'Change too large for the store', slug: 'store-limit-exceeded' },
  /** 415: the body is not sent as `application/json`. */
  unsupportedMediaType: { status: 415, title: 'Unsupported media type', slug: 'unsupported-media-type' },
  /** 422: an event type the aggregate has no rule for. */
  unknownEventType: { status: 422, title: 'Unknown event type', slug: 'unknown-event-type' },
  /** 500: anything else; the body carries only the request id, the log has the error. */
  internalError: { status: 500, title: 'Internal server error', slug: 'internal-error' },
} as const satisfies Record<string, ProblemType>;

/** The `type` URI of a kind of problem. */
export function problemTypeUri(type: ProblemType): string {
  return `${PROBLEM_TYPE_BASE}#${type.slug}`;
}

/** A problem to answer with, thrown inside the handler and turned into a response at its edge. */
export class HttpProblem extends Error {
  constructor(
    readonly problemType: ProblemType,
    readonly detail?: string,
    readonly issues?: readonly ProblemIssue[],
    /** Extra response headers (e.g. `Allow` of a 405). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(detail ?? problemType.title);
    this.name = 'HttpProblem';
  }
}

/** The response of a problem. */
export function problemResponse(problem: HttpProblem, instance: string | undefined): HttpApiResult {
  const body: Problem = {
    type: problemTypeUri(problem.problemType),
    title: problem.problemType.title,
    status: problem.problemType.status,
    ...(problem.detail === undefined ? {} : { detail: problem.detail }),
    ...(instance === undefined ? {} : { instance }),
    ...(problem.issues === undefined ? {} : { issues: problem.issues }),
  };
  return {
    statusCode: body.status,
    headers: { 'content-type': 'application/problem+json', ...problem.headers },
    body: JSON.stringify(body),
    isBase64Encoded: false,
  };
}

/** A JSON Pointer (RFC 6901) of a path: `["events", 0, "payload"]` → `/events/0/payload`. */
export function jsonPointer(path: readonly (string | number)[]): string {
  return path.map((part) => `/${String(part).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}
