/**
 * The rerun cache, in `.esre-cache/` next to the config (git-ignored by a `.gitignore` of its
 * own). After a successful `esre generate`, it records what the run depended on and what it left
 * on disk; a rerun whose recorded inputs and outputs all still match answers from it, without
 * loading esbuild, zod, the config or any schema module, and writes nothing.
 *
 * Inputs (each by content hash): the config file and every project module the config and schema
 * modules imported (hashed when loaded, and recorded only if unchanged at the end of the run);
 * the `package.json` of every package they imported from node_modules and of the packages those
 * depend on (zod's version, say); the project's package.json, tsconfig.json and package-manager
 * lock files; the package.json and tsconfig files that decide how each project module compiles
 * (the nearest ones, those a tsconfig extends, and those looked for on the way: see
 * `module-settings.ts`), above the project too, as in a monorepo; the compiler itself (its own files and templates). Also: the schema modules the config's globs match, the file names
 * under the rules folder and the output folders (a new, deleted or renamed file there means a
 * full run), that the user-owned files still exist (rule files, the CDK app, cdk.json), and the
 * content of every generated file (esre.lock.json included: the lock comparison depends only on
 * the schemas and the lock, so with both unchanged its result is unchanged too). The loader
 * compiles every project module the config and schema modules reach, `require()`d or imported,
 * so the list is complete in CommonJS projects too.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ResolvedConfig, findConfigFile } from './config.js';
import { filesUnder, hashOf, hashOfFile, hashOfFolders } from './fingerprint.js';
import { findSchemaFiles } from './schema-files.js';
import { TEMPLATES_DIR } from './template.js';

/** The cache folder, in the config file's folder. */
export const CACHE_FOLDER = '.esre-cache';

const FORMAT = 1;

/** Folder names never listed: what tools and the cache itself change on their own. */
const SKIPPED = new Set(['node_modules', 'cdk.out', '.git', CACHE_FOLDER]);

/** Project files besides modules that change how modules load or which packages they get. */
const PROJECT_MANIFESTS = ['package.json', 'tsconfig.json', 'package-lock.json', 'npm-shrinkwrap.json', 'pnpm-lock.yaml', 'yarn.lock', 'bun.lock', 'bun.lockb'];

/** What a rerun with nothing changed reports. */
export interface CachedRun {
  /** Generated files, relative to the project root. */
  readonly unchanged: readonly string[];
  readonly warnings: readonly string[];
  /** Project files the run imported, as file URLs. */
  readonly inputs: readonly string[];
  readonly config: ResolvedConfig;
}

interface CacheRecord {
  readonly format: number;
  readonly compiler: string;
  readonly configFile: string;
  readonly inputs: Readonly<Record<string, string>>;
  readonly schemaFiles: readonly string[];
  readonly listings: Readonly<Record<string, readonly string[]>>;
  readonly userFiles: readonly string[];
  readonly outputs: Readonly<Record<string, string>>;
  readonly run: CachedRun;
}

/** What {@link recordRun} needs from a successful run. */
export interface RunRecord {
  readonly config: ResolvedConfig;
  /** Content hash of each project module when it was loaded. */
  readonly importedHashes: ReadonlyMap<string, string>;
  /** `package.json` files of the node_modules packages imported. */
  readonly packages: readonly string[];
  /** The `package.json` and tsconfig files that decide how the project modules compile, found or looked for. */
  readonly settings: readonly string[];
  readonly schemaFiles: readonly string[];
  /** Generated files this run wrote, absolute paths: hashed from the content written (not read back). */
  readonly written: readonly { readonly path: string; readonly content: string }[];
  /** Generated files that were already up to date, absolute paths: hashed from disk. */
  readonly unchanged: readonly string[];
  /** Absolute paths of the user-owned files the emitters produce (created or kept). */
  readonly userFiles: readonly string[];
  readonly run: CachedRun;
}

/**
 * The result of the last run, when nothing it depended on changed since (see the module
 * comment); undefined otherwise, or when anything about the cache is off (a full run decides).
 */
export async function upToDateRun(cwd: string, configOption?: string): Promise<CachedRun | undefined> {
  try {
    const configFile = findConfigFile(cwd, configOption);
    const file = cacheFile(configFile);
    if (!existsSync(file)) return undefined;
    const record = JSON.parse(readFileSync(file, 'utf8')) as CacheRecord;
    if (record.format !== FORMAT || record.configFile !== configFile || record.compiler !== compilerFingerprint()) return undefined;
    for (const [input, hash] of Object.entries(record.inputs)) if (hashOfFile(input) !== hash) return undefined;
    if (!sameList(await findSchemaFiles(record.run.config), record.schemaFiles)) return undefined;
    for (const [folder, listing] of Object.entries(record.listings)) if (!sameList(filesUnder(folder, SKIPPED), listing)) return undefined;
    if (!record.userFiles.every((user) => existsSync(user))) return undefined;
    for (const [output, hash] of Object.entries(record.outputs)) if (hashOfFile(output) !== hash) return undefined;
    return record.run;
  } catch {
    return undefined;
  }
}

/**
 * Records a successful run for {@link upToDateRun}. Records nothing (and drops the old record)
 * when a module changed while the run was loading it. Never throws: the cache only saves time.
 */
export function recordRun(record: RunRecord): void {
  const { config } = record;
  const file = cacheFile(config.file);
  try {
    const inputs: Record<string, string> = {};
    for (const [input, hash] of record.importedHashes) {
      if (hashOfFile(input) !== hash) {
        rmSync(file, { force: true });
        return;
      }
      inputs[input] = hash;
    }
    for (const manifest of [...record.packages, ...record.settings, ...PROJECT_MANIFESTS.map((name) => path.join(config.root, name))]) inputs[manifest] = hashOfFile(manifest);
    const listings: Record<string, string[]> = {};
    for (const folder of [config.rules, config.output, ...(config.cdkOutput === null ? [] : [config.cdkOutput])]) listings[folder] = filesUnder(folder, SKIPPED);
    const outputs: Record<string, string> = {};
    const hashes = new Map<string, string>(record.unchanged.map((file) => [file, hashOfFile(file)]));
    for (const file of record.written) hashes.set(file.path, hashOf(file.content));
    for (const generated of [...hashes.keys()].sort()) outputs[generated] = hashes.get(generated)!;
    const content: CacheRecord = {
      format: FORMAT,
      compiler: compilerFingerprint(),
      configFile: config.file,
      inputs,
      schemaFiles: [...record.schemaFiles].sort(),
      listings,
      userFiles: [...record.userFiles].sort(),
      outputs,
      run: record.run,
    };
    const folder = path.dirname(file);
    mkdirSync(folder, { recursive: true });
    const ignore = path.join(folder, '.gitignore');
    if (!existsSync(ignore)) writeFileSync(ignore, '# esre generate: rerun cache, safe to delete\n*\n');
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(content));
    renameSync(temporary, file);
  } catch {
    rmSync(file, { force: true });
  }
}

/** The cache file of one config file (a folder may hold several configs). */
function cacheFile(configFile: string): string {
  return path.join(path.dirname(configFile), CACHE_FOLDER, `generate-${hashOf(configFile).slice(0, 16)}.json`);
}

let fingerprint: string | undefined;

/** The compiler's own identity: its files and templates (so a new version, or an edited checkout, reruns in full). */
function compilerFingerprint(): string {
  const compiler = path.dirname(fileURLToPath(import.meta.url));
  fingerprint ??= hashOf(`${compiler}\0${hashOfFolders([compiler, TEMPLATES_DIR])}`);
  return fingerprint;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, position) => item === b[position]);
}
