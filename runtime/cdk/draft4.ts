/**
 * Rewrites a JSON Schema written for draft 2020-12 or draft-07 (what the compiler generates)
 * into draft-04, the dialect of EventBridge's schema registry (`JSONSchemaDraft4`).
 */

/** How `$ref`s are rewritten: `#/$defs/X` and `#/definitions/X` keep their name; any other `#...` is resolved under `root`. */
export interface Draft4Options {
  /** JSON pointer (`#/...`) at which the converted schema sits in its document, for `#` and `#/...` references. */
  readonly root: string;
}

type Schema = Record<string, unknown>;

/** Keywords whose value is one subschema. */
const SUBSCHEMA = ['not', 'contains', 'if', 'then', 'else'] as const;
/** Keywords whose value is a list of subschemas. */
const SUBSCHEMA_LIST = ['allOf', 'anyOf', 'oneOf'] as const;
/** Keywords whose value maps names to subschemas. */
const SUBSCHEMA_MAP = ['properties', 'patternProperties', 'definitions'] as const;

/**
 * The draft-04 form of `schema`: numeric `exclusiveMinimum`/`exclusiveMaximum` become
 * `minimum`/`maximum` with a boolean flag, `const` becomes a one-value `enum`, `prefixItems`
 * (tuples) becomes an `items` list with `additionalItems`, boolean subschemas become `{}` or
 * `{ "not": {} }`, `dependentRequired`/`dependentSchemas` become `dependencies`,
 * `propertyNames` and nested `$schema` are dropped, and references are rewritten (see
 * {@link Draft4Options}). Values of `enum`, `default`, `examples` and other data keywords
 * are left alone; so are names of properties.
 */
export function toDraft4(schema: unknown, options: Draft4Options): Schema {
  if (schema === true || schema === undefined) return {};
  if (schema === false) return { not: {} };
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
    throw new TypeError(`Not a JSON Schema: ${JSON.stringify(schema)}`);
  }
  const source = schema as Schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(source)) {
    switch (key) {
      case '$schema':
      case 'propertyNames':
      case 'prefixItems':
      case 'items':
      case 'additionalItems':
      case 'exclusiveMinimum':
      case 'exclusiveMaximum':
      case 'minimum':
      case 'maximum':
      case 'const':
      case 'dependentRequired':
      case 'dependentSchemas':
      case 'dependencies':
        break; // handled below
      case '$ref':
        out[key] = typeof value === 'string' ? rewriteRef(value, options.root) : value;
        break;
      case 'additionalProperties':
        out[key] = typeof value === 'boolean' ? value : toDraft4(value, options);
        break;
      default:
        if ((SUBSCHEMA as readonly string[]).includes(key)) out[key] = toDraft4(value, options);
        else if ((SUBSCHEMA_LIST as readonly string[]).includes(key) && Array.isArray(value)) {
          out[key] = value.map((item) => toDraft4(item, options));
        } else if ((SUBSCHEMA_MAP as readonly string[]).includes(key) && isObject(value)) {
          out[key] = mapValues(value, (item) => toDraft4(item, options));
        } else out[key] = value;
    }
  }
  Object.assign(out, bound(source, 'minimum', 'exclusiveMinimum', (a, b) => a > b));
  Object.assign(out, bound(source, 'maximum', 'exclusiveMaximum', (a, b) => a < b));
  if ('const' in source && !('enum' in source)) out['enum'] = [source['const']];
  Object.assign(out, arrayItems(source, options));
  const dependencies = {
    ...(isObject(source['dependencies']) ? source['dependencies'] : {}),
    ...(isObject(source['dependentSchemas']) ? source['dependentSchemas'] : {}),
    ...(isObject(source['dependentRequired']) ? source['dependentRequired'] : {}),
  };
  if (Object.keys(dependencies).length > 0) {
    out['dependencies'] = mapValues(dependencies, (item) => (Array.isArray(item) ? item : toDraft4(item, options)));
  }
  return out;
}

/**
 * `minimum` and `exclusiveMinimum` (or the maximum pair) in draft-04 form. A numeric exclusive
 * bound (draft-06 and later) becomes the bound with the flag `true`, unless the inclusive bound
 * is stricter (`stricter(inclusive, exclusive)`), which then stands alone.
 */
function bound(source: Schema, inclusiveKey: string, exclusiveKey: string, stricter: (a: number, b: number) => boolean): Schema {
  const inclusive = source[inclusiveKey];
  const exclusive = source[exclusiveKey];
  if (typeof exclusive !== 'number') {
    return {
      ...(inclusive === undefined ? {} : { [inclusiveKey]: inclusive }),
      ...(typeof exclusive === 'boolean' ? { [exclusiveKey]: exclusive } : {}),
    };
  }
  if (typeof inclusive === 'number' && stricter(inclusive, exclusive)) return { [inclusiveKey]: inclusive };
  return { [inclusiveKey]: exclusive, [exclusiveKey]: true };
}

/** `items`/`additionalItems` in draft-04 form, from 2020-12 `prefixItems`/`items` or draft-07 `items`/`additionalItems`. */
function arrayItems(source: Schema, options: Draft4Options): Schema {
  const convert = (value: unknown) => toDraft4(value, options);
  const additional = (value: unknown) => (typeof value === 'boolean' ? value : convert(value));
  const { prefixItems, items, additionalItems } = source;
  if (Array.isArray(prefixItems)) {
    // 2020-12 tuple: `items` holds what may follow the listed positions.
    return { items: prefixItems.map(convert), ...(items === undefined ? {} : { additionalItems: additional(items) }) };
  }
  const out: Schema = {};
  if (Array.isArray(items)) out['items'] = items.map(convert);
  else if (items === false) out['maxItems'] = 0;
  else if (items !== undefined && items !== true) out['items'] = convert(items);
  if (Array.isArray(items) && additionalItems !== undefined) out['additionalItems'] = additional(additionalItems);
  return out;
}

/** `#/$defs/X` → `#/definitions/X`; `#` and any other `#/...` → the same place under `root`. */
function rewriteRef(ref: string, root: string): string {
  const definition = /^#\/(?:\$defs|definitions)\/(.*)$/.exec(ref);
  if (definition) return `#/definitions/${definition[1]}`;
  if (ref === '#') return root;
  if (ref.startsWith('#/')) return `${root}${ref.slice(1)}`;
  return ref;
}

function isObject(value: unknown): value is Schema {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function mapValues(value: Schema, convert: (item: unknown) => unknown): Schema {
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, convert(item)]));
}
