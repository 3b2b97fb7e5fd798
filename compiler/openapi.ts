import { createHash } from 'node:crypto';
import { CompilerError } from './errors.js';
import type { JsonSchema } from './json-schema.js';
import { exampleOf } from './json-schema-example.js';
import type { AggregateModel, EventModel } from './model.js';
import { reviveDates } from '../runtime/http/revive-dates.js';
import { DEFAULT_HISTORY_LIMIT, MAX_HISTORY_LIMIT, MAX_IDEMPOTENCY_KEY_LENGTH, PROBLEM_TYPES, problemTypeUri } from '../runtime/http/index.js';

/** What the OpenAPI document of a service is built from. */
export interface OpenApiInput {
  /** `info.title`: the service's name. */
  readonly title: string;
  /** `'iam'`: every operation needs a SigV4-signed request (API Gateway AWS_IAM authorization). */
  readonly auth: 'iam' | 'none';
  /** The largest request body the handlers accept, in bytes (larger ones get 413). */
  readonly maxBodyBytes: number;
  /** The aggregates served over HTTP (those with `api` on), sorted by name. */
  readonly aggregates: readonly AggregateModel[];
}

/** A JSON object of the document under construction. */
type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const PROBLEM_JSON = 'application/problem+json';

/** When each error status is answered, in words (the problem types of each are listed after it). */
const PROBLEMS: Readonly<Record<string, string>> = {
  '400': 'The request is invalid: a path or query parameter, the JSON body, or an event payload (each failing place in `issues`). Nothing was written.',
  '404': 'No such resource: the aggregate has no events yet (sequence 0), or no such route or index.',
  '405': 'The method is not allowed on this path (the `Allow` header lists those that are).',
  '409': 'Concurrent writes to the aggregate kept conflicting after the retries. Nothing was written; retry with the same Idempotency-Key.',
  '413': 'The body is larger than the limit, or the commit is larger than the store takes in one transaction. Nothing was written.',
  '415': 'The body is not sent as JSON. Nothing was written.',
  '422': 'An event type this aggregate does not take (`issues` points at it). Nothing was written.',
  '500': 'An unexpected error. `detail` carries only the request id; the function log has the error.',
};

/** The description of an error response: when it is answered and the `type` of each of its problems. */
function problemDescription(status: string): string {
  const types = Object.values(PROBLEM_TYPES)
    .filter((type) => String(type.status) === status)
    .map((type) => `\`${problemTypeUri(type)}\` (${type.title})`);
  return `${PROBLEMS[status]} Problem \`type\`: ${types.join(', ')}.`;
}

/** Problem statuses per operation. */
const STATUSES = {
  append: ['400', '405', '409', '413', '415', '422', '500'],
  snapshot: ['400', '404', '405', '500'],
  history: ['400', '404', '405', '500'],
  index: ['400', '404', '405', '500'],
} as const;

/**
 * The OpenAPI 3.1 document of a service's generated HTTP API: per aggregate the four routes
 * (append events, read the snapshot, read the history page by page, query an index), request
 * schemas built from the inbound events' zod schemas (one per event, discriminated by `type`,
 * each with an example made from its schema and checked with that zod schema), responses with
 * the state schema, the RFC 9457 problem responses, the `Idempotency-Key` header and, with IAM
 * authorization, the SigV4 security scheme. Deterministic: the same model gives the same document.
 */
export function openApiDocument(input: OpenApiInput): Json {
  const schemas: Json = {};
  const define = (name: string, schema: JsonSchema | Json) => {
    if (name in schemas) throw new CompilerError(`openapi.json: two schemas would be named ${name}; rename an aggregate or an event`);
    schemas[name] = schema;
  };
  define('Problem', problemSchema());
  define('GatewayError', {
    type: 'object',
    description: 'An error API Gateway answers itself, before the handler runs (authorization, throttling).',
    properties: { message: { type: 'string' } },
    required: ['message'],
  });
  define('EventMetadata', { type: 'object', description: 'Free-form metadata of an event (correlation ids, the actor), stored with it.', additionalProperties: true });

  const paths: Json = {};
  for (const aggregate of input.aggregates) {
    defineAggregateSchemas(aggregate, define);
    Object.assign(paths, aggregatePaths(aggregate, input.auth));
  }

  const body: Json = {
    paths,
    components: {
      schemas,
      parameters: {
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description:
            'Makes a retried request safe: a second request with the same key for the same aggregate writes nothing and answers with the result of the first.',
          schema: { type: 'string', minLength: 1, maxLength: MAX_IDEMPOTENCY_KEY_LENGTH },
        },
      },
      responses: {
        ...Object.fromEntries(
          Object.keys(PROBLEMS).map((status) => [`Problem${status}`, { description: problemDescription(status), content: { [PROBLEM_JSON]: { schema: ref('Problem') } } }]),
        ),
        ...(input.auth === 'iam'
          ? { Forbidden: { description: 'The request is not signed, or its signer may not call this route (`execute-api:Invoke`).', content: { 'application/json': { schema: ref('GatewayError') } } } }
          : {}),
        TooManyRequests: { description: 'Throttled by the API stage: slow down and retry.', content: { 'application/json': { schema: ref('GatewayError') } } },
      },
      ...(input.auth === 'iam'
        ? {
            securitySchemes: {
              sigv4: {
                type: 'apiKey',
                name: 'Authorization',
                in: 'header',
                description: 'AWS Signature Version 4 (service `execute-api`): API Gateway checks the signature and the caller’s `execute-api:Invoke` permission.',
                'x-amazon-apigateway-authtype': 'awsSigv4',
              },
            },
          }
        : {}),
    },
    ...(input.auth === 'iam' ? { security: [{ sigv4: [] }] } : {}),
  };
  const version = createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 12);
  const names = input.aggregates.map((aggregate) => aggregate.name).join(', ');
  return {
    openapi: '3.1.0',
    info: {
      title: input.title,
      version,
      description:
        `Commands and queries of ${names}, generated by esre from the schema modules. ` +
        `Request bodies are at most ${input.maxBodyBytes} bytes. Errors are RFC 9457 problem details (application/problem+json).` +
        (input.auth === 'iam' ? ' Every request is signed with AWS Signature Version 4.' : ''),
    },
    servers: [
      {
        url: 'https://{apiId}.execute-api.{region}.amazonaws.com',
        description: 'The HTTP API of the deployed stack (its ApiUrl output)',
        variables: { apiId: { default: 'apiId' }, region: { default: 'us-east-1' } },
      },
    ],
    tags: input.aggregates.map((aggregate) => ({ name: aggregate.folder, ...(aggregate.description ? { description: aggregate.description } : {}) })),
    ...body,
  };
}

/** The schema names of an aggregate's components. */
function names(aggregate: AggregateModel) {
  const p = aggregate.pascal;
  return {
    state: `${p}State`,
    snapshot: `${p}Snapshot`,
    inboundPayload: (event: EventModel) => `${p}${event.pascal}Payload`,
    inboundEvent: (event: EventModel) => `${p}${event.pascal}Event`,
    inbound: `${p}InboundEvent`,
    appendRequest: `${p}AppendRequest`,
    appendResult: `${p}AppendResult`,
    record: `${p}EventRecord`,
    historyPage: `${p}HistoryPage`,
    outboundPayload: (event: EventModel) => `${p}${event.pascal}OutboundPayload`,
    outbound: `${p}OutboundEvent`,
    indexResult: `${p}IndexResult`,
  };
}

function defineAggregateSchemas(aggregate: AggregateModel, define: (name: string, schema: JsonSchema | Json) => void): void {
  const n = names(aggregate);
  const embed = (name: string, schema: JsonSchema, description: string) => {
    for (const [defName, def] of Object.entries(hoistDefs(schema, name))) define(defName, def);
    define(name, { description, ...openApiSchema(schema, name) });
  };
  embed(n.state, aggregate.stateJsonSchema, `State of ${aggregate.type}, as stored in its snapshot.`);
  define(n.snapshot, {
    type: 'object',
    description: `The current state of one ${aggregate.type} and how many events it folds.`,
    properties: {
      aggregateType: { const: aggregate.type },
      aggregateId: { type: 'string' },
      sequence: { type: 'integer', minimum: 0, description: 'Number of events folded into `state`.' },
      state: ref(n.state),
      updatedAt: { type: 'string', format: 'date-time' },
      stateVersion: { type: 'integer', minimum: 1 },
      rulesVersion: { type: 'integer', minimum: 1 },
    },
    required: ['aggregateType', 'aggregateId', 'sequence', 'state', 'updatedAt'],
  });

  const mapping: Record<string, string> = {};
  const records: Json[] = [];
  for (const event of aggregate.inbound) {
    embed(n.inboundPayload(event), event.jsonSchema, `Payload of the inbound event ${event.type} (schema version ${event.version}).`);
    const example = checkedExample(event);
    define(n.inboundEvent(event), {
      type: 'object',
      description: `The inbound event ${event.type}, as sent to append.`,
      properties: { type: { const: event.type }, payload: ref(n.inboundPayload(event)), metadata: ref('EventMetadata') },
      required: ['type', 'payload'],
      additionalProperties: false,
      ...(example === undefined ? {} : { examples: [{ type: event.type, payload: example }] }),
    });
    mapping[event.type] = `#/components/schemas/${n.inboundEvent(event)}`;
    records.push(recordSchema(aggregate, event.type, ref(n.inboundPayload(event)), { sequence: 'Position of the event in the aggregate’s history (from 1).' }));
  }
  define(n.inbound, {
    description: `One inbound event of ${aggregate.type}, told apart by \`type\`.`,
    oneOf: aggregate.inbound.map((event) => ref(n.inboundEvent(event))),
    discriminator: { propertyName: 'type', mapping },
  });
  define(n.appendRequest, {
    type: 'object',
    description: `Events to append to one ${aggregate.type}, in order, in one atomic commit.`,
    properties: { events: { type: 'array', items: ref(n.inbound), minItems: 1 } },
    required: ['events'],
    additionalProperties: false,
  });
  define(n.record, { description: `An inbound event of ${aggregate.type} as stored.`, oneOf: records });

  const outbound: Json[] = [];
  for (const event of aggregate.outbound) {
    embed(n.outboundPayload(event), event.jsonSchema, `Payload of the outbound event ${event.type}.`);
    outbound.push(
      recordSchema(aggregate, event.type, ref(n.outboundPayload(event)), {
        sequence: 'Sequence of the aggregate after the commit that published it.',
        position: true,
      }),
    );
  }
  define(n.outbound, outbound.length === 0 ? { description: `${aggregate.type} publishes no outbound events.`, not: {} } : { description: `An outbound event published by ${aggregate.type}’s rules.`, oneOf: outbound });
  define(n.appendResult, {
    type: 'object',
    description: 'The result of an append: the new snapshot, the stored events and the outbound events the rules published.',
    properties: {
      snapshot: ref(n.snapshot),
      events: { type: 'array', items: ref(n.record) },
      outbound: { type: 'array', items: ref(n.outbound) },
    },
    required: ['snapshot', 'events', 'outbound'],
  });
  define(n.historyPage, {
    type: 'object',
    description: 'One page of the history, oldest first.',
    properties: {
      events: { type: 'array', items: ref(n.record) },
      next: { type: 'string', description: 'Pass as `after` to read the next page (an opaque string); absent on the last page.' },
    },
    required: ['events'],
  });
  if (aggregate.indexes.length > 0) {
    define(n.indexResult, {
      type: 'object',
      description: 'The snapshots of the aggregates the index holds under the key, as of their last commit.',
      properties: { snapshots: { type: 'array', items: ref(n.snapshot) } },
      required: ['snapshots'],
    });
  }
}

/** The schema of a stored inbound event or published outbound event of one type. */
function recordSchema(aggregate: AggregateModel, type: string, payload: Json, options: { sequence: string; position?: true }): Json {
  return {
    type: 'object',
    properties: {
      id: { type: 'string', description: 'Unique, time-sortable event id (ULID layout).' },
      type: { const: type },
      payload,
      occurredAt: { type: 'string', format: 'date-time' },
      metadata: ref('EventMetadata'),
      aggregateType: { const: aggregate.type },
      aggregateId: { type: 'string' },
      sequence: { type: 'integer', minimum: 1, description: options.sequence },
      ...(options.position
        ? { position: { type: 'integer', minimum: 0 }, causationId: { type: 'string', description: 'Id of the inbound event whose rule published it.' } }
        : { schemaVersion: { type: 'integer', minimum: 1 } }),
    },
    required: ['id', 'type', 'payload', 'occurredAt', 'aggregateType', 'aggregateId', 'sequence', ...(options.position ? ['position', 'causationId'] : [])],
  };
}

function aggregatePaths(aggregate: AggregateModel, auth: OpenApiInput['auth']): Json {
  const n = names(aggregate);
  const base = `/${aggregate.folder}`;
  const tags = [aggregate.folder];
  const idParameter = { name: 'id', in: 'path', required: true, description: `Id of the ${aggregate.type}.`, schema: { type: 'string', minLength: 1 } };
  const problems = (statuses: readonly string[]) => Object.fromEntries(statuses.map((status) => [status, { $ref: `#/components/responses/Problem${status}` }]));
  const gateway = {
    ...(auth === 'iam' ? { '403': { $ref: '#/components/responses/Forbidden' } } : {}),
    '429': { $ref: '#/components/responses/TooManyRequests' },
  };
  const json = (schema: Json) => ({ content: { 'application/json': { schema } } });
  const examples: Json = {};
  for (const event of aggregate.inbound) {
    const example = checkedExample(event);
    if (example !== undefined) examples[event.type] = { summary: `Append ${event.type}`, value: { events: [{ type: event.type, payload: example }] } };
  }
  const paths: Json = {
    [`${base}/{id}/events`]: {
      parameters: [idParameter],
      post: {
        operationId: `append${aggregate.pascal}Events`,
        tags,
        summary: `Append inbound events to one ${aggregate.type}`,
        description:
          'Validates every event against its schema, runs the rules and commits the events, the new snapshot, the index entries and the outbound events atomically. ' +
          'Conflicting concurrent writes are retried; with an Idempotency-Key a repeated request is answered with the first result and status, and writes nothing.',
        parameters: [{ $ref: '#/components/parameters/IdempotencyKey' }],
        requestBody: { required: true, content: { 'application/json': { schema: ref(n.appendRequest), examples } } },
        responses: {
          '200': { description: 'Appended to an aggregate that already had events.', ...json(ref(n.appendResult)) },
          '201': {
            description: 'The first events of the aggregate: it now exists.',
            headers: { Location: { description: `The aggregate: \`${base}/{id}\`.`, schema: { type: 'string' } } },
            ...json(ref(n.appendResult)),
          },
          ...problems(STATUSES.append),
          ...gateway,
        },
      },
      get: {
        operationId: `read${aggregate.pascal}History`,
        tags,
        summary: `Read the history of one ${aggregate.type}, page by page`,
        parameters: [
          {
            name: 'after',
            in: 'query',
            required: false,
            description: 'The `next` of the previous page, as is, or a sequence number (`12`: the events from sequence 13); absent for the first page.',
            schema: { type: 'string' },
          },
          {
            name: 'limit',
            in: 'query',
            required: false,
            description: 'Events per page.',
            schema: { type: 'integer', minimum: 1, maximum: MAX_HISTORY_LIMIT, default: DEFAULT_HISTORY_LIMIT },
          },
        ],
        responses: { '200': { description: 'A page of events.', ...json(ref(n.historyPage)) }, ...problems(STATUSES.history), ...gateway },
      },
    },
    [`${base}/{id}`]: {
      parameters: [idParameter],
      get: {
        operationId: `read${aggregate.pascal}`,
        tags,
        summary: `Read the snapshot of one ${aggregate.type}`,
        responses: { '200': { description: 'The snapshot.', ...json(ref(n.snapshot)) }, ...problems(STATUSES.snapshot), ...gateway },
      },
    },
  };
  if (aggregate.indexes.length > 0) {
    paths[`${base}/by/{index}/{key}`] = {
      parameters: [
        { name: 'index', in: 'path', required: true, schema: { type: 'string', enum: aggregate.indexes.map((index) => index.name) } },
        { name: 'key', in: 'path', required: true, description: 'The key to look up (URL-encoded).', schema: { type: 'string' } },
      ],
      get: {
        operationId: `query${aggregate.pascal}ByIndex`,
        tags,
        summary: `Find ${aggregate.type} aggregates by an index key`,
        responses: { '200': { description: 'The aggregates under the key (none: an empty list).', ...json(ref(n.indexResult)) }, ...problems(STATUSES.index), ...gateway },
      },
    };
  }
  return paths;
}

function problemSchema(): Json {
  return {
    type: 'object',
    description: 'RFC 9457 problem details.',
    properties: {
      type: { type: 'string', description: 'A URI naming the kind of problem (see the descriptions of the error responses).' },
      title: { type: 'string' },
      status: { type: 'integer', minimum: 400, maximum: 599 },
      detail: { type: 'string' },
      instance: { type: 'string', description: 'The request path.' },
      issues: {
        type: 'array',
        description: 'The failing fields of a validation error.',
        items: {
          type: 'object',
          properties: { path: { type: 'string', description: 'A JSON Pointer into the request body, e.g. `/events/0/payload/amount`.' }, message: { type: 'string' } },
          required: ['path', 'message'],
        },
      },
    },
    required: ['type', 'title', 'status'],
  };
}

/** Examples already made, by event (each is made once per model). */
const examples = new WeakMap<EventModel, { value: unknown }>();

/**
 * An example payload of an inbound event made from its JSON Schema, when its own zod schema
 * accepts it as the handler hands it over (its date-time strings read into `Date`s).
 */
function checkedExample(event: EventModel): unknown {
  let cached = examples.get(event);
  if (!cached) {
    const value = exampleOf(event.jsonSchema);
    const accepted = value !== undefined && (event.schema as { safeParse(value: unknown): { success: boolean } }).safeParse(reviveDates(event.schema, value).value).success;
    cached = { value: accepted ? value : undefined };
    examples.set(event, cached);
  }
  return cached.value;
}

/**
 * A JSON Schema as a schema object of the document: without `$schema` and `$defs` (hoisted
 * by {@link hoistDefs}), local references pointed at the components, draft-07 tuples
 * (`items: [...]`, from zod 3) written as 2020-12 `prefixItems`.
 */
function openApiSchema(schema: JsonSchema, name: string): JsonSchema {
  const { $schema: _schema, $defs: _defs, definitions: _definitions, ...rest } = schema as Json;
  return rewrite(rest, name) as JsonSchema;
}

/** The `$defs` (or `definitions`) of a schema, as components named `<name>.<def>`. */
function hoistDefs(schema: JsonSchema, name: string): Record<string, JsonSchema> {
  const defs = { ...((schema.$defs as Json | undefined) ?? {}), ...((schema.definitions as Json | undefined) ?? {}) };
  return Object.fromEntries(Object.entries(defs).map(([def, value]) => [`${name}.${def}`, rewrite(value, name) as JsonSchema]));
}

function rewrite(value: unknown, name: string): unknown {
  if (Array.isArray(value)) return value.map((item) => rewrite(item, name));
  if (value === null || typeof value !== 'object') return value;
  const result: Json = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === '$ref' && typeof child === 'string') {
      const local = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(child);
      result.$ref = child === '#' ? `#/components/schemas/${name}` : local ? `#/components/schemas/${name}.${local[1]}` : child;
    } else if (key === 'items' && Array.isArray(child)) {
      result.prefixItems = rewrite(child, name);
    } else if (key === 'additionalItems') {
      result.items = rewrite(child, name);
    } else {
      result[key] = rewrite(child, name);
    }
  }
  return result;
}
