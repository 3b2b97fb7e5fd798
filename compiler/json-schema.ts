import { createRequire } from 'node:module';
import { zodKind, zodVersion } from './zod.js';

/** A JSON Schema document (draft 2020-12 for zod 4 schemas, draft-07 for zod 3 schemas). */
export type JsonSchema = { readonly [key: string]: unknown };

type Converters = {
  zod4: (schema: unknown, options: unknown) => JsonSchema;
  zod3: (schema: unknown, options: unknown) => JsonSchema;
  /** zod-to-json-schema's own parser and "no override" answer, for the zod 3 override. */
  zod3Parse: (def: unknown, refs: unknown, forceResolution?: boolean) => JsonSchema | undefined;
  zod3Default: symbol;
};

let converters: Promise<Converters> | undefined;

interface Zod3Converter {
  readonly zodToJsonSchema: Converters['zod3'];
  readonly parseDef: Converters['zod3Parse'];
  readonly ignoreOverride: symbol;
}

let zod3Converter: Zod3Converter | undefined;

/** `zod-to-json-schema` (its CommonJS build, loaded synchronously) the first time a zod 3 schema is converted: a zod 4 project never loads it. */
function zod3(): Zod3Converter {
  zod3Converter ??= createRequire(import.meta.url)('zod-to-json-schema') as Zod3Converter;
  return zod3Converter;
}

async function loadConverters(): Promise<Converters> {
  const zod = await import('zod');
  return {
    zod4: zod.z.toJSONSchema as unknown as Converters['zod4'],
    zod3: (schema, options) => zod3().zodToJsonSchema(schema, options),
    zod3Parse: (def, refs, forceResolution) => zod3().parseDef(def, refs, forceResolution),
    get zod3Default() {
      return zod3().ignoreOverride;
    },
  };
}

/** Loads the converters once: zod 4's `toJSONSchema` now, `zod-to-json-schema` for zod 3 when first needed. */
export function jsonSchemaConverters(): Promise<Converters> {
  converters ??= loadConverters();
  return converters;
}

/** What the input schema of a coerced field says instead of its type. */
const COERCED = 'Any JSON value: zod coerces it (z.coerce) before checking it.';

/**
 * The JSON Schema of a zod object, of its input (what a producer sends: inbound events) or its
 * output (what is sent after parsing: outbound events). zod 4 schemas go through `z.toJSONSchema` (dates become
 * `date-time` strings, as they travel in JSON); zod 3 schemas through `zod-to-json-schema`, which
 * must never see a zod 4 schema (it would return an empty schema).
 *
 * A coerced field (`z.coerce.number()`) accepts any value as input (zod's input type for it is
 * `unknown`: `"12"` becomes `12`), so an input schema gives it no type, only a description; an
 * output schema describes what zod gives (`{"type": "number"}`). A zod 3 refinement
 * (`.refine()`) does not change the type: both schemas describe the refined schema.
 */
export function toJsonSchema(convert: Converters, schema: unknown, io: 'input' | 'output'): JsonSchema {
  const version = zodVersion(schema);
  if (version === 4) {
    return convert.zod4(schema, {
      io,
      unrepresentable: 'any',
      override: (context: { zodSchema: unknown; jsonSchema: Record<string, unknown> }) => {
        const def = (context.zodSchema as { _zod: { def: { coerce?: boolean } } })._zod.def;
        if (io === 'input' && def.coerce === true) {
          for (const key of Object.keys(context.jsonSchema)) if (key !== 'description' && key !== 'title') delete context.jsonSchema[key];
          context.jsonSchema.description ??= COERCED;
        } else if (zodKind(context.zodSchema) === 'date') {
          context.jsonSchema.type = 'string';
          context.jsonSchema.format = 'date-time';
        }
      },
    });
  }
  if (version === 3) {
    const override = (def: { typeName?: string; coerce?: boolean; description?: string; effect?: { type: string }; schema?: { _def: unknown } }, refs: unknown) => {
      if (io === 'input' && def.coerce === true) return { description: def.description ?? COERCED };
      if (def.typeName === 'ZodEffects' && def.effect?.type === 'refinement') return convert.zod3Parse(def.schema!._def, refs) ?? {};
      return convert.zod3Default;
    };
    const converted = {
      ...convert.zod3(schema, { $refStrategy: 'none', target: 'jsonSchema7', pipeStrategy: io, effectStrategy: io === 'input' ? 'input' : 'any', override }),
    };
    const draft = converted.$schema;
    delete converted.$schema;
    return { $schema: draft, ...converted };
  }
  throw new TypeError('not a zod schema');
}
