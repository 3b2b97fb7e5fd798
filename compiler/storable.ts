/**
 * The compiler's half of the codec contract: zod types whose values no store keeps are refused
 * when generating, naming the field, instead of failing at the first commit (or, worse, being
 * changed by one store and not another). Walks what a schema outputs (what is stored: parsed
 * payloads, the state), for zod 4, `zod/mini` and `zod/v3` schemas alike.
 */
import { zodKind, zodVersion } from './zod.js';

type Any = any; // zod internals are read structurally

/** A field whose type no store keeps: its path below the schema (`lines[].at`, `` for the schema itself) and why. */
export interface UnstorableField {
  readonly path: string;
  readonly message: string;
}

const REFUSED: Readonly<Record<string, string>> = {
  bigint: 'z.bigint() values are refused by every store (use z.number() or a string)',
  bigInt: 'z.bigint() values are refused by every store (use z.number() or a string)',
  map: 'z.map() values are refused by every store (use z.record() or an array of entries)',
  set: 'z.set() values are refused by every store (use z.array())',
  symbol: 'z.symbol() values are refused by every store (use a string)',
  function: 'functions are refused by every store',
  nan: 'z.nan() values are refused by every store (NaN is not a JSON number)',
  naN: 'z.nan() values are refused by every store (NaN is not a JSON number)',
  promise: 'z.promise() values are refused by every store (store the resolved value)',
  custom: 'z.custom() / z.instanceof() values are refused by every store unless they are plain JSON or Date (declare their shape with zod types)',
  file: 'z.file() values are refused by every store (store a reference or base64 text)',
  undefined: 'z.undefined() is not a field type: undefined is not stored (use .optional())',
  void: 'z.void() is not a field type: undefined is not stored (use .optional())',
};

/** Every field of `schema` whose values no store keeps, in schema order. */
export function unstorableFields(schema: unknown): UnstorableField[] {
  const found: UnstorableField[] = [];
  walk(schema, '', found, new Set());
  return found;
}

function walk(schema: unknown, path: string, found: UnstorableField[], visiting: Set<unknown>): void {
  if (visiting.has(schema)) return; // recursive (z.lazy) schemas: each schema once per path
  const kind = zodKind(schema);
  if (kind === undefined) return;
  const refused = refusal(schema, kind);
  if (refused) {
    found.push({ path, message: refused });
    return;
  }
  visiting.add(schema);
  try {
    for (const [child, suffix] of children(schema, kind)) walk(child, path + suffix, found, visiting);
  } finally {
    visiting.delete(schema);
  }
}

/** Why values of `schema` (of zod kind `kind`) cannot be stored, if they cannot. */
function refusal(schema: unknown, kind: string): string | undefined {
  const value = schema as Any;
  if (REFUSED[kind]) return REFUSED[kind];
  // zod 3 builds z.custom() and z.instanceof() as a refined z.any()
  if (kind === 'effects' && value._def.effect?.type === 'refinement' && zodKind(value._def.schema) === 'any') return REFUSED.custom;
  if (kind === 'literal') {
    const values: unknown[] = zodVersion(value) === 4 ? value._zod.def.values : [value._def.value];
    if (values.some((item) => typeof item === 'bigint')) return REFUSED.bigint;
    if (values.some((item) => typeof item === 'symbol')) return REFUSED.symbol;
    if (values.some((item) => item === undefined)) return REFUSED.undefined;
  }
  return undefined;
}

/** The schemas inside `schema` whose values are stored, with the path suffix of each. */
function children(schema: unknown, kind: string): [unknown, string][] {
  const value = schema as Any;
  const v4 = zodVersion(value) === 4;
  const def = v4 ? value._zod.def : value._def;
  const field = (name: string) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`);
  switch (kind) {
    case 'object': {
      const shape = v4 ? def.shape : typeof def.shape === 'function' ? def.shape() : {};
      const fields: [unknown, string][] = Object.entries(shape as Record<string, unknown>).map(([name, child]) => [child, field(name)]);
      const rest = v4 ? def.catchall : def.catchall;
      if (rest && zodKind(rest) !== 'never' && zodKind(rest) !== 'unknown') fields.push([rest, '[*]']);
      return fields;
    }
    case 'array':
      return [[v4 ? def.element : def.type, '[]']];
    case 'tuple': {
      const items: [unknown, string][] = (def.items as unknown[]).map((item, position) => [item, `[${position}]`]);
      if (def.rest) items.push([def.rest, '[]']);
      return items;
    }
    case 'record':
      return [[def.valueType, '[*]']];
    case 'union':
    case 'discriminatedUnion':
    case 'xor':
      return (Array.isArray(def.options) ? def.options : [...def.options.values()]).map((option: unknown) => [option, '']);
    case 'intersection':
      return [
        [def.left, ''],
        [def.right, ''],
      ];
    case 'optional':
    case 'nullable':
    case 'nullish':
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
    case 'nonoptional':
      return [[def.innerType, '']];
    case 'lazy':
      return [[v4 ? def.getter() : def.getter(), '']];
    case 'branded':
      return [[def.type, '']];
    case 'pipe':
      // a transform's output type is not known here; a pipe into a schema stores what that schema outputs
      return zodKind(def.out) === 'transform' ? [] : [[def.out, '']];
    case 'pipeline':
      return [[def.out, '']];
    case 'effects':
      // zod 3: refinements and preprocessing output the inner schema's values; a transform's output is not known
      return def.effect?.type === 'transform' ? [] : [[def.schema, '']];
    default:
      return [];
  }
}
