/**
 * A loopback stand-in for Amazon EventBridge's PutEvents, for tests: speaks the AWS JSON 1.1
 * protocol the real `EventBridgeClient` uses (`POST /`, `X-Amz-Target: AWSEvents.PutEvents`,
 * `Content-Type: application/x-amz-json-1.1`), records every entry it accepts, and fails the
 * entries (or whole requests) a test chooses.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';

/** One entry as received (JSON 1.1 encodes `Time` as epoch seconds). */
export interface ReceivedEntry {
  readonly Source?: string;
  readonly DetailType?: string;
  readonly Detail?: string;
  readonly EventBusName?: string;
  readonly Time?: number;
  readonly Resources?: string[];
}

/** An entry the server accepted. */
export interface AcceptedEvent {
  readonly eventId: string;
  readonly source: string;
  readonly detailType: string;
  readonly detail: Record<string, unknown>;
  readonly eventBusName: string;
  readonly time?: Date;
  /** 1-based number of the request that carried it. */
  readonly request: number;
}

/** What to answer for one entry: undefined accepts it. */
export type EntryFailure = { readonly ErrorCode: string; readonly ErrorMessage: string } | undefined;

/** A whole-request failure: an AWS error type and the HTTP status to answer with (default 400). */
export type RequestFailure = string | { readonly type: string; readonly status: number } | undefined;

/**
 * How to hold a request instead of answering at once: for `ms` milliseconds (`Infinity`: never
 * answer), and whether its entries are taken before the hold (`accepted: true`, as when the
 * service took them and the answer was lost) or only after it.
 */
export type RequestHold = { readonly ms: number; readonly accepted?: boolean } | undefined;

/** Options of {@link FakeEventBridge.start}. */
export interface FakeEventBridgeOptions {
  /** Decides, per entry and per attempt, whether to fail it (default: accept everything). */
  readonly failEntry?: (entry: ReceivedEntry) => EntryFailure;
  /** Fails a whole request with this AWS error (e.g. `"ThrottlingException"`) when it returns one. */
  readonly failRequest?: (entries: readonly ReceivedEntry[]) => RequestFailure;
  /** Holds a request before answering it when it returns a hold (checked before `failRequest`). */
  readonly holdRequest?: (entries: readonly ReceivedEntry[]) => RequestHold;
}

/** The PutEvents limits the fake enforces like the real service. */
const MAX_ENTRIES = 10;
const MAX_REQUEST_BYTES = 256 * 1024;

/** A seeded pseudo-random generator (mulberry32): the same seed gives the same sequence. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fails each received entry with probability `rate`, reproducibly for a given seed. */
export function failRandomly(rate: number, seed: number): (entry: ReceivedEntry) => EntryFailure {
  const random = seededRandom(seed);
  return () =>
    random() < rate ? { ErrorCode: 'InternalFailure', ErrorMessage: 'Injected failure (test)' } : undefined;
}

export class FakeEventBridge {
  /** Every accepted entry, in the order accepted. */
  readonly accepted: AcceptedEvent[] = [];
  /** Number of entries failed by `failEntry`. */
  failedEntries = 0;
  /** Number of PutEvents requests received (including failed ones). */
  requests = 0;
  /** Number of requests held by `holdRequest`, and of those answered with an HTTP error. */
  held = 0;
  failedRequests = 0;
  /** How long each held request was held before its client gave up on it, in ms. */
  readonly abandoned: number[] = [];
  options: FakeEventBridgeOptions;
  readonly #server: Server;
  readonly endpoint: string;
  #nextId = 1;

  private constructor(server: Server, options: FakeEventBridgeOptions) {
    this.#server = server;
    this.options = options;
    const { port } = server.address() as AddressInfo;
    this.endpoint = `http://127.0.0.1:${port}`;
  }

  /** Starts a server on 127.0.0.1 on a free port. */
  static async start(options: FakeEventBridgeOptions = {}): Promise<FakeEventBridge> {
    let fake: FakeEventBridge | undefined;
    const server = createServer((request, response) => {
      fake!.#handle(request, response).catch((error: unknown) => {
        reply(response, 500, { __type: 'InternalException', message: String(error) });
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    fake = new FakeEventBridge(server, options);
    return fake;
  }

  /** A real EventBridgeClient pointed at this server, with dummy credentials and no SDK retries. */
  client(): EventBridgeClient {
    return new EventBridgeClient({
      endpoint: this.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
  }

  /** Stops the server and drops open connections. */
  /** Forgets what was received and drops injected failures, for the next test. */
  reset(): void {
    this.accepted.length = 0;
    this.failedEntries = 0;
    this.requests = 0;
    this.held = 0;
    this.failedRequests = 0;
    this.abandoned.length = 0;
    this.options = {};
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const target = request.headers['x-amz-target'];
    if (request.method !== 'POST' || target !== 'AWSEvents.PutEvents') {
      return reply(response, 400, { __type: 'UnknownOperationException', message: `Unsupported ${String(target)}` });
    }
    if (!String(request.headers['content-type']).startsWith('application/x-amz-json-1.1')) {
      return reply(response, 400, { __type: 'SerializationException', message: 'Expected application/x-amz-json-1.1' });
    }
    this.requests++;
    const input = JSON.parse(body) as { Entries?: ReceivedEntry[] };
    const entries = input.Entries ?? [];
    if (entries.length < 1 || entries.length > MAX_ENTRIES) {
      return reply(response, 400, { __type: 'ValidationException', message: `Entries must hold 1 to ${MAX_ENTRIES} items` });
    }
    const total = entries.reduce((sum, entry) => sum + entrySize(entry), 0);
    if (total > MAX_REQUEST_BYTES) {
      return reply(response, 400, { __type: 'ValidationException', message: `Total entry size ${total} exceeds ${MAX_REQUEST_BYTES}` });
    }
    const hold = this.options.holdRequest?.(entries);
    if (hold) {
      this.held++;
      if (hold.accepted) {
        const answer = this.#accept(entries, this.requests);
        await this.#wait(request, hold.ms);
        if (!response.destroyed) reply(response, 200, answer);
        return;
      }
      await this.#wait(request, hold.ms);
      if (response.destroyed) return;
    }
    const requestFailure = this.options.failRequest?.(entries);
    if (requestFailure) {
      this.failedRequests++;
      const { type, status } = typeof requestFailure === 'string' ? { type: requestFailure, status: 400 } : requestFailure;
      return reply(response, status, { __type: type, message: 'Injected request failure (test)' });
    }
    reply(response, 200, this.#accept(entries, this.requests));
  }

  /** Waits `ms` (forever for `Infinity`), or until the client goes away (noted in `abandoned`). */
  #wait(request: IncomingMessage, ms: number): Promise<void> {
    const started = Date.now();
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        request.socket.off('close', abandon);
        resolve();
      };
      const abandon = () => {
        this.abandoned.push(Date.now() - started);
        finish();
      };
      const timer = Number.isFinite(ms) ? setTimeout(finish, ms) : undefined;
      request.socket.once('close', abandon);
    });
  }

  /** Takes or fails each entry and returns the PutEvents answer. */
  #accept(entries: readonly ReceivedEntry[], requestNumber: number): unknown {
    let failedCount = 0;
    const results = entries.map((entry) => {
      const invalid = validate(entry);
      const failure = invalid ?? this.options.failEntry?.(entry);
      if (failure) {
        failedCount++;
        if (!invalid) this.failedEntries++;
        return failure;
      }
      const eventId = `fake-${String(this.#nextId++).padStart(8, '0')}`;
      this.accepted.push({
        eventId,
        source: entry.Source!,
        detailType: entry.DetailType!,
        detail: JSON.parse(entry.Detail!) as Record<string, unknown>,
        eventBusName: entry.EventBusName ?? 'default',
        ...(entry.Time === undefined ? {} : { time: new Date(entry.Time * 1000) }),
        request: requestNumber,
      });
      return { EventId: eventId };
    });
    return { FailedEntryCount: failedCount, Entries: results };
  }
}

function validate(entry: ReceivedEntry): EntryFailure {
  if (!entry.Source || !entry.DetailType || !entry.Detail) {
    return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Source, DetailType and Detail are required' };
  }
  try {
    const detail: unknown = JSON.parse(entry.Detail);
    if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) throw new Error('not an object');
  } catch {
    return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  }
  return undefined;
}

function entrySize(entry: ReceivedEntry): number {
  const bytes = (text: string | undefined) => Buffer.byteLength(text ?? '', 'utf8');
  return (
    (entry.Time === undefined ? 0 : 14) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    (entry.Resources ?? []).reduce((sum, resource) => sum + bytes(resource), 0)
  );
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': `fake-request-${Date.now()}`,
  });
  response.end(text);
}
