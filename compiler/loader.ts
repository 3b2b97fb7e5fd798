import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { hashOfFile, packageManifestOf } from './fingerprint.js';
import { isOwnFile } from './own-package.js';
import type { NamespacedUnregister, register as Register } from 'tsx/esm/api';

let tsxApi: Promise<{ register: typeof Register }> | undefined;

/**
 * tsx's ESM API, imported by file: when this module is itself loaded through a CommonJS hook
 * (e.g. under mocha's `--require tsx`), the bare specifier would resolve to tsx's CommonJS
 * entry, which cannot register ESM hooks from there.
 */
function loadTsx(): Promise<{ register: typeof Register }> {
  if (!tsxApi) {
    const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
    tsxApi = import(pathToFileURL(path.join(path.dirname(manifest), 'dist/esm/api/index.mjs')).href) as Promise<{ register: typeof Register }>;
  }
  return tsxApi;
}

/** The query parameter that gives each loader (each watch run) its own instances of project modules. */
const RUN_PARAMETER = 'esre-run';

/**
 * Resolve hooks that run before tsx's:
 * - a package's plain ES module (a `.js` or `.mjs` file under `node_modules` that tsx would only
 *   have marked with its namespace) resolves to its URL without tsx's namespace, so the project's
 *   modules and the compiler share one instance of each such package: zod, which the compiler
 *   loads before registering the hooks, is not loaded a second time, module by module through
 *   the hooks thread. The first such URL reached from the project, and those reached from it,
 *   are posted to the compiler, which records their packages (tsx reports only the modules of
 *   its namespace);
 * - the importing module's run parameter is carried over to the project files it imports (not
 *   to `node_modules`, whose modules every run shares): Node caches modules by URL, so each run
 *   sees project files as they are now.
 */
const RESOLVE_HOOKS = `let port;
const reached = new Set();
export function initialize(data) {
  port = data.port;
}
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  const parent = context.parentURL;
  if (result.url.startsWith('file:') && result.url.includes('/node_modules/')) return shared(result, parent);
  if (!parent || !parent.startsWith('file:') || !result.url.startsWith('file:')) return result;
  const run = new URL(parent).searchParams.get(${JSON.stringify(RUN_PARAMETER)});
  if (run === null) return result;
  const url = new URL(result.url);
  url.searchParams.set(${JSON.stringify(RUN_PARAMETER)}, run);
  return { ...result, url: url.href };
}
function shared(result, parent) {
  const url = new URL(result.url);
  const namespaced = url.searchParams.has('tsx-namespace');
  if (namespaced && (result.format !== 'module' || url.searchParams.size !== 1 || !/\\.m?js$/.test(url.pathname))) return result;
  url.search = '';
  if (namespaced || reached.has(parent)) {
    if (!reached.has(url.href)) port.postMessage(url.href);
    reached.add(url.href);
  }
  return namespaced ? { ...result, url: url.href } : result;
}`;

/** What one run imported from the project. */
interface RunImports {
  /** File URLs. */
  readonly files: Set<string>;
  /** Absolute path → content hash when it was loaded (the rerun cache is never written from a file that changed during the run). */
  readonly hashes: Map<string, string>;
}

/** The hooks every loader shares, and where each run's imports are reported. */
interface SharedHooks {
  readonly api: NamespacedUnregister;
  /** Run id → what that run imported. */
  readonly runs: Map<string, RunImports>;
  /** `package.json` of every node_modules package imported in this process (runs share those modules). */
  readonly packages: Set<string>;
}

let shared: Promise<SharedHooks> | undefined;

/**
 * Registers the loader hooks once per process: tsx in a namespace of its own, then the hook
 * that keeps runs apart. Node cannot remove hooks once registered (tsx's `unregister` only
 * deactivates them), so a registration per run would pile up, one per run, in a long
 * `--watch` session.
 */
function sharedHooks(): Promise<SharedHooks> {
  shared ??= (async () => {
    const { register } = await loadTsx();
    const runs = new Map<string, RunImports>();
    const packages = new Set<string>();
    const api = register({
      namespace: `esre-${process.pid}`,
      onImport: (url) => {
        if (!url.startsWith('file:')) return;
        const plain = url.replace(/\?.*$/, '');
        if (url.includes('/node_modules/')) {
          const manifest = packageManifestOf(fileURLToPath(plain));
          if (manifest) packages.add(manifest);
          return;
        }
        const run = new URL(url).searchParams.get(RUN_PARAMETER);
        const imports = run === null ? undefined : runs.get(run);
        if (!imports) return;
        imports.files.add(plain);
        const file = fileURLToPath(plain);
        if (!imports.hashes.has(file)) imports.hashes.set(file, hashOfFile(file));
      },
    });
    const { port1, port2 } = new MessageChannel();
    port1.on('message', (url: string) => {
      const manifest = packageManifestOf(fileURLToPath(url));
      if (manifest) packages.add(manifest);
    });
    port1.unref();
    Module.register(`data:text/javascript,${encodeURIComponent(RESOLVE_HOOKS)}`, { data: { port: port2 }, transferList: [port2] });
    return { api, runs, packages };
  })();
  return shared;
}

let generation = 0;

/**
 * Loads TypeScript modules (config, schema modules, key-function modules) through tsx, all in
 * one process. Each loader is a run of its own: it sees files as they are now (watch mode makes
 * one per run), while every loader shares one registration of the loader hooks.
 */
export class ModuleLoader {
  readonly #hooks: SharedHooks;
  readonly #run: string;
  readonly #imported = new Set<string>();
  readonly #hashes = new Map<string, string>();

  private constructor(hooks: SharedHooks) {
    this.#hooks = hooks;
    this.#run = String(++generation);
    hooks.runs.set(this.#run, { files: this.#imported, hashes: this.#hashes });
  }

  /** A loader whose imports are fresh instances of the project's modules. */
  static async create(): Promise<ModuleLoader> {
    forgetCommonJsProjectModules();
    return new ModuleLoader(await sharedHooks());
  }

  /**
   * Imports a module by absolute file path; returns its namespace object. In a CommonJS project
   * (no `"type": "module"`) tsx compiles the module to CommonJS, so its `export default` arrives
   * as `default.default`; it is unwrapped, so both kinds of project give the same namespace.
   */
  async import(file: string): Promise<Record<string, unknown>> {
    const url = `${pathToFileURL(file).href}?${RUN_PARAMETER}=${this.#run}`;
    return unwrapCommonJsDefault((await this.#hooks.api.import(url, import.meta.url)) as Record<string, unknown>);
  }

  /** URLs of the project files imported so far (watch mode watches them). */
  get importedFiles(): readonly string[] {
    return [...this.#imported].sort();
  }

  /** Content hash of each project file imported so far (absolute path), taken when it was loaded. */
  get importedHashes(): ReadonlyMap<string, string> {
    return this.#hashes;
  }

  /** `package.json` of each node_modules package imported in this process (absolute paths, sorted). */
  get importedPackages(): readonly string[] {
    return [...this.#hooks.packages].sort();
  }

  /** Stops recording this loader's imports (the shared hooks stay, for the next loader). */
  async dispose(): Promise<void> {
    this.#hooks.runs.delete(this.#run);
  }
}

/**
 * In a CommonJS project, tsx compiles project modules to CommonJS and the modules they import
 * are `require`d: cached by file name, not by URL. Dropping the project's entries (not
 * `node_modules`, not this package) from the require cache makes the next run read them afresh.
 */
function forgetCommonJsProjectModules(): void {
  const cache = createRequire(import.meta.url).cache;
  for (const file of Object.keys(cache)) {
    if (file.includes(`${path.sep}node_modules${path.sep}`) || isOwnFile(file)) continue;
    if (/\.[cm]?tsx?$/.test(file.replace(/\?.*$/, ''))) delete cache[file];
  }
}

/**
 * The namespace an ES module compiled to CommonJS would have had: Node exposes such a module's
 * `module.exports` (marked `__esModule`) as `default`, so its own default export is one level down.
 */
export function unwrapCommonJsDefault(namespace: Record<string, unknown>): Record<string, unknown> {
  const exported = namespace.default as { __esModule?: unknown; default?: unknown } | null | undefined;
  if (typeof exported === 'object' && exported !== null && exported.__esModule === true && 'default' in exported) {
    return { ...namespace, default: exported.default };
  }
  return namespace;
}
