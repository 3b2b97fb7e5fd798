import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ResolvedConfig } from './config.js';
import { ConfigError, type SchemaProblem } from './errors.js';
import { type JsonSchema, jsonSchemaConverters, toJsonSchema } from './json-schema.js';
import type { BundleLoader } from './bundle-loader.js';
import {
  AGGREGATE_NAME,
  AGGREGATE_TYPE,
  EVENT_NAME,
  INDEX_NAME,
  camelCase,
  kebabCase,
  pascalCase,
} from './names.js';
import { AGGREGATE_DEFINITION, AGGREGATE_KEYS, INDEX_FUNCTION_KEYS, isVersionedSchema } from './schema.js';
import { unknownKeys } from './unknown-keys.js';
import { explainLoadError, formatLocation, withZodMiniHint } from './load-error.js';
import { statePathAccessor } from './state-path.js';
import { unstorableFields } from './storable.js';
import { englishZodMessages } from './zod-messages.js';
import { isZodMini, isZodObject, parseIssues, zodVersion } from './zod.js';

/** One inbound or outbound event of an aggregate. */
export interface EventModel {
  /** The event type, e.g. `MONEY_DEPOSITED`. */
  readonly type: string;
  readonly direction: 'inbound' | 'outbound';
  /** `MoneyDeposited` */
  readonly pascal: string;
  /** `moneyDeposited`: event creator and rule file name. */
  readonly camel: string;
  /** The zod object of the payload (of its current version). */
  readonly schema: unknown;
  readonly zod: 3 | 4;
  /** JSON Schema of the payload (of its current version; without the generated header). */
  readonly jsonSchema: JsonSchema;
  /** The current schema version: 1 unless the event is `versioned` (always 1 for outbound events). */
  readonly version: number;
  /** Every version's payload schema, from 1 to {@link version}. */
  readonly versions: readonly EventVersionModel[];
  /** Whether the schema module declares it with `versioned(...)`. */
  readonly versioned: boolean;
}

/** One version of an inbound event's payload schema. */
export interface EventVersionModel {
  readonly version: number;
  /** The zod object of the payload at this version. */
  readonly schema: unknown;
  /** Its JSON Schema. */
  readonly jsonSchema: JsonSchema;
}

/** The upcaster file of one version step of an inbound event, as found on disk. */
export interface UpcasterFileModel {
  readonly event: string;
  /** The version it reads; it returns version `from + 1`. */
  readonly from: number;
  /** `moneyDepositedV1ToV2`: the file name (without `.ts`) and the function's name. */
  readonly name: string;
  /** Absolute path. */
  readonly file: string;
  readonly exists: boolean;
  /** Still an unimplemented stub (carries the `esre:stub` marker). */
  readonly stub: boolean;
}

/** An index of an aggregate. */
export interface IndexModel {
  /** `byEmail` */
  readonly name: string;
  /** `ByEmail`: the query method is `query` + this. */
  readonly pascal: string;
  readonly kind: 'path' | 'function';
  /** For a path index: the dotted state path. */
  readonly path?: string;
  /** For a path index: the key expression over `snapshot`, e.g. `snapshot.state.owner?.email`. */
  readonly accessor?: string;
  /** For a function index: absolute path of the module and the exported function's name. */
  readonly module?: string;
  readonly exportName?: string;
}

/** The rule file of one inbound event, as found on disk. */
export interface RuleFileModel {
  readonly event: string;
  /** Absolute path. */
  readonly file: string;
  readonly exists: boolean;
  /** Still an unimplemented stub (carries the `esre:stub` marker). Used by `esre check` only: no generated file depends on rule files. */
  readonly stub: boolean;
}

/** One aggregate, checked. */
export interface AggregateModel {
  readonly name: string;
  readonly pascal: string;
  readonly camel: string;
  /** Folder name under the output and rules folders, e.g. `account`, `bank-account`. */
  readonly folder: string;
  /** Stored aggregate type, e.g. `ACCOUNT`. */
  readonly type: string;
  readonly description?: string;
  /** Absolute path of the schema module. */
  readonly schemaFile: string;
  /** The schema module's path relative to the project root, `/`-separated. */
  readonly schemaPath: string;
  readonly inbound: readonly EventModel[];
  readonly outbound: readonly EventModel[];
  readonly indexes: readonly IndexModel[];
  /** Absolute folder of this aggregate's generated files. */
  readonly outputDir: string;
  /** Absolute folder of this aggregate's rule files. */
  readonly rulesDir: string;
  /** Rule files by inbound event type. */
  readonly rules: ReadonlyMap<string, RuleFileModel>;
  /** Absolute paths of rule files whose event is no longer in the schema (reported, never deleted). */
  readonly orphanRules: readonly string[];
  /** Upcaster files of the versioned inbound events, by event type then version. */
  readonly upcasters: readonly UpcasterFileModel[];
  /** JSON Schema of the state (as stored in snapshots: parsed, defaults applied). */
  readonly stateJsonSchema: JsonSchema;
  /** Version of the state schema (`stateVersion`, default 1). */
  readonly stateVersion: number;
  /** Version of the rules' logic (`rulesVersion`, default 1). */
  readonly rulesVersion: number;
  /**
   * Whether the HTTP service serves this aggregate: true only when `service.api` is on and the
   * schema module does not opt out with `api: false`.
   */
  readonly api: boolean;
  /**
   * Whether the schema module builds its schemas with `zod/mini`: the generated aggregate then
   * loads zod's English messages itself (as classic zod does), so issues read the same.
   */
  readonly zodMini: boolean;
}

/** Everything the emitters work from. */
export interface Model {
  readonly config: ResolvedConfig;
  /** Sorted by name. */
  readonly aggregates: readonly AggregateModel[];
  /** Rule folders with no aggregate (absolute paths): reported, never deleted. */
  readonly orphanRuleFolders: readonly string[];
}

/** The marker a rule stub carries until it is implemented. */
export const STUB_MARKER = 'esre:stub';

/** The name of the upcaster from `from` to `from + 1` of an event: `moneyDepositedV1ToV2`. */
export function upcasterFunctionName(event: Pick<EventModel, 'camel'>, from: number): string {
  return `${event.camel}V${from}ToV${from + 1}`;
}

/** Path relative to the project root with `/` separators. */
export function projectPath(config: ResolvedConfig, file: string): string {
  return path.relative(config.root, file).split(path.sep).join('/');
}

export { findSchemaFiles } from './schema-files.js';

/**
 * Loads every schema module, checks it and builds the model. Collects every problem before
 * throwing, so one run reports them all.
 */
export async function buildModel(
  config: ResolvedConfig,
  loader: BundleLoader,
  files: readonly string[],
): Promise<{ model: Model; problems: SchemaProblem[] }> {
  const problems: SchemaProblem[] = [];
  const converters = await jsonSchemaConverters();
  await englishZodMessages();
  const aggregates: AggregateModel[] = [];
  const byFolder = new Map<string, string>();
  const byType = new Map<string, string>();
  // one build for every schema module; a module that cannot be built fails its own import below
  await loader.prepare(files);

  for (const file of files) {
    const where = projectPath(config, file);
    const report = (field: string, message: string) => problems.push({ file: where, field, message });
    let module: Record<string, unknown>;
    try {
      module = await loader.import(file);
    } catch (error) {
      const explained = explainLoadError(error);
      const location = explained.location;
      const message = withZodMiniHint(explained.message, location?.file ?? file);
      if (location?.file === file) problems.push({ file: where, field: '', line: location.line, column: location.column, message: `cannot load the module: ${message}` });
      else report('', `cannot load the module: ${location ? `${formatLocation(location, config.root)}: ` : ''}${message}`);
      continue;
    }
    const definition = module.default as Record<string | symbol, unknown> | undefined;
    if (!definition || typeof definition !== 'object' || definition[AGGREGATE_DEFINITION] !== true) {
      report('(default export)', 'the module must `export default defineAggregate({...})`');
      continue;
    }
    const before = problems.length;
    for (const { key, message } of unknownKeys(definition, AGGREGATE_KEYS)) report(key, message);
    const specs = definition.indexes;
    if (specs && typeof specs === 'object' && !Array.isArray(specs)) {
      for (const [indexName, spec] of Object.entries(specs)) {
        if (spec && typeof spec === 'object' && !Array.isArray(spec)) {
          for (const { key, message } of unknownKeys(spec, INDEX_FUNCTION_KEYS)) report(`indexes.${indexName}.${key}`, message);
        }
      }
    }
    if (problems.length > before) continue;
    const name = definition.name;
    if (typeof name !== 'string' || !AGGREGATE_NAME.test(name)) {
      report('name', `${JSON.stringify(name)} is not a valid aggregate name (a letter, then letters and digits, e.g. "account")`);
      continue;
    }
    const folder = kebabCase(name);
    const type = definition.type;
    if (typeof type !== 'string' || !AGGREGATE_TYPE.test(type)) {
      report('type', `${JSON.stringify(type)} is not a valid aggregate type (a letter, then letters, digits, "_", "-", ".")`);
    } else if (byType.has(type)) {
      report('type', `aggregate type ${type} is also defined in ${byType.get(type)}`);
    } else byType.set(type, where);
    if (byFolder.has(folder)) report('name', `aggregate name ${name} (folder ${folder}) is also used in ${byFolder.get(folder)}`);
    else byFolder.set(folder, where);
    const description = definition.description;
    if (description !== undefined && typeof description !== 'string') report('description', 'must be a string');

    const state = definition.state;
    let stateJsonSchema: JsonSchema = {};
    if (!isZodObject(state)) {
      report('state', 'must be a zod object (z.object({...}), zod 4 or zod/v3)');
    } else {
      for (const field of unstorableFields(state)) report(`state${field.path}`, field.message);
      // `initial` is a state input: the generated aggregate parses it into the initial state
      for (const issue of parseIssues(state, definition.initial)) {
        report(issue.path ? `initial.${issue.path}` : 'initial', `does not match state: ${issue.message}`);
      }
      try {
        stateJsonSchema = toJsonSchema(converters, state, 'output');
      } catch (error) {
        report('state', `cannot be converted to JSON Schema: ${firstLine(error)}`);
      }
    }
    const versionOf = (key: 'stateVersion' | 'rulesVersion'): number => {
      const value = definition[key] ?? 1;
      if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1) return value;
      report(key, `${JSON.stringify(value)} is not a version (a whole number from 1)`);
      return 1;
    };
    const stateVersion = versionOf('stateVersion');
    const rulesVersion = versionOf('rulesVersion');
    const api = definition.api ?? true;
    if (typeof api !== 'boolean') report('api', `${JSON.stringify(api)} is not true or false (false opts the aggregate out of the HTTP service)`);

    const events = (direction: 'inbound' | 'outbound'): EventModel[] => {
      const record = definition[direction];
      if (record === null || typeof record !== 'object' || Array.isArray(record) || zodVersion(record)) {
        report(direction, 'must be an object of event type → zod object');
        return [];
      }
      const list: EventModel[] = [];
      const camels = new Map<string, string>();
      for (const eventType of Object.keys(record).sort()) {
        const schema = (record as Record<string, unknown>)[eventType];
        const field = `${direction}.${eventType}`;
        if (!EVENT_NAME.test(eventType)) {
          report(field, 'is not a valid event type (a letter, then letters, digits and "_", e.g. MONEY_DEPOSITED)');
          continue;
        }
        const camel = camelCase(eventType);
        const clash = camels.get(camel.toLowerCase());
        if (clash) {
          report(field, `duplicates ${direction} event ${clash} (both become ${camel})`);
          continue;
        }
        camels.set(camel.toLowerCase(), eventType);
        const declared = isVersionedSchema(schema) ? schema.versions : { 1: schema };
        if (isVersionedSchema(schema) && direction === 'outbound') {
          report(field, 'outbound events cannot be versioned: consumers hold their schema (make a compatible change, or publish a new event type)');
          continue;
        }
        const numbers = Object.keys(declared);
        const expected = numbers.map((_, index) => String(index + 1));
        if (numbers.length === 0 || numbers.join() !== expected.join()) {
          report(field, `versions must be 1, 2, ... with none missing (found ${numbers.join(', ') || 'none'})`);
          continue;
        }
        const versions: EventVersionModel[] = [];
        for (const number of numbers) {
          const versionSchema = (declared as Record<string, unknown>)[number];
          const where = isVersionedSchema(schema) ? `${field}.${number}` : field;
          if (!isZodObject(versionSchema)) {
            report(where, 'must be a zod object (z.object({...}))');
            continue;
          }
          const unstorable = unstorableFields(versionSchema);
          for (const problem of unstorable) report(`${where}${problem.path}`, problem.message);
          if (unstorable.length > 0) continue;
          try {
            versions.push({ version: Number(number), schema: versionSchema, jsonSchema: toJsonSchema(converters, versionSchema, direction === 'inbound' ? 'input' : 'output') });
          } catch (error) {
            report(where, `cannot be converted to JSON Schema: ${firstLine(error)}`);
          }
        }
        if (versions.length !== numbers.length) continue;
        const current = versions[versions.length - 1]!;
        list.push({
          type: eventType,
          direction,
          pascal: pascalCase(eventType),
          camel,
          schema: current.schema,
          zod: zodVersion(current.schema)!,
          jsonSchema: current.jsonSchema,
          version: current.version,
          versions,
          versioned: isVersionedSchema(schema),
        });
      }
      return list;
    };
    const inbound = events('inbound');
    const outbound = events('outbound');
    if (inbound.length === 0 && problems.length === before) report('inbound', 'declare at least one inbound event');

    const indexes: IndexModel[] = [];
    const indexSpecs = definition.indexes ?? {};
    if (indexSpecs === null || typeof indexSpecs !== 'object' || Array.isArray(indexSpecs)) {
      report('indexes', 'must be an object of index name → state field path or { module, export }');
    } else {
      const methods = new Map<string, string>();
      for (const indexName of Object.keys(indexSpecs).sort()) {
        const spec = (indexSpecs as Record<string, unknown>)[indexName];
        const field = `indexes.${indexName}`;
        if (!INDEX_NAME.test(indexName)) {
          report(field, 'is not a valid index name (a letter, then letters, digits and "_", e.g. byEmail)');
          continue;
        }
        const pascal = pascalCase(indexName);
        if (methods.has(pascal)) {
          report(field, `duplicates index ${methods.get(pascal)} (both give query${pascal})`);
          continue;
        }
        methods.set(pascal, indexName);
        if (typeof spec === 'string') {
          const accessor = isZodObject(state) ? statePathAccessor(state, spec) : undefined;
          if (typeof accessor === 'object') report(field, accessor.error);
          else if (accessor) indexes.push({ name: indexName, pascal, kind: 'path', path: spec, accessor });
        } else if (spec && typeof spec === 'object' && typeof (spec as { module?: unknown }).module === 'string' && typeof (spec as { export?: unknown }).export === 'string') {
          const ref = spec as { module: string; export: string };
          const target = resolveModule(path.dirname(file), ref.module);
          if (!target) {
            report(`${field}.module`, `module ${ref.module} not found (relative to the schema module)`);
            continue;
          }
          let exported: unknown;
          try {
            exported = (await loader.import(target))[ref.export];
          } catch (error) {
            const { message, location } = explainLoadError(error);
            report(`${field}.module`, `cannot load ${ref.module}: ${location ? `${formatLocation(location, config.root)}: ` : ''}${message}`);
            continue;
          }
          if (typeof exported !== 'function') {
            report(`${field}.export`, `${ref.module} has no exported function ${ref.export}`);
            continue;
          }
          indexes.push({ name: indexName, pascal, kind: 'function', module: target, exportName: ref.export });
        } else {
          report(field, 'must be a state field path ("email") or { module: "./keys.ts", export: "byTagKeys" }');
        }
      }
    }
    if (problems.length > before) continue;

    const outputDir = path.join(config.output, folder);
    const rulesDir = path.join(config.rules, folder);
    const rules = new Map<string, RuleFileModel>();
    for (const event of inbound) {
      const ruleFile = path.join(rulesDir, `${event.camel}.ts`);
      const exists = existsSync(ruleFile);
      const stub = exists && readFileSync(ruleFile, 'utf8').includes(STUB_MARKER);
      rules.set(event.type, { event: event.type, file: ruleFile, exists, stub });
    }
    const expected = new Set([...rules.values()].map((rule) => rule.file));
    const orphanRules = listFiles(rulesDir).filter((ruleFile) => /\.[mc]?ts$/.test(ruleFile) && !ruleFile.endsWith('.d.ts') && !expected.has(ruleFile));
    const upcasters: UpcasterFileModel[] = inbound.flatMap((event) =>
      event.versions.slice(0, -1).map(({ version }) => {
        const upcasterName = upcasterFunctionName(event, version);
        const upcasterFile = path.join(rulesDir, 'upcasters', `${upcasterName}.ts`);
        const exists = existsSync(upcasterFile);
        const stub = exists && readFileSync(upcasterFile, 'utf8').includes(STUB_MARKER);
        return { event: event.type, from: version, name: upcasterName, file: upcasterFile, exists, stub };
      }),
    );
    aggregates.push({
      name,
      pascal: pascalCase(name),
      camel: camelCase(name),
      folder,
      type: type as string,
      ...(typeof description === 'string' ? { description } : {}),
      schemaFile: file,
      schemaPath: where,
      inbound,
      outbound,
      indexes,
      outputDir,
      rulesDir,
      rules,
      orphanRules,
      upcasters,
      stateJsonSchema,
      stateVersion,
      rulesVersion,
      api: config.api !== null && api !== false,
      zodMini: [state, ...inbound.flatMap((event) => event.versions.map((version) => version.schema)), ...outbound.map((event) => event.schema)].some(isZodMini),
    });
  }
  aggregates.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const folders = new Set(aggregates.map((aggregate) => aggregate.folder));
  const orphanRuleFolders = existsSync(config.rules)
    ? readdirSync(config.rules, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && !folders.has(entry.name))
        .map((entry) => path.join(config.rules, entry.name))
        .sort()
    : [];
  return { model: { config, aggregates, orphanRuleFolders }, problems };
}

/** Resolves a module path written relative to a schema module (`./keys.js` may name `./keys.ts`). */
function resolveModule(from: string, specifier: string): string | undefined {
  const base = path.resolve(from, specifier);
  const candidates = [base, base.replace(/\.js$/, '.ts'), base.replace(/\.mjs$/, '.mts'), `${base}.ts`];
  return candidates.find((candidate) => existsSync(candidate) && !candidate.endsWith('/'));
}

function listFiles(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(folder, entry.name))
    .sort();
}

function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split('\n')[0]!;
}
