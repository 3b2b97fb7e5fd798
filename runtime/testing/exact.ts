/**
 * Exact equality for the codec table, without `node:assert` (the table also runs in browsers):
 * primitives by `Object.is` (so `-0` differs from `0`), dates by time, arrays element by
 * element, objects by prototype and own enumerable keys (including an own `__proto__`).
 */

/** The path of the first difference between `actual` and `expected`, or undefined when they are exactly equal. */
export function firstDifference(actual: unknown, expected: unknown, path = ''): string | undefined {
  if (Object.is(actual, expected)) return undefined;
  if (actual === null || expected === null || typeof actual !== 'object' || typeof expected !== 'object') {
    return `${path || '(value)'}: ${show(actual)} !== ${show(expected)}`;
  }
  if (expected instanceof Date || actual instanceof Date) {
    if (!(actual instanceof Date) || !(expected instanceof Date)) return `${path || '(value)'}: ${show(actual)} !== ${show(expected)}`;
    return actual.getTime() === expected.getTime() || (Number.isNaN(actual.getTime()) && Number.isNaN(expected.getTime()))
      ? undefined
      : `${path || '(value)'}: ${show(actual)} !== ${show(expected)}`;
  }
  if (Array.isArray(actual) !== Array.isArray(expected)) return `${path || '(value)'}: array vs non-array`;
  if (Object.getPrototypeOf(actual) !== Object.getPrototypeOf(expected)) return `${path || '(value)'}: different prototypes`;
  const actualKeys = Object.keys(actual).sort();
  const expectedKeys = Object.keys(expected).sort();
  if (actualKeys.join('\u0000') !== expectedKeys.join('\u0000')) {
    return `${path || '(value)'}: keys ${JSON.stringify(actualKeys)} !== ${JSON.stringify(expectedKeys)}`;
  }
  for (const key of expectedKeys) {
    const found = firstDifference(
      (actual as Record<string, unknown>)[key],
      (expected as Record<string, unknown>)[key],
      `${path}${Array.isArray(expected) ? `[${key}]` : `.${key}`}`,
    );
    if (found) return found;
  }
  return undefined;
}

function show(value: unknown): string {
  if (typeof value === 'number' && Object.is(value, -0)) return '-0';
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Date) return `Date(${value.getTime()})`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Throws an Error with `message` unless `condition`. */
export function ensure(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** Throws unless `actual` and `expected` are exactly equal. */
export function ensureExact(actual: unknown, expected: unknown, what: string): void {
  const difference = firstDifference(actual, expected);
  if (difference) throw new Error(`${what} did not read back exactly: ${difference}`);
}
