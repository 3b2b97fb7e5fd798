import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from './errors.js';
import type { ModuleLoader } from './loader.js';
import { CDK_KEYS, CONFIG_KEYS, type EsreConfig, SERVICE_KEYS, type ServiceConfig } from './schema.js';
import { explainLoadError, formatLocation } from './load-error.js';
import { unknownKeys } from './unknown-keys.js';

/** File names looked up, in order, when no config path is given. */
export const CONFIG_FILE_NAMES = ['esre.config.ts', 'esre.config.mts', 'esre.config.js', 'esre.config.mjs'] as const;

/** The config with defaults applied and every path absolute. */
export interface ResolvedConfig {
  /** Absolute path of the config file. */
  readonly file: string;
  /** The config file's folder: every relative path is relative to it. */
  readonly root: string;
  readonly schemas: readonly string[];
  /** Absolute folder of generated code. */
  readonly output: string;
  /** Absolute folder of rule files. */
  readonly rules: string;
  /** The service; `null` only with `cdk: false` and no `service` in the config. */
  readonly service: ServiceConfig | null;
  /** Absolute folder the CDK emitter writes to; null when the config says `cdk: false`. */
  readonly cdkOutput: string | null;
}

/**
 * Finds the config file: `configPath` (relative to `cwd`) if given, else the first of
 * {@link CONFIG_FILE_NAMES} in `cwd` or, as `tsc` finds `tsconfig.json`, in the nearest folder
 * above it that has one.
 */
export function findConfigFile(cwd: string, configPath?: string): string {
  if (configPath) {
    const file = path.resolve(cwd, configPath);
    if (!existsSync(file)) throw new ConfigError(`config file not found: ${file}`);
    return file;
  }
  for (let folder = cwd; ; folder = path.dirname(folder)) {
    for (const name of CONFIG_FILE_NAMES) {
      const file = path.join(folder, name);
      if (existsSync(file)) return file;
    }
    if (path.dirname(folder) === folder) break;
  }
  throw new ConfigError(`no esre.config.ts in ${cwd} or any folder above it (or pass --config <file>)`);
}

/** Loads and checks the config file through `loader`. */
export async function loadConfigWith(loader: ModuleLoader, file: string): Promise<ResolvedConfig> {
  let module: Record<string, unknown>;
  try {
    module = await loader.import(file);
  } catch (error) {
    const { message, location } = explainLoadError(error);
    const where = location ? formatLocation(location, path.dirname(file)) : path.basename(file);
    throw new ConfigError(`${where}: cannot load the config: ${message}`, { cause: error });
  }
  return resolveConfig(module.default as EsreConfig, file);
}

/** Unknown keys of `value` (when it is an object), with `prefix.` before each key. */
function nested(value: unknown, prefix: string, table: object): { key: string; message: string }[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  return unknownKeys(value, table).map(({ key, message }) => ({ key: `${prefix}.${key}`, message }));
}

/** Checks a config object and resolves its paths against the folder of `file`. */
export function resolveConfig(config: EsreConfig | undefined, file: string): ResolvedConfig {
  const where = path.basename(file);
  const fail: (field: string, message: string) => never = (field, message) => {
    throw new ConfigError(`${where}: ${field}: ${message}`);
  };
  if (!config || typeof config !== 'object') fail('(default export)', 'export the config with `export default defineConfig({...})`');
  const unknown = [
    ...unknownKeys(config, CONFIG_KEYS),
    ...nested(config.service, 'service', SERVICE_KEYS),
    ...nested(config.cdk, 'cdk', CDK_KEYS),
  ];
  if (unknown.length > 0) throw new ConfigError(unknown.map(({ key, message }) => `${where}: ${key}: ${message}`).join('\n'));
  const root = path.dirname(file);
  const schemas = typeof config.schemas === 'string' ? [config.schemas] : config.schemas;
  if (!Array.isArray(schemas) || schemas.length === 0 || schemas.some((glob) => typeof glob !== 'string' || glob.length === 0)) {
    fail('schemas', 'give one or more globs of schema modules, e.g. ["schemas/*.schema.ts"]');
  }
  const folder = (field: string, value: unknown, fallback: string): string => {
    if (value === undefined) return path.resolve(root, fallback);
    if (typeof value !== 'string' || value.length === 0) return fail(field, 'must be a non-empty folder path');
    const resolved = path.resolve(root, value);
    if (resolved === root) fail(field, 'must be a folder below the config file, not its folder');
    return resolved;
  };
  const service = config.service;
  if (service !== undefined || config.cdk !== false) {
    if (!service || typeof service !== 'object') fail('service', 'give { name, eventSource, eventBusName } (or cdk: false when you do not deploy with CDK)');
    for (const key of ['name', 'eventSource', 'eventBusName'] as const) {
      if (typeof service[key] !== 'string' || service[key].length === 0) fail(`service.${key}`, 'must be a non-empty string');
    }
  }
  const output = folder('output', config.output, 'src/generated');
  const rules = folder('rules', config.rules, 'src/rules');
  if (output === rules || rules.startsWith(output + path.sep) || output.startsWith(rules + path.sep)) {
    fail('rules', 'the rules folder and the output folder must not contain each other');
  }
  return {
    file,
    root,
    schemas: [...schemas],
    output,
    rules,
    service: service === undefined ? null : { name: service.name, eventSource: service.eventSource, eventBusName: service.eventBusName },
    cdkOutput: config.cdk === false ? null : folder('cdk.output', config.cdk?.output, 'infra'),
  };
}
