import { pathToFileURL } from 'node:url';
import { type NamespacedUnregister, register } from 'tsx/esm/api';

let generation = 0;

/**
 * Loads TypeScript modules (config, schema modules, key-function modules) through tsx, all in
 * one process and one loader namespace. Each loader is a fresh namespace, so a new loader sees
 * files as they are now (watch mode makes one per run).
 */
export class ModuleLoader {
  readonly #api: NamespacedUnregister;
  readonly #imported = new Set<string>();

  constructor() {
    generation++;
    this.#api = register({
      namespace: `esre-${process.pid}-${generation}`,
      onImport: (url) => {
        if (url.startsWith('file:') && !url.includes('/node_modules/')) this.#imported.add(url.replace(/\?.*$/, ''));
      },
    });
  }

  /** Imports a module by absolute file path; returns its namespace object. */
  async import(file: string): Promise<Record<string, unknown>> {
    return (await this.#api.import(pathToFileURL(file).href, import.meta.url)) as Record<string, unknown>;
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
