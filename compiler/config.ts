import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from './errors.js';
import type { BundleLoader } from './bundle-loader.js';
import { API_CORS_KEYS, API_KEYS, API_THROTTLING_KEYS, type ApiConfig, CDK_KEYS, CONFIG_KEYS, type EsreConfig, SERVICE_KEYS } from './schema.js';
import { explainLoadError, formatLocation } from './load-error.js';
import { unknownKeys } from './unknown-keys.js';
import { DEFAULT_CORS_MAX_AGE_SECONDS, MAX_CORS_MAX_AGE_SECONDS, corsHeaderProblem, corsOriginsProblem } from '../runtime/cdk/cors-settings.js';

/** File names looked up, in order, when no config path is given. */
export const CONFIG_FILE_NAMES = ['esre.config.ts', 'esre.config.mts', 'esre.config.js', 'esre.config.mjs'] as const;

/** The service as resolved: its names (its `api` setting is resolved into {@link ResolvedConfig.api}). */
export interface ResolvedService {
  readonly name: string;
  readonly eventSource: string;
  readonly eventBusName: string;
}

/** `service.api` with every default applied. */
export interface ResolvedApiConfig {
  /** `'iam'`: SigV4-signed requests only (API Gateway `AWS_IAM`); `'none'`: open to anyone. */
  readonly auth: 'iam' | 'none';
  /** Largest request body accepted, in bytes; larger bodies get 413. */
  readonly maxBodyBytes: number;
  /** API Gateway throttling of the default stage. */
  readonly throttling: { readonly rateLimit: number; readonly burstLimit: number };
  /** CORS of the HTTP API; absent when not configured (no CORS). */
  readonly cors?: ResolvedCorsConfig;
}

/** `service.api.cors` checked, with defaults applied. */
export interface ResolvedCorsConfig {
  /** The origins allowed (`['*']`: any). */
  readonly allowOrigins: readonly string[];
  /** The extra request headers allowed (besides those the API needs), in lower case. */
  readonly allowHeaders: readonly string[];
  /** Seconds browsers may cache a preflight answer. */
  readonly maxAge: number;
}

/** Defaults of `service.api` (what `api: true` means). */
export const API_DEFAULTS: ResolvedApiConfig = { auth: 'iam', maxBodyBytes: 262_144, throttling: { rateLimit: 50, burstLimit: 100 } };

/** The largest `maxBodyBytes` accepted: Lambda's synchronous invocation payload limit (6 MB). */
export const MAX_API_BODY_BYTES = 6_291_456;

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
  readonly service: ResolvedService | null;
  /** Absolute folder the CDK emitter writes to; null when the config says `cdk: false`. */
  readonly cdkOutput: string | null;
  /** The HTTP service (`service.api`) with defaults applied; null when it is off. */
  readonly api: ResolvedApiConfig | null;
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
export async function loadConfigWith(loader: BundleLoader, file: string): Promise<ResolvedConfig> {
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
    ...nested(config.service?.api, 'service.api', API_KEYS),
    ...nested(typeof config.service?.api === 'object' ? config.service.api?.throttling : undefined, 'service.api.throttling', API_THROTTLING_KEYS),
    ...nested(typeof config.service?.api === 'object' ? config.service.api?.cors : undefined, 'service.api.cors', API_CORS_KEYS),
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
    api: resolveApi(service?.api, fail),
  };
}

/** `service.api` checked, with defaults applied; null when absent or `false`. */
function resolveApi(api: boolean | ApiConfig | undefined, fail: (field: string, message: string) => never): ResolvedApiConfig | null {
  if (api === undefined || api === false) return null;
  if (api === true) return API_DEFAULTS;
  if (api === null || typeof api !== 'object' || Array.isArray(api)) return fail('service.api', 'must be true, false or { auth, maxBodyBytes, throttling, cors }');
  const auth = api.auth ?? API_DEFAULTS.auth;
  if (auth !== 'iam' && auth !== 'none') fail('service.api.auth', `must be 'iam' or 'none' (found ${JSON.stringify(auth)})`);
  const maxBodyBytes = api.maxBodyBytes ?? API_DEFAULTS.maxBodyBytes;
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 1 || maxBodyBytes > MAX_API_BODY_BYTES) {
    fail('service.api.maxBodyBytes', `must be a whole number of bytes from 1 to ${MAX_API_BODY_BYTES} (Lambda's request payload limit; found ${JSON.stringify(maxBodyBytes)})`);
  }
  const throttling = api.throttling ?? {};
  if (throttling === null || typeof throttling !== 'object' || Array.isArray(throttling)) fail('service.api.throttling', 'must be { rateLimit, burstLimit }');
  const rateLimit = throttling.rateLimit ?? API_DEFAULTS.throttling.rateLimit;
  if (typeof rateLimit !== 'number' || !Number.isFinite(rateLimit) || rateLimit <= 0) {
    fail('service.api.throttling.rateLimit', `must be a positive number of requests per second (found ${JSON.stringify(rateLimit)})`);
  }
  const burstLimit = throttling.burstLimit ?? API_DEFAULTS.throttling.burstLimit;
  if (!Number.isSafeInteger(burstLimit) || burstLimit < 1) {
    fail('service.api.throttling.burstLimit', `must be a positive whole number of requests (found ${JSON.stringify(burstLimit)})`);
  }
  const cors = api.cors === undefined ? undefined : resolveCors(api.cors, fail);
  return { auth, maxBodyBytes, throttling: { rateLimit, burstLimit }, ...(cors ? { cors } : {}) };
}

/** `service.api.cors` checked, with defaults applied. */
function resolveCors(cors: unknown, fail: (field: string, message: string) => never): ResolvedCorsConfig {
  if (cors === null || typeof cors !== 'object' || Array.isArray(cors)) return fail('service.api.cors', 'must be { allowOrigins, allowHeaders?, maxAge? }');
  const { allowOrigins, allowHeaders = [], maxAge = DEFAULT_CORS_MAX_AGE_SECONDS } = cors as { allowOrigins?: unknown; allowHeaders?: unknown; maxAge?: unknown };
  const originsProblem = corsOriginsProblem(allowOrigins);
  if (originsProblem) fail('service.api.cors.allowOrigins', originsProblem);
  if (!Array.isArray(allowHeaders)) fail('service.api.cors.allowHeaders', 'must be a list of header names, e.g. ["x-request-id"]');
  for (const name of allowHeaders as unknown[]) {
    const problem = corsHeaderProblem(name);
    if (problem) fail('service.api.cors.allowHeaders', problem);
  }
  if (!Number.isSafeInteger(maxAge) || (maxAge as number) < 0 || (maxAge as number) > MAX_CORS_MAX_AGE_SECONDS) {
    fail('service.api.cors.maxAge', `must be a whole number of seconds from 0 to ${MAX_CORS_MAX_AGE_SECONDS} (found ${JSON.stringify(maxAge)})`);
  }
  return {
    allowOrigins: [...new Set(allowOrigins as string[])],
    allowHeaders: [...new Set((allowHeaders as string[]).map((name) => name.toLowerCase()))],
    maxAge: maxAge as number,
  };
}
