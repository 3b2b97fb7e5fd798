import { arrayElement, isKeyKind, isZodObject, objectShape, unwrap } from './zod.js';

/** The key expression for a dotted state path, or the reason it is not a valid index key. */
export function statePathAccessor(state: unknown, dotted: string): string | { error: string } {
  const segments = dotted.split('.');
  if (segments.some((segment) => !/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(segment))) {
    return { error: `${JSON.stringify(dotted)} is not a state field path (field names joined by ".")` };
  }
  let current: unknown = state;
  let accessor = 'snapshot.state';
  let optional = false;
  for (const [position, segment] of segments.entries()) {
    const { schema } = unwrap(current);
    if (!isZodObject(schema)) {
      return { error: `state field ${segments.slice(0, position).join('.')} is not an object, so it has no field ${segment}` };
    }
    const shape = objectShape(schema);
    if (!Object.hasOwn(shape, segment)) {
      const known = Object.keys(shape).sort().join(', ') || 'none';
      return { error: `state has no field ${segments.slice(0, position + 1).join('.')} (fields: ${known})` };
    }
    accessor += `${optional ? '?.' : '.'}${segment}`;
    const field = unwrap(shape[segment]);
    optional = field.optional;
    current = shape[segment];
  }
  const leaf = unwrap(current).schema;
  const element = arrayElement(leaf);
  if (!isKeyKind(element === undefined ? leaf : unwrap(element).schema)) {
    return { error: `state field ${dotted} cannot be an index key (use a string, number, enum or an array of them)` };
  }
  return accessor;
}
