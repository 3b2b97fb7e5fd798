import path from 'node:path';
import type { EmitContext, EmittedFile, Emitter } from '../emitter.js';
import type { AggregateModel, EventModel } from '../model.js';

/** Where the JSON Schema of an event is written: `<output>/<aggregate>/events/<direction>/<TYPE>.schema.json`. */
export function jsonSchemaPath(aggregate: AggregateModel, event: EventModel): string {
  return path.join(aggregate.outputDir, 'events', event.direction, `${event.type}.schema.json`);
}

/** The JSON Schema document of an event's payload, as written to {@link jsonSchemaPath}. */
export function jsonSchemaDocument(context: EmitContext, aggregate: AggregateModel, event: EventModel): Record<string, unknown> {
  const { $schema, ...rest } = event.jsonSchema;
  return {
    $comment: context.headerLines([aggregate.schemaFile]).join(' '),
    ...($schema === undefined ? {} : { $schema }),
    title: event.type,
    description: `Payload of the ${event.direction} event ${event.type} of aggregate ${aggregate.type}.`,
    ...rest,
  };
}

/**
 * One JSON Schema per inbound and outbound event (zod 4 through `z.toJSONSchema`, zod 3 through
 * `zod-to-json-schema`). The header goes in `$comment`; `title` is the event type.
 */
export const jsonSchemasEmitter: Emitter = {
  name: 'json-schemas',
  emit(context: EmitContext): EmittedFile[] {
    const files: EmittedFile[] = [];
    for (const aggregate of context.model.aggregates) {
      for (const event of [...aggregate.inbound, ...aggregate.outbound]) {
        const document = jsonSchemaDocument(context, aggregate, event);
        files.push({ path: jsonSchemaPath(aggregate, event), owner: 'generator', content: `${JSON.stringify(document, null, 2)}\n` });
      }
    }
    return files;
  },
};
