/**
 * `createHttpHandler`: serves one aggregate over an API Gateway HTTP API (payload format 2.0):
 * appends events, reads the snapshot, pages the history, queries an index; every error is an
 * RFC 9457 problem, and nothing is written on any 4xx.
 */
import type { Aggregate } from '../aggregate.js';
import {
  ConcurrencyError,
  InvalidKeyError,
  StoreLimitError,
  UnknownEventTypeError,
  UnsupportedValueError,
  ValidationError,
} from '../errors.js';
import { createEvent } from '../event.js';
import { jsonLineLogger, type Logger } from '../eventbridge/log.js';
import { newId } from '../ids.js';
import type { AggregateSchemas } from '../schemas.js';
import type { DomainEvent, EventRecord, OutboxRecord, Snapshot } from '../types.js';
import type { HttpApiEvent, HttpApiResult } from './api-gateway.js';
import { afterSequence, historyCursor } from './history-cursor.js';
import { HttpProblem, PROBLEM_TYPES, type ProblemIssue, jsonPointer, problemResponse } from './problem.js';
import { header, readEvents, type RequestedEvent } from './request-body.js';
import { type InvalidDateTime, reviveDates } from './revive-dates.js';
import { type Route, matchRoute } from './routes.js';

/** Default {@link HttpHandlerOptions.maxBodyBytes}: 256 KiB. */
export const DEFAULT_MAX_BODY_BYTES = 262_144;
/** Events in a history page when the request gives no `limit`. */
export const DEFAULT_HISTORY_LIMIT = 100;
/** The largest `limit` a history request may give. */
export const MAX_HISTORY_LIMIT = 1000;
/** The longest `Idempotency-Key` accepted, in characters. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 256;

/**
 * What the handler needs of an aggregate: a runtime `Aggregate` (any copy of this package), of
 * any state and event types, including one whose rules publish nothing (outbound type `never`).
 * Of its processor only the inbound event types are read (`processor.run` takes the outbound
 * type in a parameter, which would refuse such an aggregate).
 */
export type ServedAggregate = Pick<Aggregate<any, any, any, any>, 'type' | 'indexes' | 'get' | 'append' | 'history' | 'query'> & {
  readonly processor: { readonly eventTypes: readonly string[] };
  /** Its schemas: the inbound ones say where a payload has dates, sent as RFC 3339 strings and read into `Date`s (without them, payloads are validated as parsed). */
  readonly schemas?: AggregateSchemas;
};

/** How an index's keys are written in a URL: as they are, or as a number (canonical decimal). */
export type IndexKeyType = 'string' | 'number';

/** Options of {@link createHttpHandler}. */
export interface HttpHandlerOptions {
  /** The aggregate to serve: a runtime `Aggregate`, or a generated aggregate class (which holds one as `aggregate`). */
  readonly aggregate: ServedAggregate | { readonly aggregate: ServedAggregate };
  /** The first path segment of the routes: the aggregate's folder name, e.g. `account`, `bank-account`. */
  readonly path: string;
  /**
   * The key type of each index (default `'string'` for every index). A `'number'` index takes
   * only a canonical decimal key (`42`, `-1.5`, not `042`): numbers are filed under their
   * decimal string, so any other spelling could never match, and it gets a 400 instead.
   */
  readonly indexKeyTypes?: Readonly<Record<string, IndexKeyType>>;
  /** Largest body accepted, in bytes after base64 decoding (default {@link DEFAULT_MAX_BODY_BYTES}); larger ones get 413. */
  readonly maxBodyBytes?: number;
  /** Where the error of a 500 is logged, with the request id (default: one JSON line on stdout, which CloudWatch keeps as is). */
  readonly logger?: Logger;
}

/** The Lambda handler {@link createHttpHandler} returns: one request in, one response out; it never throws. */
export type HttpHandler = (event: HttpApiEvent) => Promise<HttpApiResult>;

/** The body of a `POST /{aggregate}/{id}/events` response (200 or 201). */
export interface AppendResponseBody<TState = unknown, TInbound = unknown, TOutbound = unknown> {
  /** The snapshot after the append. */
  readonly snapshot: Snapshot<TState>;
  /** The appended events as recorded (ids, sequences, parsed payloads). */
  readonly events: readonly EventRecord<TInbound>[];
  /** The outbound events the rules published (in the outbox, on their way to EventBridge). */
  readonly outbound: readonly OutboxRecord<TOutbound>[];
}

/** The body of a `GET /{aggregate}/{id}/events` response. */
export interface HistoryPageBody<TInbound = unknown> {
  /** Up to `limit` events, ascending by sequence. */
  readonly events: readonly EventRecord<TInbound>[];
  /** Pass it as `after` for the next page; absent on the last page. Opaque. */
  readonly next?: string;
}

/** The body of a `GET /{aggregate}/by/{index}/{key}` response. */
export interface IndexQueryBody<TState = unknown> {
  /** The snapshots filed under the key, ordered by aggregate id. */
  readonly snapshots: readonly Snapshot<TState>[];
}

/**
 * A Lambda handler serving one aggregate over an API Gateway HTTP API (payload format 2.0):
 *
 * - `POST /{path}/{id}/events` with `{ "events": [{ "type", "payload", "metadata"? }] }` as
 *   `application/json`: appends the events (validated by the aggregate's inbound schemas); an
 *   `Idempotency-Key` header makes a repeat return the first result and write nothing. 201 when
 *   this append created the aggregate (its first event has sequence 1), else 200; the body is
 *   {@link AppendResponseBody}.
 * - `GET /{path}/{id}`: the snapshot; 404 when the aggregate has no events (sequence 0).
 * - `GET /{path}/{id}/events?after=&limit=`: a {@link HistoryPageBody}; 404 when the aggregate
 *   has no events (a page after its last event is empty, not a 404).
 * - `GET /{path}/by/{index}/{key}`: an {@link IndexQueryBody}.
 *
 * Errors are `application/problem+json` (see {@link PROBLEM_TYPES}); a 500 logs the error with
 * the request id and answers with the id only.
 */
export function createHttpHandler(options: HttpHandlerOptions): HttpHandler {
  if (!options || typeof options !== 'object') throw new TypeError('createHttpHandler: give { aggregate, path }');
  const aggregate: ServedAggregate = 'aggregate' in options.aggregate && !('processor' in options.aggregate) ? options.aggregate.aggregate : (options.aggregate as ServedAggregate);
  if (!aggregate || typeof aggregate.append !== 'function') throw new TypeError('createHttpHandler: `aggregate` must be an Aggregate or a generated aggregate class');
  const prefix = options.path;
  if (typeof prefix !== 'string' || !/^[a-z][a-z0-9-]*$/.test(prefix)) {
    throw new TypeError(`createHttpHandler: path ${JSON.stringify(prefix)} is not a path segment (lowercase letters, digits and "-", e.g. "bank-account")`);
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 1) throw new TypeError(`createHttpHandler: maxBodyBytes must be a positive whole number, got ${maxBodyBytes}`);
  const indexes = new Map<string, IndexKeyType>(aggregate.indexes.map((index) => [index.name, options.indexKeyTypes?.[index.name] ?? 'string']));
  for (const name of Object.keys(options.indexKeyTypes ?? {})) {
    if (!indexes.has(name)) throw new TypeError(`createHttpHandler: indexKeyTypes names ${name}, which is not an index of ${aggregate.type}`);
  }
  const logger = options.logger ?? jsonLineLogger;

  const serve = async (event: HttpApiEvent, route: Route, query: URLSearchParams, base: string): Promise<HttpApiResult> => {
    switch (route.kind) {
      case 'append': {
        onlyParameters(query, []);
        const requested = readEvents(event, maxBodyBytes);
        const idempotencyKey = idempotencyKeyOf(event);
        const invalidDates: (readonly InvalidDateTime[])[] = [];
        const events = requested.map((item, index) => {
          const { value: payload, invalid } = reviveDates(aggregate.schemas?.inbound?.[item.type], item.payload);
          invalidDates[index] = invalid;
          return domainEvent({ ...item, payload }, index);
        });
        const result = await appendOrProblem(aggregate, route.id, idempotencyKey, events, requested, invalidDates);
        const created = result.events[0]?.sequence === 1;
        const body: AppendResponseBody = { snapshot: result.snapshot, events: result.events, outbound: result.outbound };
        return json(created ? 201 : 200, body, created ? { location: `${base}/${prefix}/${encodeURIComponent(route.id)}` } : {});
      }
      case 'snapshot': {
        onlyParameters(query, []);
        const snapshot = await keyed(() => aggregate.get(route.id));
        if (snapshot.sequence === 0) throw new HttpProblem(PROBLEM_TYPES.aggregateNotFound, `${aggregate.type} ${JSON.stringify(route.id)} has no events`);
        return json(200, snapshot);
      }
      case 'history': {
        onlyParameters(query, ['after', 'limit']);
        const after = afterSequence(single(query, 'after'));
        const limit = limitOf(single(query, 'limit'));
        const events: EventRecord[] = [];
        await keyed(async () => {
          for await (const record of aggregate.history(route.id, { afterSequence: after, pageSize: limit + 1 })) {
            events.push(record);
            if (events.length > limit) break;
          }
        });
        if (after === 0 && events.length === 0) throw new HttpProblem(PROBLEM_TYPES.aggregateNotFound, `${aggregate.type} ${JSON.stringify(route.id)} has no events`);
        const more = events.length > limit;
        const page = more ? events.slice(0, limit) : events;
        const body: HistoryPageBody = more ? { events: page, next: historyCursor(page[page.length - 1]!.sequence) } : { events: page };
        return json(200, body);
      }
      case 'query': {
        onlyParameters(query, []);
        const type = indexes.get(route.index);
        if (type === undefined) {
          const known = [...indexes.keys()];
          throw new HttpProblem(PROBLEM_TYPES.notFound, `${aggregate.type} has no index ${JSON.stringify(route.index)}${known.length ? `; its indexes: ${known.join(', ')}` : ''}`);
        }
        if (type === 'number' && !isCanonicalNumber(route.key)) {
          throw new HttpProblem(PROBLEM_TYPES.badRequest, `index ${route.index} has number keys; ${JSON.stringify(route.key)} is not a number written in canonical decimal (e.g. 42, -1.5)`);
        }
        const snapshots = await keyed(() => aggregate.query(route.index, type === 'number' ? Number(route.key) : route.key));
        const body: IndexQueryBody = { snapshots };
        return json(200, body);
      }
    }
  };

  return async (event) => {
    const requestId = event?.requestContext?.requestId ?? newId();
    const method = String(event?.requestContext?.http?.method ?? '').toUpperCase();
    const rawPath = typeof event?.rawPath === 'string' ? event.rawPath : '';
    const stage = event?.requestContext?.stage;
    const base = stage && stage !== '$default' && rawPath.startsWith(`/${stage}/`) ? `/${stage}` : '';
    const path = rawPath.slice(base.length);
    try {
      const route = matchRoute(prefix, method, path);
      return await serve(event, route, new URLSearchParams(event.rawQueryString ?? ''), base);
    } catch (error) {
      if (error instanceof HttpProblem) return problemResponse(error, rawPath);
      logger({
        level: 'error',
        message: `${method} ${rawPath} failed`,
        requestId,
        aggregateType: aggregate.type,
        error: error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : String(error),
      });
      return problemResponse(new HttpProblem(PROBLEM_TYPES.internalError, `the request failed on the server; its log entry carries the request id ${requestId}`), rawPath);
    }
  };
}

/** Runs a read whose only client error can be a bad key (an ill-formed id or index key): a 400. */
async function keyed<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof InvalidKeyError) throw new HttpProblem(PROBLEM_TYPES.badRequest, error.message);
    throw error;
  }
}

/** Appends, turning the errors a request can cause into problems (nothing was written for any of them). */
async function appendOrProblem(
  aggregate: ServedAggregate,
  id: string,
  idempotencyKey: string | undefined,
  events: DomainEvent[],
  requested: readonly RequestedEvent[],
  invalidDates: readonly (readonly InvalidDateTime[])[],
): ReturnType<ServedAggregate['append']> {
  try {
    return await aggregate.append(idempotencyKey === undefined ? id : { id, idempotencyKey }, ...events);
  } catch (error) {
    if (error instanceof ValidationError && error.direction === 'inbound') {
      const index = error.eventIndex ?? requested.findIndex((item) => item.type === error.eventType);
      // a string sent for a date that is no date-time: say what a date must look like, not zod's "expected date, received string"
      const dateReason = (path: readonly (string | number)[]) => invalidDates[index]?.find((invalid) => jsonPointer(invalid.path) === jsonPointer(path))?.reason;
      const issues: ProblemIssue[] = error.issues.map((issue) => ({ path: jsonPointer(['events', index, 'payload', ...issue.path]), message: dateReason(issue.path) ?? issue.message }));
      throw new HttpProblem(PROBLEM_TYPES.validation, `the ${error.eventType} payload of events[${index}] does not match its schema`, issues);
    }
    if (error instanceof UnknownEventTypeError) {
      const index = requested.findIndex((item) => item.type === error.eventType);
      const known = aggregate.processor.eventTypes;
      throw new HttpProblem(PROBLEM_TYPES.unknownEventType, `${aggregate.type} has no inbound event ${JSON.stringify(error.eventType)}; its inbound events: ${known.join(', ')}`, [
        { path: jsonPointer(['events', index, 'type']), message: `unknown event type; expected one of ${known.join(', ')}` },
      ]);
    }
    if (error instanceof ConcurrencyError) {
      throw new HttpProblem(PROBLEM_TYPES.concurrencyConflict, `${aggregate.type} ${JSON.stringify(id)} kept changing while the append retried; nothing was written, try again`);
    }
    if (error instanceof StoreLimitError) throw new HttpProblem(PROBLEM_TYPES.storeLimitExceeded, `${error.message}; send fewer or smaller events per request`);
    if (error instanceof InvalidKeyError || error instanceof UnsupportedValueError) throw new HttpProblem(PROBLEM_TYPES.badRequest, error.message);
    throw error;
  }
}

/** The event of one requested event; a bad type or metadata is a 400 naming its place. */
function domainEvent(item: RequestedEvent, index: number): DomainEvent {
  try {
    return createEvent(item.type, item.payload, item.metadata === undefined ? {} : { metadata: item.metadata });
  } catch (error) {
    if (error instanceof InvalidKeyError) {
      throw new HttpProblem(PROBLEM_TYPES.validation, `events[${index}].type is not a usable event type`, [{ path: jsonPointer(['events', index, 'type']), message: error.reason }]);
    }
    throw error;
  }
}

/** The `Idempotency-Key` header, if any: 1 to {@link MAX_IDEMPOTENCY_KEY_LENGTH} characters. */
function idempotencyKeyOf(event: HttpApiEvent): string | undefined {
  const key = header(event, 'idempotency-key');
  if (key === undefined) return undefined;
  if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new HttpProblem(PROBLEM_TYPES.badRequest, `Idempotency-Key must have 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters (it has ${key.length})`);
  }
  return key;
}

/** Refuses query parameters a route does not take (a misspelled `limt` would otherwise be ignored). */
function onlyParameters(query: URLSearchParams, allowed: readonly string[]): void {
  for (const name of new Set(query.keys())) {
    if (!allowed.includes(name)) {
      throw new HttpProblem(PROBLEM_TYPES.badRequest, `unknown query parameter ${JSON.stringify(name)}${allowed.length ? ` (this route takes ${allowed.join(', ')})` : ' (this route takes none)'}`);
    }
  }
}

/** A query parameter given at most once. */
function single(query: URLSearchParams, name: string): string | undefined {
  const values = query.getAll(name);
  if (values.length > 1) throw new HttpProblem(PROBLEM_TYPES.badRequest, `${name} is given ${values.length} times`);
  return values[0];
}

function limitOf(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_HISTORY_LIMIT;
  const limit = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(limit >= 1 && limit <= MAX_HISTORY_LIMIT)) throw new HttpProblem(PROBLEM_TYPES.badRequest, `limit must be a whole number from 1 to ${MAX_HISTORY_LIMIT}, got ${JSON.stringify(value)}`);
  return limit;
}

function isCanonicalNumber(key: string): boolean {
  const number = Number(key);
  return key.trim() !== '' && Number.isFinite(number) && String(number) === key;
}

function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpApiResult {
  return { statusCode, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), isBase64Encoded: false };
}
