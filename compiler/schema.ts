/**
 * What schema modules and `esre.config.ts` import: `defineAggregate`, `defineConfig` and the
 * type helpers generated code uses to derive its types from the user's zod schemas.
 *
 * Nothing here imports zod: zod 4 schemas and `zod/v3` schemas are both accepted, through the
 * output types they carry (`_zod.output` in zod 4, `_output` in zod 3).
 */
import { EventSourcingError } from '../runtime/errors.js';

/** The least a schema must offer: a zod-style `safeParse` (zod 4 and `zod/v3` both fit). */
export interface SchemaLike {
  safeParse(value: unknown): unknown;
}

/**
 * The output type of a zod 4 or zod 3 schema (what `z.infer` gives); of a {@link versioned}
 * event, the output type of its current version.
 */
export type SchemaOutput<T> = T extends { readonly _zod: { readonly output: infer O } }
  ? O
  : T extends { readonly _output: infer O }
    ? O
    : T extends VersionedSchema<infer _V, infer C>
      ? SchemaOutput<C>
      : never;

/**
 * The input type of a zod 4 or zod 3 schema (what `z.input` gives: before defaults and
 * transforms); of a {@link versioned} event, the input type of its current version.
 */
export type SchemaInput<T> = T extends { readonly _zod: { readonly input: infer I } }
  ? I
  : T extends { readonly _input: infer I }
    ? I
    : T extends VersionedSchema<infer _V, infer C>
      ? SchemaInput<C>
      : never;

/** Version number → payload schema of that version: `{ 1: z.object(...), 2: z.object(...) }`. */
export type SchemaVersions = { readonly [version: number]: SchemaLike };

/** The current version of consecutive versions 1, 2, ...: the last key before the first gap. */
export type LatestVersion<V, Seen extends unknown[] = [unknown]> = [...Seen, unknown]['length'] extends keyof V
  ? LatestVersion<V, [...Seen, unknown]>
  : Seen['length'];

/** The schema of the current version of `V`. */
export type CurrentVersionSchema<V extends SchemaVersions> = V[LatestVersion<V> & keyof V] extends infer S extends SchemaLike ? S : never;

/** Marks objects made by {@link versioned}. */
export const VERSIONED_SCHEMA: unique symbol = Symbol.for('event-sourced-rules-engine.versioned-schema');

/**
 * An inbound event with a version history, as {@link versioned} returns it. It validates like
 * its current schema (`safeParse` is the current version's), so the runtime treats it as the
 * payload schema; the compiler reads the older versions from `versions`.
 */
export interface VersionedSchema<V extends SchemaVersions = SchemaVersions, C extends SchemaLike = SchemaLike> extends SchemaLike {
  readonly [VERSIONED_SCHEMA]: true;
  /** Every version's payload schema, from 1 to the current one. */
  readonly versions: V;
  /** The current version: the highest key of `versions`. */
  readonly version: number;
  /** The current version's schema (what new events are validated and typed with). */
  readonly schema: C;
  /** The current version's `safeParse`. */
  readonly safeParse: C['safeParse'];
}

/**
 * Gives an inbound event a version history: the payload schema of every version, from 1 to
 * the current one (the highest). Events stored under an older version are turned into the
 * current shape by upcasters (one per step, created by `esre generate` as stubs in
 * `<rules>/<aggregate>/upcasters/`), so rules only see current payloads; older schemas are
 * kept so that stored data stays typed and `esre generate` can check it.
 *
 * ```ts
 * inbound: {
 *   MONEY_DEPOSITED: versioned({
 *     1: z.object({ amount: z.number().positive() }),
 *     2: z.object({ amount: z.number().positive(), currency: z.enum(['EUR', 'USD']) }),
 *   }),
 * }
 * ```
 *
 * Versions must be the whole numbers 1, 2, ... with none missing (checked by `esre generate`).
 */
export function versioned<const V extends SchemaVersions & { readonly 1: SchemaLike }>(versions: V): VersionedSchema<V, CurrentVersionSchema<V>> {
  const numbers = Object.keys(versions).map(Number);
  const version = numbers.length === 0 ? 0 : Math.max(...numbers);
  const schema = versions[version] as CurrentVersionSchema<V>;
  const result = {
    versions,
    version,
    schema,
    safeParse: (value: unknown) => {
      if (!schema || typeof schema.safeParse !== 'function') throw new TypeError(`versioned(): version ${version} has no schema`);
      return schema.safeParse(value);
    },
  };
  Object.defineProperty(result, VERSIONED_SCHEMA, { value: true, enumerable: false });
  return result as unknown as VersionedSchema<V, CurrentVersionSchema<V>>;
}

/** Whether a value was made by {@link versioned}. */
export function isVersionedSchema(value: unknown): value is VersionedSchema {
  return typeof value === 'object' && value !== null && (value as { [VERSIONED_SCHEMA]?: unknown })[VERSIONED_SCHEMA] === true;
}

/** Event type → schema of its payload (a zod object). */
export type EventSchemas = { readonly [type: string]: SchemaLike };

/**
 * An index whose key function is written by hand: `module` is a path relative to the schema
 * module, `export` the name of the exported function `(snapshot) => key | key[] | null`.
 * Generated code imports it from there.
 */
export interface IndexFunctionRef {
  readonly module: string;
  readonly export: string;
}

/** Index name → a dotted path to a state field (`"email"`, `"owner.email"`) or a key function module. */
export type IndexSpecs = { readonly [name: string]: string | IndexFunctionRef };

/** What a schema module passes to {@link defineAggregate}. */
export interface AggregateInput<
  TState extends SchemaLike,
  TInbound extends EventSchemas,
  TOutbound extends EventSchemas,
  TIndexes extends IndexSpecs,
> {
  /** Identifier of the aggregate, e.g. `"account"`: names the generated folder and classes (`AccountAggregate`). */
  readonly name: string;
  /** The stored aggregate type, e.g. `"ACCOUNT"`. Defaults to `name` in SCREAMING_SNAKE_CASE. */
  readonly type?: string;
  /** One line on what the aggregate is, copied into generated doc comments. */
  readonly description?: string;
  /** The state: a zod object. */
  readonly state: TState;
  /**
   * The state of an aggregate with no events, as an input of `state`: the generated aggregate
   * parses it with `state` (defaults filled in, transforms applied), and `esre generate` refuses
   * it when it does not parse.
   */
  readonly initial: NoInfer<SchemaInput<TState>>;
  /**
   * Inbound event type → zod object of its payload, or {@link versioned} payload schemas when
   * the payload changed incompatibly since events were stored. One rule per inbound event.
   */
  readonly inbound: TInbound;
  /** Outbound event type → zod object of its payload. Rules may publish only these. */
  readonly outbound?: TOutbound;
  /** Index name → state field path, or a hand-written key function. */
  readonly indexes?: TIndexes & ExactIndexSpecs<TIndexes>;
  /**
   * Version of the state schema (default 1). Bump it when the state changes in a way stored
   * snapshots cannot be read with (`esre generate` says when): snapshots written under another
   * version are rebuilt from history on first touch.
   */
  readonly stateVersion?: number;
  /**
   * Version of the rules' logic (default 1). Bump it when a rule computes something different
   * from the same events: snapshots written under another version are rebuilt from history.
   */
  readonly rulesVersion?: number;
  /**
   * Whether the HTTP service (`service.api` in `esre.config.ts`) serves this aggregate (default
   * `true`): `false` opts it out, so no handler module, route or function is generated for it.
   * Without `service.api` the setting has no effect.
   */
  readonly api?: boolean;
}

/** `T` with every key that `Shape` lacks typed `never`: an object literal inferred as `T` gets no key `Shape` does not declare. */
type Exactly<Shape, T> = T & { readonly [K in Exclude<keyof T, keyof Shape>]: never };

/** Index specs whose `{ module, export }` references take no other keys. */
type ExactIndexSpecs<T> = { readonly [K in keyof T]: T[K] extends string ? T[K] : Exactly<IndexFunctionRef, T[K]> };

/** A checked-in aggregate definition, as {@link defineAggregate} returns it. */
export interface AggregateDefinition<
  TState extends SchemaLike = SchemaLike,
  TInbound extends EventSchemas = EventSchemas,
  TOutbound extends EventSchemas = EventSchemas,
  TIndexes extends IndexSpecs = IndexSpecs,
> {
  readonly name: string;
  readonly type: string;
  readonly description?: string;
  readonly state: TState;
  /** The initial state as an input of `state` (see {@link initialState}). */
  readonly initial: SchemaInput<TState>;
  readonly inbound: TInbound;
  readonly outbound: TOutbound;
  readonly indexes: TIndexes;
  /** Version of the state schema (1 unless given). */
  readonly stateVersion: number;
  /** Version of the rules' logic (1 unless given). */
  readonly rulesVersion: number;
  /** Whether the HTTP service serves this aggregate when `service.api` is on (true unless given). */
  readonly api: boolean;
}

/** Marks objects made by {@link defineAggregate}, so the loader can tell them from other exports. */
export const AGGREGATE_DEFINITION: unique symbol = Symbol.for('event-sourced-rules-engine.aggregate-definition');

/**
 * Declares one aggregate; the default export of a schema module.
 *
 * ```ts
 * export default defineAggregate({
 *   name: 'account',
 *   state: z.object({ email: z.string(), balance: z.number() }),
 *   initial: { email: '', balance: 0 },
 *   inbound: { MONEY_DEPOSITED: z.object({ amount: z.number().positive() }) },
 *   outbound: { BALANCE_CHANGED: z.object({ balance: z.number() }) },
 *   indexes: { byEmail: 'email' },
 * });
 * ```
 *
 * The returned object keeps the precise schema types, so generated code derives its types from
 * it with `SchemaOutput` (the schema stays the one source of truth). Checks happen in
 * `esre generate`, which reports a bad module with its file and field.
 */
export function defineAggregate<
  const TState extends SchemaLike,
  const TInbound extends EventSchemas,
  const TOutbound extends EventSchemas = {},
  const TIndexes extends IndexSpecs = {},
>(input: AggregateInput<TState, TInbound, TOutbound, TIndexes>): AggregateDefinition<TState, TInbound, TOutbound, TIndexes> {
  const definition = {
    ...input,
    type: input.type ?? screamingSnake(String(input.name)),
    outbound: input.outbound ?? ({} as TOutbound),
    indexes: input.indexes ?? ({} as TIndexes),
    stateVersion: input.stateVersion ?? 1,
    rulesVersion: input.rulesVersion ?? 1,
    api: input.api ?? true,
  } as AggregateDefinition<TState, TInbound, TOutbound, TIndexes>;
  Object.defineProperty(definition, AGGREGATE_DEFINITION, { value: true, enumerable: false });
  return definition;
}

/** Thrown by {@link initialState} when `initial` does not parse (`esre generate` reports it before). */
export class InitialStateError extends EventSourcingError {
  constructor(
    readonly aggregate: string,
    readonly issues: readonly { readonly path: string; readonly message: string }[],
  ) {
    super(`the initial state of aggregate ${aggregate} does not match its state schema: ${issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join('; ')}`);
  }
}

/**
 * The initial state of an aggregate: its `initial` parsed by its `state` schema, so defaults
 * and transforms apply as they do to any input (the generated aggregate calls it once).
 */
export function initialState<TState extends SchemaLike>(definition: {
  readonly name: string;
  readonly state: TState;
  readonly initial: unknown;
}): SchemaOutput<TState> {
  const result = definition.state.safeParse(definition.initial) as
    | { success: true; data: SchemaOutput<TState> }
    | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } };
  if (result.success) return result.data;
  throw new InitialStateError(
    definition.name,
    result.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })),
  );
}

/** The service the generated code belongs to; the CDK emitter names its resources after it. */
export interface ServiceConfig {
  /** Service name, e.g. `"account-service"` (CDK stack name, resource prefixes). */
  readonly name: string;
  /** EventBridge `source` of published outbound events, e.g. `"com.example.account"`. */
  readonly eventSource: string;
  /** Name of the EventBridge bus outbound events go to. */
  readonly eventBusName: string;
  /**
   * The HTTP service (off unless given): `true` for the defaults, or {@link ApiConfig}. With it
   * on, `esre generate` writes a Lambda handler module (`<output>/<folder>/api.ts`) per aggregate
   * that does not opt out with `api: false`, the service's `openapi.json`, and (unless `cdk` is
   * `false`) an HTTP API with one function per aggregate in the CDK stack.
   */
  readonly api?: boolean | ApiConfig;
}

/** The HTTP service's settings (`service.api`); every field has a default. */
export interface ApiConfig {
  /**
   * Who may call the API: `'iam'` (default) requires SigV4-signed requests (API Gateway
   * `AWS_IAM` authorization); `'none'` lets anyone on the internet append events: use it only
   * behind another guard.
   */
  readonly auth?: 'iam' | 'none';
  /** Largest request body accepted, in bytes (default 262144, 256 KiB); larger bodies get 413. */
  readonly maxBodyBytes?: number;
  /** API Gateway throttling of the default stage. */
  readonly throttling?: ApiThrottlingConfig;
  /**
   * Lets web apps on other origins call the API from a browser (default: no CORS). API Gateway
   * then answers the browsers' preflight requests itself.
   */
  readonly cors?: ApiCorsConfig;
}

/** CORS of the HTTP API (`service.api.cors`). */
export interface ApiCorsConfig {
  /**
   * The origins of the web apps allowed, as browsers send them in `Origin`: scheme, host and
   * port only, e.g. `['https://app.example.com', 'http://localhost:5173']`; `['*']` for any
   * origin (with `auth: 'none'` the synth warns about it).
   */
  readonly allowOrigins: readonly string[];
  /**
   * Request headers to allow besides those the API needs, which are always allowed
   * (`content-type`, `idempotency-key`, and with IAM the SigV4 headers), e.g. `['x-request-id']`.
   */
  readonly allowHeaders?: readonly string[];
  /** Seconds browsers may cache a preflight answer (default 600, at most 86400). */
  readonly maxAge?: number;
}

/** API Gateway throttling (`service.api.throttling`). */
export interface ApiThrottlingConfig {
  /** Steady-state requests per second (default 50). */
  readonly rateLimit?: number;
  /** Burst of requests above the rate (default 100). */
  readonly burstLimit?: number;
}

/** Where the CDK emitter writes. */
export interface CdkConfig {
  /** Folder of the CDK stack and app (default `"infra"`). */
  readonly output?: string;
}

/** The fields of `esre.config.ts`; all paths are relative to the config file's folder. */
export interface ConfigFields {
  /** Globs of schema modules, e.g. `["schemas/*.schema.ts"]`. */
  readonly schemas: string | readonly string[];
  /** Folder of generated code, owned by the generator (default `"src/generated"`). */
  readonly output?: string;
  /** Folder of rule files, owned by you once created (default `"src/rules"`). */
  readonly rules?: string;
  /** The service: required unless `cdk` is `false`. */
  readonly service?: ServiceConfig;
  /**
   * Where the CDK emitter writes the stack and app (default `{ output: "infra" }`); `false` for
   * a project that does not deploy with CDK (a browser app): no stack, app or `cdk.json`, and
   * no `service` needed.
   */
  readonly cdk?: CdkConfig | false;
}

/** `esre.config.ts`: {@link ConfigFields}, with `service` unless `cdk` is `false`. */
export type EsreConfig = ConfigFields & ({ readonly service: ServiceConfig } | { readonly cdk: false });

/**
 * Declares the compiler's configuration; the default export of `esre.config.ts`. The type
 * takes known keys only (a misspelled key is a compile error, and `esre generate` rejects it too).
 */
export function defineConfig(config: EsreConfig): EsreConfig {
  return config;
}

/**
 * Every key of `T`, each once. The compiler checks objects against such tables (unknown keys
 * are errors that suggest the nearest valid key); typing a table as `KeyTable<T>` makes tsc
 * fail until a key added to `T` is added to its table, so each object's keys are declared once.
 */
export type KeyTable<T> = { readonly [K in keyof Required<T>]: true };

/** The keys of {@link ConfigFields}. */
export const CONFIG_KEYS: KeyTable<ConfigFields> = { schemas: true, output: true, rules: true, service: true, cdk: true };
/** The keys of {@link ServiceConfig}. */
export const SERVICE_KEYS: KeyTable<ServiceConfig> = { name: true, eventSource: true, eventBusName: true, api: true };
/** The keys of {@link ApiConfig}. */
export const API_KEYS: KeyTable<ApiConfig> = { auth: true, maxBodyBytes: true, throttling: true, cors: true };
/** The keys of {@link ApiCorsConfig}. */
export const API_CORS_KEYS: KeyTable<ApiCorsConfig> = { allowOrigins: true, allowHeaders: true, maxAge: true };
/** The keys of {@link ApiThrottlingConfig}. */
export const API_THROTTLING_KEYS: KeyTable<ApiThrottlingConfig> = { rateLimit: true, burstLimit: true };
/** The keys of {@link CdkConfig}. */
export const CDK_KEYS: KeyTable<CdkConfig> = { output: true };
/** The keys of {@link AggregateInput}. */
export const AGGREGATE_KEYS: KeyTable<AggregateInput<SchemaLike, EventSchemas, EventSchemas, IndexSpecs>> = {
  name: true,
  type: true,
  description: true,
  state: true,
  initial: true,
  inbound: true,
  outbound: true,
  indexes: true,
  stateVersion: true,
  rulesVersion: true,
  api: true,
};
/** The keys of {@link IndexFunctionRef}. */
export const INDEX_FUNCTION_KEYS: KeyTable<IndexFunctionRef> = { module: true, export: true };

/** The key type of an index whose key function returns `T`: array elements, null and undefined removed. */
export type IndexKeyOf<T> = T extends readonly (infer E)[] ? Exclude<E, null | undefined> : Exclude<T, null | undefined>;

function screamingSnake(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();
}
