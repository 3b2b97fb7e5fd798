import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
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

let generation = 0;

/**
 * Loads TypeScript modules (config, schema modules, key-function modules) through tsx, all in
 * one process and one loader namespace. Each loader is a fresh namespace, so a new loader sees
 * files as they are now (watch mode makes one per run).
 */
export class ModuleLoader {
  readonly #api: NamespacedUnregister;
  readonly #imported = new Set<string>();

  private constructor(register: typeof Register) {
    generation++;
    this.#api = register({
      namespace: `esre-${process.pid}-${generation}`,
      onImport: (url) => {
        if (url.startsWith('file:') && !url.includes('/node_modules/')) this.#imported.add(url.replace(/\?.*$/, ''));
      },
    });
  }

  /** A loader with its own tsx namespace. */
  static async create(): Promise<ModuleLoader> {
    return new ModuleLoader((await loadTsx()).register);
  }

  /**
   * Imports a module by absolute file path; returns its namespace object. In a CommonJS project
   * (no `"type": "module"`) tsx compiles the module to CommonJS, so its `export default` arrives
   * as `default.default`; it is unwrapped, so both kinds of project give the same namespace.
   */
  async import(file: string): Promise<Record<string, unknown>> {
    return unwrapCommonJsDefault((await this.#api.import(pathToFileURL(file).href, import.meta.url)) as Record<string, unknown>);
  }

  /** URLs of the project files imported so far (watch mode watches them). */
  get importedFiles(): readonly string[] {
    return [...this.#imported].sort();
  }

  /** Removes the loader hooks. */
  async dispose(): Promise<void> {
    await this.#api.unregister();
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
