import { type FSWatcher, existsSync, readdirSync, statSync, watch as watchFolder } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findConfigFile } from './config.js';
import { type GenerateOptions, type GenerateResult, generate } from './generate.js';
import { addSettingsFiles } from './module-settings.js';

/** Options of {@link watch}. */
export interface WatchOptions extends GenerateOptions {
  /** Called after every run with its result or its error. */
  readonly onRun: (outcome: { result?: GenerateResult; error?: unknown }) => void;
  /** Quiet time after the last change before regenerating (default 100 ms). */
  readonly debounceMs?: number;
}

/** A running watch; `close()` stops it. */
export interface Watcher {
  close(): Promise<void>;
}

/**
 * `esre generate --watch`: generates, then regenerates whenever the config, a schema module, a
 * module they import, or a rule file changes. Watches the folders of those files (so a new
 * schema module matching the globs is picked up too); changes in the output folder are ignored.
 * Also the `package.json` and tsconfig files that decide how those modules compile, wherever they
 * are (a tsconfig the project's extends, a workspace package's manifest): in their folders, only
 * those files count.
 */
export async function watch(options: WatchOptions): Promise<Watcher> {
  const watchers = new Map<string, FSWatcher>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let closed = false;
  let ignored: string | undefined;
  /** Folders watched only for the settings files in them, and those files (absolute paths). */
  const settingsOnly = new Set<string>();
  const settings = new Set<string>();
    /** Modification times already acted on, so a file dated in the future cannot loop. */
  const seen = new Map<string, number>();

  const schedule = (file: string) => {
    if (closed || file.includes('.esre-tmp')) return;
    if (ignored && (file === ignored || file.startsWith(ignored + path.sep))) return;
    if (settingsOnly.has(path.dirname(file)) && !settings.has(file)) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = running.then(run);
    }, options.debounceMs ?? 100);
  };

  const follow = (folders: Iterable<string>) => {
    for (const folder of folders) {
      if (watchers.has(folder) || !existsSync(folder)) continue;
      const watcher = watchFolder(folder, (_event, name) => schedule(name ? path.join(folder, String(name)) : folder));
      watcher.on('error', () => undefined);
      watchers.set(folder, watcher);
    }
  };

  const run = async () => {
    if (closed) return;
    const started = Date.now();
    try {
      const result = await generate(options);
      ignored = result.config.output;
      const folders = new Set(result.inputs.map((url) => path.dirname(fileURLToPath(url))));
      folders.add(result.root);
      folders.add(result.config.rules);
      if (existsSync(result.config.rules)) {
        for (const entry of readdirSync(result.config.rules, { withFileTypes: true })) {
          if (entry.isDirectory()) folders.add(path.join(result.config.rules, entry.name));
        }
      }
      for (const folder of folders) settingsOnly.delete(folder);
      follow(folders);
      const visited = new Set<string>();
      for (const url of result.inputs) addSettingsFiles(path.dirname(fileURLToPath(url)), settings, visited);
      const settingsFolders = [...settings].map((file) => path.dirname(file)).filter((folder) => !watchers.has(folder));
      for (const folder of settingsFolders) settingsOnly.add(folder);
      follow(settingsFolders);
      options.onRun({ result });
      // A file saved while this run was reading it, before its folder was watched (the first
      // run, a new folder), fired no watch event: run again for it.
      for (const url of result.inputs) {
        const file = fileURLToPath(url);
        const modified = statSync(file, { throwIfNoEntry: false })?.mtimeMs;
        if (modified !== undefined && modified >= started && seen.get(file) !== modified) {
          seen.set(file, modified);
          schedule(file);
        }
      }
    } catch (error) {
      // Watch the project (the config's folder, which may be above the working folder) so that
      // fixing the file that failed runs again.
      const root = projectRoot(path.resolve(options.cwd ?? process.cwd()), options.config);
      follow([root, ...subfolders(root)]);
      options.onRun({ error });
    }
  };

  await run();
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      for (const watcher of watchers.values()) watcher.close();
      await running;
    },
  };
}

/** The folder of the config file `generate` would use, or `cwd` when there is none. */
function projectRoot(cwd: string, config: string | undefined): string {
  try {
    return path.dirname(findConfigFile(cwd, config));
  } catch {
    return cwd;
  }
}

function subfolders(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules')
    .map((entry) => path.join(folder, entry.name));
}
