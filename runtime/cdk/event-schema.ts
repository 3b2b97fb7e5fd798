import { toDraft4 } from './draft4.js';

/** Where the payload schema sits in the event schema. */
const PAYLOAD_POINTER = '#/properties/detail/properties/payload';

/** A JSON Schema document, as the compiler writes them (draft 2020-12, draft-07 or draft-04). */
export type JsonSchemaDocument = { readonly [key: string]: unknown };

/**
 * The JSON Schema (draft-04, the dialect EventBridge's schema registry reads) of the whole
 * EventBridge event that `EventBridgeOutboxPublisher` sends for one event type: the envelope
 * (`source`, `detail-type`, ...) with `detail` holding the event id, aggregate, sequence,
 * payload (`payloadSchema`), occurredAt and metadata. The payload schema is rewritten into
 * draft-04 (see `toDraft4`: e.g. a numeric `exclusiveMinimum` becomes `minimum` with
 * `exclusiveMinimum: true`, `const` a one-value `enum`, `prefixItems` an `items` list); its
 * definitions (`$defs` or `definitions`) are moved to the top level and references rewritten
 * (`#` becomes `#/properties/detail/properties/payload`); its `$schema` and `$comment` are
 * dropped.
 */
export function eventBridgeEventSchema(source: string, eventType: string, payloadSchema: JsonSchemaDocument): JsonSchemaDocument {
  const { $schema: _dialect, $comment: _header, $defs, definitions, ...payload } = payloadSchema as Record<string, unknown>;
  const hoisted: Record<string, unknown> = { ...(definitions as object | undefined), ...($defs as object | undefined) };
  const convert = (schema: unknown) => toDraft4(schema, { root: PAYLOAD_POINTER });
  return {
    $schema: 'http://json-schema.org/draft-04/schema#',
    title: `${source} ${eventType}`,
    type: 'object',
    required: ['detail-type', 'source', 'detail'],
    properties: {
      version: { type: 'string' },
      id: { type: 'string' },
      'detail-type': { type: 'string', enum: [eventType] },
      source: { type: 'string', enum: [source] },
      account: { type: 'string' },
      time: { type: 'string', format: 'date-time' },
      region: { type: 'string' },
      resources: { type: 'array', items: { type: 'string' } },
      detail: {
        type: 'object',
        required: ['eventId', 'aggregateType', 'aggregateId', 'sequence', 'position', 'causationId', 'payload', 'occurredAt', 'metadata'],
        properties: {
          eventId: { type: 'string', description: 'Unique event id; de-duplicate redeliveries on it.' },
          aggregateType: { type: 'string' },
          aggregateId: { type: 'string' },
          sequence: { type: 'integer', minimum: 1 },
          position: { type: 'integer', minimum: 0 },
          causationId: { type: 'string' },
          payload: convert(payload),
          occurredAt: { type: 'string', format: 'date-time' },
          metadata: { type: 'object' },
        },
      },
    },
    ...(Object.keys(hoisted).length === 0
      ? {}
      : { definitions: Object.fromEntries(Object.entries(hoisted).map(([name, schema]) => [name, convert(schema)])) }),
  };
}
