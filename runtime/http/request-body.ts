/**
 * Reads the body of `POST /{aggregate}/{id}/events`: content type, size, encoding, JSON, and
 * the shape `{ events: [{ type, payload, metadata? }] }`. Payloads are left to the aggregate's
 * schemas.
 */
import type { EventMetadata } from '../types.js';
import type { HttpApiEvent } from './api-gateway.js';
import { HttpProblem, type ProblemIssue, PROBLEM_TYPES, jsonPointer } from './problem.js';

/** One event of a request body, shape checked. */
export interface RequestedEvent {
  readonly type: string;
  readonly payload: unknown;
  readonly metadata?: EventMetadata;
}

const EVENT_KEYS = new Set(['type', 'payload', 'metadata']);

/** The value of a header, whatever the case of its name. */
export function header(event: HttpApiEvent, name: string): string | undefined {
  const headers = event.headers ?? {};
  const direct = headers[name];
  if (direct !== undefined) return direct;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

/** Whether a `Content-Type` value is JSON: `application/json` or `application/<anything>+json`, any parameters. */
export function isJsonMediaType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  return mediaType === 'application/json' || /^application\/[a-z0-9!#$&^_.-]+\+json$/.test(mediaType);
}

/** The events of a request body, or an {@link HttpProblem} (415, 413, 400) thrown. */
export function readEvents(event: HttpApiEvent, maxBodyBytes: number): RequestedEvent[] {
  const contentType = header(event, 'content-type');
  if (!isJsonMediaType(contentType)) {
    throw new HttpProblem(
      PROBLEM_TYPES.unsupportedMediaType,
      contentType === undefined ? 'send the body as application/json (no Content-Type was given)' : `send the body as application/json, not ${contentType}`,
    );
  }
  const text = bodyText(event, maxBodyBytes);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new HttpProblem(PROBLEM_TYPES.malformedJson, `the body is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  return eventsOf(body);
}

/** The body as text, checked against the size limit (in bytes, after base64 decoding). */
function bodyText(event: HttpApiEvent, maxBodyBytes: number): string {
  const raw = event.body ?? '';
  const tooLarge = (bytes: number | string) =>
    new HttpProblem(PROBLEM_TYPES.payloadTooLarge, `the body has ${bytes} bytes; this API takes at most ${maxBodyBytes}`);
  if (!event.isBase64Encoded) {
    // UTF-8 takes at least one byte per UTF-16 code unit and at most three
    if (raw.length > maxBodyBytes) throw tooLarge(`more than ${maxBodyBytes}`);
    if (raw.length * 3 > maxBodyBytes) {
      const bytes = new TextEncoder().encode(raw).length;
      if (bytes > maxBodyBytes) throw tooLarge(bytes);
    }
    return raw;
  }
  // base64 carries 3 bytes in 4 characters
  if (Math.floor((raw.length * 3) / 4) - 2 > maxBodyBytes) throw tooLarge(`more than ${maxBodyBytes}`);
  let bytes: Uint8Array;
  try {
    bytes = Uint8Array.from(atob(raw), (character) => character.charCodeAt(0));
  } catch {
    throw new HttpProblem(PROBLEM_TYPES.malformedJson, 'the body is marked base64 but is not base64');
  }
  if (bytes.length > maxBodyBytes) throw tooLarge(bytes.length);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new HttpProblem(PROBLEM_TYPES.malformedJson, 'the body is not UTF-8 text');
  }
}

/** The shape check of a parsed body: every problem found, as issues with JSON Pointers. */
function eventsOf(body: unknown): RequestedEvent[] {
  const issues: ProblemIssue[] = [];
  const issue = (path: (string | number)[], message: string) => issues.push({ path: jsonPointer(path), message });
  if (!isObject(body)) {
    issue([], 'the body must be an object { "events": [{ "type", "payload", "metadata"? }] }');
  } else {
    for (const key of Object.keys(body)) if (key !== 'events') issue([key], 'unknown key (the body takes "events" only)');
    const events = body.events;
    if (!Array.isArray(events)) issue(['events'], 'must be an array of { "type", "payload", "metadata"? }');
    else if (events.length === 0) issue(['events'], 'must hold at least one event');
    else {
      events.forEach((item: unknown, index) => {
        if (!isObject(item)) return issue(['events', index], 'must be an object { "type", "payload", "metadata"? }');
        for (const key of Object.keys(item)) if (!EVENT_KEYS.has(key)) issue(['events', index, key], 'unknown key (an event takes "type", "payload" and "metadata")');
        if (typeof item.type !== 'string' || item.type.length === 0) issue(['events', index, 'type'], 'must be a non-empty string, an inbound event type');
        if (!('payload' in item)) issue(['events', index, 'payload'], 'is required');
        if (item.metadata !== undefined && !isObject(item.metadata)) issue(['events', index, 'metadata'], 'must be an object');
      });
    }
  }
  if (issues.length > 0) throw new HttpProblem(PROBLEM_TYPES.validation, 'the body is not { "events": [{ "type", "payload", "metadata"? }] }', issues);
  return ((body as { events: Record<string, unknown>[] }).events).map((item) => ({
    type: item.type as string,
    payload: item.payload,
    ...(item.metadata === undefined ? {} : { metadata: item.metadata as EventMetadata }),
  }));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
