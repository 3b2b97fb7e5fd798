import type { ValidationIssue } from './errors.js';

/**
 * What the runtime needs of a schema: zod 3 and zod 4 schemas both fit, and so does any
 * library with a zod-like `safeParse`. The runtime never imports zod itself.
 */
export interface SchemaLike<T = unknown> {
  safeParse(value: unknown):
    | { success: true; data: T }
    | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } };
}

/** Schemas an aggregate validates payloads with, keyed by event type. */
export interface AggregateSchemas {
  readonly inbound?: Readonly<Record<string, SchemaLike>>;
  readonly outbound?: Readonly<Record<string, SchemaLike>>;
}

/** Parses `value`; returns the parsed data or the issues. */
export function check(
  schema: SchemaLike,
  value: unknown,
): { ok: true; data: unknown } | { ok: false; issues: ValidationIssue[] } {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, data: result.data };
  return {
    ok: false,
    issues: result.error.issues.map((issue) => ({
      path: issue.path.map((part) => (typeof part === 'number' ? part : String(part))),
      message: issue.message,
    })),
  };
}
