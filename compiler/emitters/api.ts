import path from 'node:path';
import type { EmitContext, EmittedFile, Emitter } from '../emitter.js';
import type { AggregateModel } from '../model.js';
import type { JsonSchema } from '../json-schema.js';

/**
 * `api.ts`, per aggregate the HTTP service serves (`service.api` on, no `api: false`): the
 * Lambda handler of its routes, `createHttpHandler` over the generated aggregate class and a
 * `DynamoEventStore` on the table named by `EVENT_STORE_TABLE_NAME`.
 */
export const apiEmitter: Emitter & { readonly description: string } = {
  name: 'api',
  description: 'the Lambda handler of the HTTP service',
  emit(context: EmitContext): EmittedFile[] {
    const api = context.config.api;
    if (api === null) return [];
    return context.model.aggregates
      .filter((aggregate) => aggregate.api)
      .map((aggregate) => {
        const file = path.join(aggregate.outputDir, 'api.ts');
        return {
          path: file,
          owner: 'generator',
          language: 'typescript',
          content: context.typeScriptFromTemplate('api.ts', aggregate, file, {
            header: context.tsHeader([context.config.file, aggregate.schemaFile]),
            tokens: {
              'template-folder': aggregate.folder,
              "{ byKey: 'string', byOther: 'string' }": indexKeyTypesLiteral(aggregate),
              '262_144': numberLiteral(api.maxBodyBytes),
            },
          }),
        };
      });
  },
};

/** `{ byEmail: 'string', byAge: 'number' }`: number for a path index whose state field is a number, else string. */
function indexKeyTypesLiteral(aggregate: AggregateModel): string {
  if (aggregate.indexes.length === 0) return '{}';
  const entries = aggregate.indexes.map((index) => `${index.name}: '${index.kind === 'path' && isNumberField(aggregate.stateJsonSchema, index.path!) ? 'number' : 'string'}'`);
  return `{ ${entries.join(', ')} }`;
}

/** Whether the field at a dotted path of the state's JSON Schema is a number (or integer). */
function isNumberField(schema: JsonSchema, dotted: string): boolean {
  let node: JsonSchema | undefined = schema;
  for (const part of dotted.split('.')) {
    const properties: Record<string, JsonSchema> | undefined = (node as { properties?: Record<string, JsonSchema> } | undefined)?.properties;
    node = properties?.[part];
    if (node === undefined) return false;
  }
  const type = (node as { type?: unknown }).type;
  return type === 'number' || type === 'integer';
}

/** A whole number with `_` every three digits, as the formatter leaves it: `262_144`. */
function numberLiteral(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, '_');
}
