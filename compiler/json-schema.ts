import { zodKind, zodVersion } from './zod.js';

/** A JSON Schema document (draft 2020-12 for zod 4 schemas, draft-07 for zod 3 schemas). */
export type JsonSchema = { readonly [key: string]: unknown };

type Converters = {
  zod4: (schema: unknown, options: unknown) => JsonSchema;
  zod3: (schema: unknown, options: unknown) => JsonSchema;
};

let converters: Promise<Converters> | undefined;

async function loadConverters(): Promise<Converters> {
  const [zod, zodToJsonSchema] = await Promise.all([import('zod'), import('zod-to-json-schema')]);
  return {
    zod4: zod.z.toJSONSchema as unknown as Converters['zod4'],
    zod3: zodToJsonSchema.zodToJsonSchema as unknown as Converters['zod3'],
  };
}

/** Loads the converters once: zod 4's `toJSONSchema` and `zod-to-json-schema` for zod 3. */
export function jsonSchemaConverters(): Promise<Converters> {
  converters ??= loadConverters();
  return converters;
}

/**
 * The JSON Schema of a zod object, of its input (what a producer sends: inbound events) or its
 * output (what is sent after parsing: outbound events). zod 4 schemas go through `z.toJSONSchema` (dates become
 * `date-time` strings, as they travel in JSON); zod 3 schemas through `zod-to-json-schema`, which
 * must never see a zod 4 schema (it would return an empty schema).
 */
export function toJsonSchema(convert: Converters, schema: unknown, io: 'input' | 'output'): JsonSchema {
  const version = zodVersion(schema);
  if (version === 4) {
    return convert.zod4(schema, {
      io,
      unrepresentable: 'any',
      override: (context: { zodSchema: unknown; jsonSchema: Record<string, unknown> }) => {
        if (zodKind(context.zodSchema) === 'date') {
          context.jsonSchema.type = 'string';
          context.jsonSchema.format = 'date-time';
        }
      },
    });
  }
  if (version === 3) {
    const converted = { ...convert.zod3(schema, { $refStrategy: 'none', target: 'jsonSchema7', pipeStrategy: io, effectStrategy: io === 'input' ? 'input' : 'any' }) };
    const draft = converted.$schema;
    delete converted.$schema;
    return { $schema: draft, ...converted };
  }
  throw new TypeError('not a zod schema');
}
