/**
 * How `esre generate` and `esre check` load the project's config, schema and key-function
 * modules: esbuild compiles the project's own files (TypeScript or JavaScript) into ES modules
 * in a scratch folder, in one build for every schema module of a run, and Node imports them
 * natively. Packages stay outside the bundle: each package import is resolved as Node would
 * resolve it (the process's `--conditions`, `main` only) and imported by its file URL, so the
 * project shares the compiler's own instance of zod and of this package.
 *
 * One build and native imports replace a loader-hooks thread that compiled and resolved every
 * module on a round trip of its own: a cold run of 50 schema modules spends a fraction of the
 * time loading them. What the build sees is also the whole import graph of the project's files,
 * recorded for `--watch` and the rerun cache.
 *
 * Each module keeps what it would see unbundled: `import.meta.url`, `import.meta.filename` and
 * `import.meta.dirname` name its own file; in a CommonJS file, `__dirname` and `__filename` too
 * (unless it declares them), and `require` (`require.resolve()` too) resolves from its own folder.
 */
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BuildFailure, Loader, Message, Plugin } from 'esbuild';
import { hashOf, packageManifestOf } from './fingerprint.js';
import { unwrapCommonJsDefault } from './loader.js';
import { addSettingsFiles } from './module-settings.js';
import { PACKAGE_ROOT, isOwnFile } from './own-package.js';

/** The esbuild API, loaded on first use. */
let esbuildApi: Promise<typeof import('esbuild')> | undefined;
function esbuild(): Promise<typeof import('esbuild')> {
  esbuildApi ??= import('esbuild');
  return esbuildApi;
}

/**
 * Thrown by {@link BundleLoader.import} for a module esbuild cannot compile (its first error,
 * and how many more), or that imports a name a package does not export: located in the source.
 */
export class ModuleLoadError extends Error {
  override readonly name = 'ModuleLoadError';
  constructor(
    message: string,
    /** Where the first error is, when esbuild knows (absolute path; line and column from 1). */
    readonly location: { readonly file: string; readonly line: number; readonly column: number } | undefined,
  ) {
    super(message);
  }
}

/** How the scratch folders of loaders are named, under the system's temporary folder. */
const SCRATCH_PREFIX = 'esre-load-';

/**
 * Whether a file is one a loader compiled into its scratch folder: a stack frame there that no
 * source map sends back to the source is esbuild's own code (its `require` shim, say), not the user's.
 */
export function isScratchFile(file: string): boolean {
  return path.basename(path.dirname(file)).startsWith(SCRATCH_PREFIX);
}

/** Where a CommonJS `require()` of a package is sent: a module that requires it through {@link REQUIRE_KEY}. */
const REQUIRE_NAMESPACE = 'esre-require';
/** `globalThis[Symbol.for(REQUIRE_KEY)]`: Node's `require`, for the compiled modules' `require()` of packages. */
const REQUIRE_KEY = 'event-sourced-rules-engine.compiler.require';

/** `globalThis[Symbol.for(CREATE_REQUIRE_KEY)]`: Node's `createRequire`, for the compiled modules' `require.resolve()`. */
const CREATE_REQUIRE_KEY = 'event-sourced-rules-engine.compiler.createRequire';

/** When the compiler itself runs from TypeScript sources, a TypeScript loader is active in this process. */
const UNDER_TYPESCRIPT_LOADER = /\.[cm]?ts$/.test(fileURLToPath(import.meta.url));

const LOADERS: Readonly<Record<string, Loader>> = {
  '.ts': 'ts',
  '.mts': 'ts',
  '.cts': 'ts',
  '.tsx': 'tsx',
  '.js': 'js',
  '.mjs': 'js',
  '.cjs': 'js',
  '.jsx': 'jsx',
  '.json': 'json',
};

/** Node's module conditions for this process: `--conditions` / `-C` in its arguments and `NODE_OPTIONS`. */
function processConditions(): string[] {
  const args = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean)];
  const conditions: string[] = [];
  for (let at = 0; at < args.length; at++) {
    const arg = args[at]!;
    const inline = /^(?:--conditions|-C)=(.+)$/.exec(arg);
    if (inline) conditions.push(inline[1]!);
    else if ((arg === '--conditions' || arg === '-C') && args[at + 1] !== undefined) conditions.push(args[++at]!);
  }
  if ((process.features as { require_module?: boolean }).require_module) conditions.push('module-sync');
  // from its TypeScript sources (a checkout of this package), its own name resolves to them, as bin/esre.js arranges for Node
  if (UNDER_TYPESCRIPT_LOADER) conditions.push('esre-source');
  return [...new Set(conditions)];
}

/** Whether a file is a CommonJS module by Node's rules (extension, then the nearest package.json's `type`). */
function isCommonJs(file: string, types: Map<string, boolean>): boolean {
  if (/\.m[jt]sx?$/.test(file)) return false;
  if (/\.c[jt]sx?$/.test(file)) return true;
  const visited: string[] = [];
  let commonJs = true;
  for (let folder = path.dirname(file); ; folder = path.dirname(folder)) {
    const known = types.get(folder);
    if (known !== undefined) {
      commonJs = known;
      break;
    }
    visited.push(folder);
    const manifest = path.join(folder, 'package.json');
    if (existsSync(manifest)) {
      try {
        commonJs = (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: unknown }).type !== 'module';
      } catch {
        commonJs = true;
      }
      break;
    }
    if (path.dirname(folder) === folder) break;
  }
  for (const folder of visited) types.set(folder, commonJs);
  return commonJs;
}

/**
 * The name each compiled module declares for its own `import.meta.url|filename|dirname`: the
 * build defines those expressions as members of it (esbuild binds the name to each module's own
 * declaration), so only code is replaced, never a string or a comment that mentions them.
 */
const IMPORT_META = '__esreImportMeta';
/** Likewise for `require.resolve()` in a CommonJS module: Node's, resolving from the module's own folder. */
const REQUIRE_RESOLVE = '__esreRequireResolve';
const OWN_LOCATION_DEFINES: Readonly<Record<string, string>> = {
  ...Object.fromEntries(['url', 'filename', 'dirname'].map((key) => [`import.meta.${key}`, `${IMPORT_META}.${key}`])),
  'require.resolve': REQUIRE_RESOLVE,
};

/**
 * The source as esbuild should compile it so that the bundled module sees its own location:
 * a module that mentions `import.meta` declares {@link IMPORT_META}, one that mentions
 * `require.resolve` declares {@link REQUIRE_RESOLVE}; a CommonJS file that uses
 * `__dirname` or `__filename` without declaring them declares them. Declarations go on its first
 * line (no line moves, so locations in errors stay right).
 */
function withOwnLocation(source: string, file: string, commonJs: boolean): string {
  const declarations: string[] = [];
  if (source.includes('import.meta')) {
    declarations.push(`var ${IMPORT_META} = ${JSON.stringify({ url: pathToFileURL(file).href, filename: file, dirname: path.dirname(file) })};`);
  }
  if (source.includes('require.resolve')) {
    declarations.push(`var ${REQUIRE_RESOLVE} = globalThis[Symbol.for(${JSON.stringify(CREATE_REQUIRE_KEY)})](${JSON.stringify(file)}).resolve;`);
  }
  if (commonJs) {
    for (const [name, value] of [
      ['__dirname', path.dirname(file)],
      ['__filename', file],
    ] as const) {
      if (new RegExp(`\\b${name}\\b`).test(source) && !new RegExp(`\\b(?:var|let|const|function|class)\\s+${name}\\b`).test(source)) {
        declarations.push(`var ${name} = ${JSON.stringify(value)};`);
      }
    }
  }
  if (declarations.length === 0) return source;
  const shebang = source.startsWith('#!') ? source.indexOf('\n') + 1 : 0;
  return `${source.slice(0, shebang)}${declarations.join(' ')} ${source.slice(shebang)}`;
}

/** The first error of a failed build as a {@link ModuleLoadError}, in Node's words for an import it cannot resolve. */
function buildError(errors: readonly Message[], workingDir: string): ModuleLoadError {
  const first = errors[0];
  if (!first) return new ModuleLoadError('esbuild failed without a message', undefined);
  const unresolved = /^Could not resolve "(.+)"$/.exec(first.text);
  let text = first.text;
  if (unresolved) {
    const specifier = unresolved[1]!;
    const bare = !specifier.startsWith('.') && !path.isAbsolute(specifier) && !specifier.startsWith('file:');
    const note = (pattern: RegExp) => first.notes.map((each) => pattern.exec(each.text)).find((match) => match !== null);
    const notExported = note(/^The path "(.+)" is not exported by package "(.+)"/);
    const missingTarget = bare ? note(/^The module "(.+)" was not found on the file system/) : undefined;
    const subpathImport = specifier.startsWith('#');
    if (notExported) text = `Package subpath '${notExported[1]}' is not defined by "exports" in package '${notExported[2]}'`;
    else if (missingTarget && subpathImport) text = `Cannot find module '${missingTarget[1]}' that "imports" in package.json maps '${specifier}' to`;
    else if (missingTarget) text = `Cannot find module '${missingTarget[1]}' that package '${packageName(specifier)}' points to`;
    else if (subpathImport) text = `Package import specifier '${specifier}' is not defined by "imports" in package.json`;
    else text = `Cannot find ${bare ? 'package' : 'module'} '${specifier}'`;
  }
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
  const at = first.location;
  // esbuild points at the quote before an import path: point at the path, as for any other name
  const quote = unresolved && at && /['"`]/.test(at.lineText.charAt(at.column)) ? 1 : 0;
  const location = at ? { file: path.resolve(workingDir, at.file), line: at.line, column: at.column + 1 + quote } : undefined;
  return new ModuleLoadError(`${text}${more}`, location);
}

/** The package a bare specifier names: `@scope/name` or `name`, without a subpath. */
function packageName(specifier: string): string {
  return specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
}

/** What one build produced: the output file of each entry, or why the entry cannot be built. */
type Built = { readonly output: string } | { readonly error: ModuleLoadError };

/**
 * Loads project modules for one run of the compiler (watch mode makes one per run: each sees
 * the files as they are now). {@link prepare} builds many modules at once; {@link import}
 * imports one, building it first when it was not prepared.
 */
export class BundleLoader {
  readonly #folder: string;
  readonly #built = new Map<string, Built>();
  readonly #imported = new Set<string>();
  readonly #hashes = new Map<string, string>();
  readonly #packages = new Set<string>();
  readonly #settings = new Set<string>();
  readonly #settingsFolders = new Set<string>();
  readonly #moduleTypes = new Map<string, boolean>();
  /** Resolved file of each external import, and the specifier the source wrote. */
  readonly #specifiers = new Map<string, string>();
  #builds = 0;

  private constructor(folder: string) {
    this.#folder = folder;
  }

  /**
   * A loader with a scratch folder of its own (removed by {@link dispose}, or when the process
   * ends first: interrupted, or ended by a module it loads).
   */
  static async create(): Promise<BundleLoader> {
    (globalThis as Record<symbol, unknown>)[Symbol.for(REQUIRE_KEY)] ??= createRequire(import.meta.url);
    (globalThis as Record<symbol, unknown>)[Symbol.for(CREATE_REQUIRE_KEY)] ??= createRequire;
    await esbuild();
    const folder = mkdtempSync(path.join(tmpdir(), SCRATCH_PREFIX));
    trackScratchFolder(folder);
    return new BundleLoader(folder);
  }

  /**
   * Builds `files` (absolute paths) in one esbuild run, so that importing each costs no further
   * compilation. A file that cannot be built fails its own {@link import}, with its location;
   * the others still load.
   */
  async prepare(files: readonly string[]): Promise<void> {
    const pending = [...new Set(files)].filter((file) => !this.#built.has(file));
    if (pending.length === 0) return;
    const outcome = await this.#build(pending);
    if ('outputs' in outcome) {
      for (const [file, output] of outcome.outputs) this.#built.set(file, { output });
      return;
    }
    if (pending.length === 1) {
      this.#built.set(pending[0]!, { error: outcome.error });
      return;
    }
    // one build failed: build each on its own, so each file gets its own verdict
    for (const file of pending) await this.prepare([file]);
  }

  /**
   * Imports a module by absolute path; returns its namespace object. A CommonJS module's
   * `module.exports` compiled from `export default` arrives as `default`, as in an ES module
   * project.
   */
  async import(file: string): Promise<Record<string, unknown>> {
    if (!this.#built.has(file)) await this.prepare([file]);
    const built = this.#built.get(file)!;
    if ('error' in built) throw built.error;
    try {
      return unwrapCommonJsDefault((await import(pathToFileURL(built.output).href)) as Record<string, unknown>);
    } catch (error) {
      // the stack is formatted (and mapped to the sources) when first read: read it while maps are on
      void (error as { stack?: unknown } | null)?.stack;
      throw this.#inSourceTerms(error, file);
    }
  }

  /** URLs of the project files imported so far, sorted (watch mode watches them). */
  get importedFiles(): readonly string[] {
    return [...this.#imported].sort();
  }

  /** Content hash of each project file imported so far (absolute path), taken when it was read. */
  get importedHashes(): ReadonlyMap<string, string> {
    return this.#hashes;
  }

  /** `package.json` of each node_modules package the project's files imported (absolute paths, sorted). */
  get importedPackages(): readonly string[] {
    return [...this.#packages].sort();
  }

  /**
   * The `package.json`, `tsconfig.json` and `jsconfig.json` files (and the tsconfig files those
   * extend) that decide how the project files imported so far compile and load, including those
   * looked for and not found (absolute paths, sorted).
   */
  get settingsFiles(): readonly string[] {
    return [...this.#settings].sort();
  }

  /** Removes the scratch folder (the modules imported from it stay loaded). */
  async dispose(): Promise<void> {
    rmSync(this.#folder, { recursive: true, force: true });
    untrackScratchFolder(this.#folder);
  }

  async #build(files: readonly string[]): Promise<{ outputs: Map<string, string> } | { error: ModuleLoadError }> {
    const { build } = await esbuild();
    const build_ = ++this.#builds;
    const names = files.map((_, index) => `b${build_}-${index}`);
    const workingDir = path.dirname(files[0]!);
    try {
      await build({
        entryPoints: files.map((file, index) => ({ in: file, out: names[index]! })),
        absWorkingDir: workingDir,
        outdir: this.#folder,
        outExtension: { '.js': '.mjs' },
        bundle: true,
        splitting: true,
        chunkNames: `b${build_}-chunk-[hash]`,
        format: 'esm',
        platform: 'node',
        target: `node${process.versions.node}`,
        conditions: processConditions(),
        define: OWN_LOCATION_DEFINES,
        mainFields: ['main'],
        keepNames: true,
        sourcemap: 'inline',
        sourcesContent: false,
        logLevel: 'silent',
        write: true,
        metafile: false,
        plugins: [this.#plugin()],
      });
    } catch (error) {
      const errors = (error as Partial<BuildFailure>).errors;
      if (Array.isArray(errors)) return { error: buildError(errors, workingDir) };
      throw error;
    }
    return { outputs: new Map(files.map((file, index) => [file, path.join(this.#folder, `${names[index]}.mjs`)])) };
  }

  /** Packages stay imports (by file URL, resolved as Node would); project files are read, recorded and given their own location. */
  #plugin(): Plugin {
    const loader = this;
    return {
      name: 'esre-project-modules',
      setup(build) {
        build.onResolve({ filter: /^[^./]|^\.[^./]|^\.\.[^/]/ }, async (args) => {
          if (args.pluginData === loader || args.kind === 'entry-point') return undefined;
          // a CommonJS require() of a built-in module goes through Node's require too (an ES module has none)
          if (isBuiltin(args.path)) return args.kind === 'require-call' ? { path: args.path, namespace: REQUIRE_NAMESPACE } : { path: args.path, external: true };
          const resolved = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: loader, with: args.with });
          // not found: esbuild's own resolver reports it, at the import
          if (resolved.errors.length > 0) return undefined;
          if (resolved.external) return { path: resolved.path, external: true };
          // a package linked from outside node_modules (a workspace of the project): compiled with the project's files, so
          // each run sees it as it is now and a TypeScript workspace needs no build; this package itself is imported as installed
          if (!resolved.path.includes(`${path.sep}node_modules${path.sep}`) && !isOwnFile(resolved.path)) return { path: resolved.path };
          const manifest = packageManifestOf(resolved.path);
          if (manifest) loader.#addPackage(manifest);
          // an ES module has no require: a CommonJS file's require() of a package goes through Node's, by path
          if (args.kind === 'require-call') return { path: resolved.path, namespace: REQUIRE_NAMESPACE };
          const target = pathToFileURL(resolved.path).href;
          loader.#specifiers.set(target, args.path);
          return { path: target, external: true };
        });
        build.onLoad({ filter: /.*/, namespace: REQUIRE_NAMESPACE }, (args) => ({
          contents: `module.exports = globalThis[Symbol.for(${JSON.stringify(REQUIRE_KEY)})](${JSON.stringify(args.path)});`,
          loader: 'js',
        }));
        build.onLoad({ filter: /\.(?:[cm]?[jt]sx?|json)$/ }, (args) => {
          if (args.namespace !== 'file' || args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
          const bytes = readFileSync(args.path);
          loader.#record(args.path, bytes);
          const extension = path.extname(args.path);
          if (extension === '.json') return { contents: bytes, loader: 'json' };
          return { contents: withOwnLocation(bytes.toString('utf8'), args.path, isCommonJs(args.path, loader.#moduleTypes)), loader: LOADERS[extension] ?? 'js' };
        });
      },
    };
  }

  /**
   * Records a package and, transitively, the installed packages it depends on (`dependencies`,
   * `peerDependencies`, `optionalDependencies`): what it imports, it must declare. This package's
   * own dependencies are left out (the rerun cache fingerprints the compiler itself).
   */
  #addPackage(manifest: string): void {
    if (this.#packages.has(manifest)) return;
    this.#packages.add(manifest);
    const folder = path.dirname(manifest);
    if (realpathOrSelf(folder) === PACKAGE_ROOT) return;
    let declared: Record<string, unknown>;
    try {
      declared = JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, unknown>;
    } catch {
      return;
    }
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
      const names = declared[field];
      if (names === null || typeof names !== 'object') continue;
      for (const name of Object.keys(names)) {
        const installed = installedManifest(name, folder);
        if (installed) this.#addPackage(installed);
      }
    }
  }

  #record(file: string, bytes: Buffer): void {
    this.#imported.add(pathToFileURL(file).href);
    if (!this.#hashes.has(file)) this.#hashes.set(file, hashOf(bytes));
    addSettingsFiles(path.dirname(file), this.#settings, this.#settingsFolders);
  }

  /**
   * A link error (`The requested module '…' does not provide an export named 'x'`) names the
   * package by the file URL it was imported by, and points into the compiled file: name it as
   * the source wrote it, at the imported name in the source.
   */
  #inSourceTerms(error: unknown, entry: string): unknown {
    if (!(error instanceof SyntaxError)) return error;
    const link = /^The requested module '([^']+)' does not provide an export named '([^']+)'/.exec(error.message);
    const specifier = link ? this.#specifiers.get(link[1]!) : undefined;
    if (!link || !specifier) return error;
    const message = `SyntaxError: ${error.message.replace(link[1]!, specifier)}`;
    for (const file of [entry, ...[...this.#hashes.keys()].filter((other) => other !== entry)]) {
      const location = importedNameLocation(file, specifier, link[2]!);
      if (location) return new ModuleLoadError(message, location);
    }
    return new ModuleLoadError(message, undefined);
  }
}

/**
 * The scratch folders of the loaders not yet disposed. While there are any, the process removes
 * them when it exits (`process.exit()` in a module it loads included) and when Ctrl+C or
 * SIGTERM ends it: that signal then still ends the process as it would have, unless another
 * listener handles it (as watch mode does, which disposes the loader of the run it waits for).
 * Source maps are on meanwhile, so that an error a loaded module raises later (a timer, a
 * rejection nobody awaits) names its place in the source too, even when it ends the process.
 */
const scratchFolders = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
/** Whether source maps were on before the first loader was created. */
let sourceMapsBefore = false;

function trackScratchFolder(folder: string): void {
  if (scratchFolders.size === 0) {
    process.on('exit', removeScratchFolders);
    for (const signal of SIGNALS) process.on(signal, endBySignal);
    sourceMapsBefore = process.sourceMapsEnabled;
    process.setSourceMapsEnabled(true);
  }
  scratchFolders.add(folder);
}

function untrackScratchFolder(folder: string): void {
  if (!scratchFolders.delete(folder) || scratchFolders.size > 0) return;
  process.off('exit', removeScratchFolders);
  for (const signal of SIGNALS) process.off(signal, endBySignal);
  process.setSourceMapsEnabled(sourceMapsBefore);
}

function removeScratchFolders(): void {
  for (const folder of scratchFolders) rmSync(folder, { recursive: true, force: true });
}

function endBySignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) return;
  removeScratchFolders();
  for (const each of SIGNALS) process.off(each, endBySignal);
  process.kill(process.pid, signal);
}

/** Where Node would find package `name` installed for a package in `folder`: its `package.json`, if any. */
function installedManifest(name: string, folder: string): string | undefined {
  for (let at = folder; ; at = path.dirname(at)) {
    if (path.basename(at) !== 'node_modules') {
      const manifest = path.join(at, 'node_modules', name, 'package.json');
      if (existsSync(manifest)) return manifest;
    }
    if (path.dirname(at) === at) return undefined;
  }
}

function realpathOrSelf(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

/** Where `source` imports (or re-exports) `name` from `specifier`: the name in the braces, or the statement for `default`. */
function importedNameLocation(file: string, specifier: string, name: string): { file: string; line: number; column: number } | undefined {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const quoted = specifier.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const statement = new RegExp(`\\b(?:import|export)\\b([^;]*?)\\bfrom\\s*(['"])${quoted}\\2`, 'g');
  for (const match of source.matchAll(statement)) {
    const clause = match[1]!;
    const braces = /\{([^}]*)\}/.exec(clause);
    const inBraces = braces ? new RegExp(`(?:^|[\\s,])(${name.replace(/\$/g, '\\$')})(?=\\s|,|$)`).exec(braces[1]!) : null;
    let offset = match.index!;
    if (inBraces) offset += clause.indexOf('{') + match[0].indexOf(clause) + 1 + inBraces.index + inBraces[0].indexOf(inBraces[1]!);
    else if (name !== 'default') continue;
    const before = source.slice(0, offset);
    return { file, line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
  }
  return undefined;
}
