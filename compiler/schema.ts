/**
 * What schema modules and `esre.config.ts` import: `defineAggregate`, `defineConfig` and the
 * type helpers generated code uses to derive its types from the user's zod schemas.
 *
 * Nothing here imports zod: zod 4 schemas and `zod/v3` schemas are both accepted, through the
 * output types they carry (`_zod.output` in zod 4, `_output` in zod 3).
 */

/** The least a schema must offer: a zod-style `safeParse` (zod 4 and `zod/v3` both fit). */
export interface SchemaLike {
  safeParse(value: unknown): unknown;
}

/** The output type of a zod 4 or zod 3 schema (what `z.infer` gives). */
export type SchemaOutput<T> = T extends { readonly _zod: { readonly output: infer O } }
  ? O
  : T extends { readonly _output: infer O }
    ? O
    : never;

/** The input type of a zod 4 or zod 3 schema (what `z.input` gives: before defaults and transforms). */
export type SchemaInput<T> = T extends { readonly _zod: { readonly input: infer I } }
  ? I
  : T extends { readonly _input: infer I }
    ? I
    : never;

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
  /** The state of an aggregate with no events; checked against `state` when generating. */
  readonly initial: NoInfer<SchemaOutput<TState>>;
  /** Inbound event type → zod object of its payload. One rule per inbound event. */
  readonly inbound: TInbound;
  /** Outbound event type → zod object of its payload. Rules may publish only these. */
  readonly outbound?: TOutbound;
  /** Index name → state field path, or a hand-written key function. */
  readonly indexes?: TIndexes;
}

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
  readonly initial: SchemaOutput<TState>;
  readonly inbound: TInbound;
  readonly outbound: TOutbound;
  readonly indexes: TIndexes;
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
  } as AggregateDefinition<TState, TInbound, TOutbound, TIndexes>;
  Object.defineProperty(definition, AGGREGATE_DEFINITION, { value: true, enumerable: false });
  return definition;
}

/** The service the generated code belongs to; the CDK emitter names its resources after it. */
export interface ServiceConfig {
  /** Service name, e.g. `"account-service"` (CDK stack name, resource prefixes). */
  readonly name: string;
  /** EventBridge `source` of published outbound events, e.g. `"com.example.account"`. */
  readonly eventSource: string;
  /** Name of the EventBridge bus outbound events go to. */
  readonly eventBusName: string;
}

/** `esre.config.ts`; all paths are relative to the config file's folder. */
export interface EsreConfig {
  /** Globs of schema modules, e.g. `["schemas/*.schema.ts"]`. */
  readonly schemas: string | readonly string[];
  /** Folder of generated code, owned by the generator (default `"src/generated"`). */
  readonly output?: string;
  /** Folder of rule files, owned by you once created (default `"src/rules"`). */
  readonly rules?: string;
  readonly service: ServiceConfig;
  /**
   * Where the CDK emitter writes the stack and app (default `{ output: "infra" }`); `false` for
   * a project that does not deploy with CDK (a browser app): no stack, app or `cdk.json`.
   */
  readonly cdk?: { readonly output?: string } | false;
}

/** Declares the compiler's configuration; the default export of `esre.config.ts`. */
export function defineConfig<const T extends EsreConfig>(config: T): T {
  return config;
}

/** The key type of an index whose key function returns `T`: array elements, null and undefined removed. */
export type IndexKeyOf<T> = T extends readonly (infer E)[] ? Exclude<E, null | undefined> : Exclude<T, null | undefined>;

function screamingSnake(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();
}
