import { arrayElement, isKeyKind, isZodObject, objectShape, unwrap } from './zod.js';

/** An expression over one value, and what it gives: one key, a list of keys, maybe nothing. */
interface Access {
  readonly expression: string;
  /** The expression gives an array (of keys). */
  readonly list: boolean;
  /** The expression may give null or undefined. */
  readonly nullable: boolean;
}

/**
 * The key expression for a dotted state path, or the reason it is not a valid index key.
 * Optional and nullable parents are followed with `?.`; a path through an array of objects
 * collects the field of every element (`lines.sku` → `snapshot.state.lines.map((line) => line.sku)`),
 * skipping elements where it is absent, so the key type stays the field's type.
 */
export function statePathAccessor(state: unknown, dotted: string): string | { error: string } {
  const segments = dotted.split('.');
  if (segments.some((segment) => !/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(segment))) {
    return { error: `${JSON.stringify(dotted)} is not a state field path (field names joined by ".")` };
  }
  const access = follow(state, 'snapshot.state', false, segments, 0, new Set(['snapshot']));
  return 'error' in access ? access : access.expression;
}

function follow(
  schema: unknown,
  expression: string,
  nullable: boolean,
  segments: readonly string[],
  position: number,
  names: ReadonlySet<string>,
): Access | { error: string } {
  const { schema: inner, optional } = unwrap(schema);
  const maybe = nullable || optional;
  const element = arrayElement(inner);
  if (position === segments.length) {
    const leaf = element === undefined ? inner : unwrap(element).schema;
    if (!isKeyKind(leaf)) {
      return { error: `state field ${segments.join('.')} cannot be an index key (use a string, number, enum, a union of literals or an array of them)` };
    }
    return { expression, list: element !== undefined, nullable: maybe };
  }
  const segment = segments[position]!;
  const reached = segments.slice(0, position).join('.');
  if (element !== undefined) {
    // every element's field: map (or flatMap, when the field is a list or may be absent) over the array
    if (!isZodObject(unwrap(element).schema)) {
      return { error: `state field ${reached} is an array of values that are not objects, so they have no field ${segment}` };
    }
    const variable = elementName(segments[position - 1]!, names);
    const each = follow(element, variable, false, segments, position, new Set([...names, variable]));
    if ('error' in each) return each;
    const body = each.nullable ? `${each.expression} ?? []` : each.expression;
    const method = each.list || each.nullable ? 'flatMap' : 'map';
    return { expression: `${expression}${optional ? '?.' : '.'}${method}((${variable}) => ${body})`, list: true, nullable: maybe };
  }
  if (!isZodObject(inner)) {
    return { error: `state field ${reached} is not an object, so it has no field ${segment}` };
  }
  const shape = objectShape(inner);
  if (!Object.hasOwn(shape, segment)) {
    const known = Object.keys(shape).sort().join(', ') || 'none';
    return { error: `state has no field ${segments.slice(0, position + 1).join('.')} (fields: ${known})` };
  }
  return follow(shape[segment], `${expression}${optional ? '?.' : '.'}${segment}`, maybe, segments, position + 1, names);
}

/** The parameter name for an element of the array field `field`: `lines` → `line`, `entries` → `entry`, else `item`. */
function elementName(field: string, taken: ReadonlySet<string>): string {
  const singular = /[^aeiou]ies$/.test(field) ? `${field.slice(0, -3)}y` : /[^su]s$/.test(field) ? field.slice(0, -1) : 'item';
  let name = singular;
  for (let counter = 2; taken.has(name) || RESERVED.has(name); counter++) name = `${singular}${counter}`;
  return name;
}

const RESERVED = new Set(['snapshot', 'state', 'this', 'new', 'class', 'function', 'default', 'case', 'in', 'of', 'do', 'if', 'for', 'var', 'let', 'const', 'return', 'delete', 'void', 'typeof', 'with', 'yield', 'await', 'enum', 'import', 'export', 'super', 'switch', 'throw', 'try', 'catch', 'while', 'break', 'continue', 'else', 'finally', 'instanceof', 'true', 'false', 'null', 'undefined']);
