/**
 * What the compiler reads from zod schemas, for zod 4 (`_zod.def`) and zod 3 (`_def.typeName`)
 * alike, without depending on either at the type level.
 */

type Any = any; // zod internals are read structurally

/** Which zod a schema was built with; undefined when it is not a zod schema. */
export function zodVersion(schema: unknown): 4 | 3 | undefined {
  const value = schema as Any;
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return undefined;
  if (value._zod && typeof value._zod === 'object' && value._zod.def) return 4;
  if (value._def && typeof value._def.typeName === 'string' && typeof value.safeParse === 'function') return 3;
  return undefined;
}

/**
 * Whether a zod 4 schema was built with `zod/mini` (its functions: `z.optional(z.string())`)
 * rather than classic `zod` (its methods: `z.string().optional()`). Both build the same
 * schemas from zod's core; they differ in bundle size, and in that classic zod loads the
 * English error messages when its first schema is made, while `zod/mini` loads no locale.
 */
export function isZodMini(schema: unknown): boolean {
  if (zodVersion(schema) !== 4) return false;
  const traits = (schema as Any)._zod.traits as { has?(name: string): boolean } | undefined;
  return typeof traits?.has === 'function' && traits.has('ZodMiniType');
}

/** The zod kind of a schema in lower case: `object`, `string`, `optional`, ... (zod 3 names mapped to zod 4's). */
export function zodKind(schema: unknown): string | undefined {
  const version = zodVersion(schema);
  if (version === 4) return String((schema as Any)._zod.def.type);
  if (version === 3) {
    const name = String((schema as Any)._def.typeName).replace(/^Zod/, '');
    return name[0]!.toLowerCase() + name.slice(1);
  }
  return undefined;
}

/**
 * A zod 3 refinement (`.refine()`, `.superRefine()`: a `ZodEffects` that checks without
 * changing the type) gives its inner schema; any other schema is returned as it is. (zod 4
 * refinements and checks stay on the schema itself.)
 */
export function withoutRefinements(schema: unknown): unknown {
  let current = schema as Any;
  while (zodKind(current) === 'effects' && current._def.effect?.type === 'refinement') current = current._def.schema;
  return current;
}

/** Whether the schema is a zod object (zod 4 or zod 3), refined or not. */
export function isZodObject(schema: unknown): boolean {
  return zodKind(withoutRefinements(schema)) === 'object';
}

/** The schema without optional, nullable, default, readonly or catch wrappers; `optional` says whether any allowed undefined or null. */
export function unwrap(schema: unknown): { schema: unknown; optional: boolean } {
  let current = schema as Any;
  let optional = false;
  for (let depth = 0; depth < 20; depth++) {
    const kind = zodKind(current);
    if (kind === 'optional' || kind === 'nullable' || kind === 'nullish') optional = true;
    if (kind === 'optional' || kind === 'nullable' || kind === 'nullish' || kind === 'default' || kind === 'prefault' || kind === 'readonly' || kind === 'catch' || kind === 'nonoptional') {
      current = zodVersion(current) === 4 ? current._zod.def.innerType : current._def.innerType;
      continue;
    }
    if (kind === 'effects' && current._def.effect?.type === 'refinement') {
      current = current._def.schema;
      continue;
    }
    if (kind === 'branded') {
      current = current._def.type;
      continue;
    }
    break;
  }
  return { schema: current, optional };
}

/** The fields of a zod object (refined or not). */
export function objectShape(schema: unknown): Record<string, unknown> {
  const value = withoutRefinements(schema) as Any;
  const shape = zodVersion(value) === 4 ? value._zod.def.shape : typeof value._def.shape === 'function' ? value._def.shape() : value.shape;
  return shape ?? {};
}

/** The element schema of a zod array, if it is one. */
export function arrayElement(schema: unknown): unknown {
  const value = schema as Any;
  if (zodKind(value) !== 'array') return undefined;
  return zodVersion(value) === 4 ? value._zod.def.element : value._def.type;
}

/**
 * Whether values of this (unwrapped) schema can be index keys: strings, numbers, enums (zod 3
 * native enums too), string or number literals, and unions of these.
 */
export function isKeyKind(schema: unknown): boolean {
  const kind = zodKind(schema);
  const value = schema as Any;
  if (kind === 'string' || kind === 'number' || kind === 'int' || kind === 'templateLiteral' || kind === 'template_literal') return true;
  if (kind === 'enum' || kind === 'nativeEnum') {
    const values: unknown[] = zodVersion(value) === 4 ? Object.values(value._zod.def.entries) : Array.isArray(value._def.values) ? value._def.values : Object.values(value._def.values);
    return values.every((item) => typeof item === 'string' || typeof item === 'number');
  }
  if (kind === 'literal') {
    const values: unknown[] = zodVersion(value) === 4 ? value._zod.def.values : [value._def.value];
    return values.every((item) => typeof item === 'string' || typeof item === 'number');
  }
  if (kind === 'union') {
    const options: unknown[] = zodVersion(value) === 4 ? value._zod.def.options : value._def.options;
    return options.length > 0 && options.every((option) => isKeyKind(unwrap(option).schema) && !unwrap(option).optional);
  }
  return false;
}

/** Parses `value` with `schema`; returns the issues as `path: message` pairs. */
export function parseIssues(schema: unknown, value: unknown): { path: string; message: string }[] {
  const result = (schema as Any).safeParse(value);
  if (result.success) return [];
  return (result.error.issues as { path: PropertyKey[]; message: string }[]).map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}
