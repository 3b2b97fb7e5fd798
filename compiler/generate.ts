import { existsSync } from 'node:fs';
import path from 'node:path';
import { type ResolvedConfig, findConfigFile, loadConfigWith } from './config.js';
import { EmitContext, type EmittedFile, type Emitter, GENERATED_MARKER } from './emitter.js';
import { emitters as defaultEmitters } from './emitters/index.js';
import { SchemaError } from './errors.js';
import { IncompatibleSchemaError, evolve, readLock } from './lock.js';
import { jsonSchemaConverters } from './json-schema.js';
import { BundleLoader } from './bundle-loader.js';
import { type Model, buildModel, findSchemaFiles } from './model.js';
import { recordRun, upToDateRun } from './rerun-cache.js';
import { englishZodMessages } from './zod-messages.js';
import { type FileChanges, apply, diff } from './writer.js';

/** Options of {@link generate} and {@link check}. */
export interface GenerateOptions {
  /** Folder to look for `esre.config.ts` in (default: `process.cwd()`). */
  readonly cwd?: string;
  /** Path of the config file, relative to `cwd`. */
  readonly config?: string;
  /** Emitters to run instead of the built-in list. */
  readonly emitters?: readonly Emitter[];
}

/** What a run found: the model and the file changes (applied by {@link generate}, only reported by {@link check}). */
export interface Plan {
  /** The checked config, paths absolute. */
  readonly config: ResolvedConfig;
  /** The checked schema modules. */
  readonly model: Model;
  /** What writing would do to each file (contents final: formatted). */
  readonly changes: FileChanges;
  /** Project files the run imported (config, schema modules, key-function modules), as file URLs. */
  readonly inputs: readonly string[];
  /** Things worth knowing that are not errors (rule files whose event left the schema). */
  readonly warnings: readonly string[];
  /** Content hash of each project file the run imported (absolute path), taken when it was loaded. */
  readonly inputHashes: ReadonlyMap<string, string>;
  /** `package.json` of each node_modules package the config and schema modules imported from. */
  readonly packages: readonly string[];
  /** The `package.json` and tsconfig files that decide how those project files compile (see `BundleLoader.settingsFiles`). */
  readonly settings: readonly string[];
}

/** What {@link generate} did; paths are relative to the project root. */
export interface GenerateResult {
  /** Generated files written because they were missing or differed. */
  readonly written: readonly string[];
  /** Generated files already up to date (not rewritten). */
  readonly unchanged: readonly string[];
  /** Stubs created once and then owned by the user, to implement (rule stubs). */
  readonly stubsCreated: readonly string[];
  /** Deployment set-up created once and then owned by the user (the CDK app, `cdk.json`). */
  readonly infraCreated: readonly string[];
  /** Generated files no emitter produces any more, deleted. */
  readonly removed: readonly string[];
  /** Things worth knowing that are not errors (rule files whose event left the schema). */
  readonly warnings: readonly string[];
  /** Project files the run imported (config, schema modules, key-function modules), as file URLs. */
  readonly inputs: readonly string[];
  /** Project root (the config file's folder). */
  readonly root: string;
  readonly config: ResolvedConfig;
}

/**
 * Loads the config and schema modules, checks them, emits every file in memory and compares
 * with the disk. Throws {@link SchemaError} (naming file and field of every problem) or
 * `ConfigError`; nothing is written either way.
 */
export async function plan(options: GenerateOptions = {}): Promise<Plan> {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const configFile = findConfigFile(cwd, options.config);
  const loader = await BundleLoader.create();
  try {
    // esbuild compiles the config in a process of its own while zod (shared with the schema modules) loads here
    await Promise.all([loader.prepare([configFile]), jsonSchemaConverters(), englishZodMessages()]);
    const config = await loadConfigWith(loader, configFile);
    const files = await findSchemaFiles(config);
    const { model, problems } = await buildModel(config, loader, files);
    if (problems.length > 0) throw new SchemaError(problems);
    const { lock, findings } = evolve(model, readLock(config), lockComment(config, model));
    const failures = findings.filter((finding) => finding.severity !== 'warning');
    if (failures.length > 0) throw new IncompatibleSchemaError(failures);
    const context = new EmitContext(model, lock);
    const emitted: EmittedFile[] = [];
    for (const emitter of options.emitters ?? defaultEmitters) {
      try {
        emitted.push(...emitter.emit(context));
      } catch (error) {
        throw new Error(`emitter ${emitter.name} failed: ${(error as Error).message}`, { cause: error });
      }
    }
    const changes = await diff(emitted, [config.output, ...(config.cdkOutput === null ? [] : [config.cdkOutput])]);
    const warnings: string[] = findings.map((finding) => finding.message);
    for (const aggregate of model.aggregates) {
      for (const orphan of aggregate.orphanRules) {
        warnings.push(`${context.projectPath(orphan)}: no inbound event of ${aggregate.name} has this rule file any more (kept; delete it if it is no longer needed)`);
      }
    }
    for (const folder of model.orphanRuleFolders) {
      warnings.push(`${context.projectPath(folder)}/: no aggregate has this rules folder any more (kept)`);
    }
    return { config, model, changes, inputs: loader.importedFiles, warnings, inputHashes: loader.importedHashes, packages: loader.importedPackages, settings: loader.settingsFiles };
  } finally {
    await loader.dispose();
  }
}

function lockComment(config: ResolvedConfig, model: Model): string {
  const sources = [config.file, ...model.aggregates.map((aggregate) => aggregate.schemaFile)].map((file) => path.relative(config.root, file).split(path.sep).join('/'));
  return (
    `${GENERATED_MARKER} ${sources.join(' and ')}: the schemas the generated code was built from. ` +
    'Commit it: esre generate and esre check refuse schema changes incompatible with it (see docs/schema-evolution.md).'
  );
}

/**
 * `esre generate`: plans, then writes changed generated files and missing rule stubs. A rerun
 * with nothing changed answers from the rerun cache in `.esre-cache/` (see `rerun-cache.ts`)
 * without loading any module (not with custom `emitters`).
 */
export async function generate(options: GenerateOptions = {}): Promise<GenerateResult> {
  const cacheable = options.emitters === undefined;
  if (cacheable) {
    const cached = await upToDateRun(path.resolve(options.cwd ?? process.cwd()), options.config);
    if (cached) {
      return { written: [], unchanged: cached.unchanged, stubsCreated: [], infraCreated: [], removed: [], warnings: cached.warnings, inputs: cached.inputs, root: cached.config.root, config: cached.config };
    }
  }
  const result = await plan(options);
  apply(result.changes);
  const relative = (file: string) => path.relative(result.config.root, file).split(path.sep).join('/');
  const generated: GenerateResult = {
    written: result.changes.write.map((file) => relative(file.path)),
    unchanged: result.changes.unchanged.map(relative),
    stubsCreated: result.changes.createStubs.filter((file) => file.role !== 'infra').map((file) => relative(file.path)),
    infraCreated: result.changes.createStubs.filter((file) => file.role === 'infra').map((file) => relative(file.path)),
    removed: result.changes.remove.map(relative),
    warnings: result.warnings,
    inputs: result.inputs,
    root: result.config.root,
    config: result.config,
  };
  if (cacheable) {
    const generatedFiles = [...result.changes.write.map((file) => file.path), ...result.changes.unchanged];
    recordRun({
      config: result.config,
      importedHashes: result.inputHashes,
      packages: result.packages,
      settings: result.settings,
      schemaFiles: result.model.aggregates.map((aggregate) => aggregate.schemaFile),
      written: result.changes.write,
      unchanged: result.changes.unchanged,
      userFiles: [...result.changes.createStubs.map((file) => file.path), ...result.changes.kept],
      run: { unchanged: generatedFiles.map(relative).sort(), warnings: result.warnings, inputs: result.inputs, config: result.config },
    });
  }
  return generated;
}

/** One finding of {@link check}. */
export interface CheckProblem {
  /** A generated file is missing, stale or left over; a rule file is missing or still a stub. */
  readonly kind: 'missing' | 'stale' | 'extra' | 'missing-rule' | 'unimplemented-rule' | 'missing-upcaster' | 'unimplemented-upcaster';
  /** Path relative to the project root. */
  readonly file: string;
  readonly message: string;
}

/** What {@link check} found; `ok` when there are no problems. */
export interface CheckResult {
  /** No problems. */
  readonly ok: boolean;
  /** Sorted by file. */
  readonly problems: readonly CheckProblem[];
  /** As in {@link GenerateResult.warnings}: reported, not failures. */
  readonly warnings: readonly string[];
}

/**
 * `esre check`: fails when generated files are missing, stale or left over, when a rule or
 * upcaster file is missing or still an unimplemented stub, or (throwing
 * `IncompatibleSchemaError`) when a schema changed incompatibly with `esre.lock.json`.
 * Writes nothing.
 */
export async function check(options: GenerateOptions = {}): Promise<CheckResult> {
  const result = await plan(options);
  const relative = (file: string) => path.relative(result.config.root, file).split(path.sep).join('/');
  const problems: CheckProblem[] = [];
  for (const file of result.changes.write) {
    const missing = !existsSync(file.path);
    problems.push(
      missing
        ? { kind: 'missing', file: relative(file.path), message: 'generated file is missing (run esre generate)' }
        : { kind: 'stale', file: relative(file.path), message: 'generated file is stale (run esre generate)' },
    );
  }
  for (const file of result.changes.remove) {
    problems.push({ kind: 'extra', file: relative(file), message: 'generated file no longer produced by any schema (run esre generate)' });
  }
  for (const aggregate of result.model.aggregates) {
    for (const rule of aggregate.rules.values()) {
      if (!rule.exists) problems.push({ kind: 'missing-rule', file: relative(rule.file), message: `rule for ${rule.event} is missing (run esre generate, then implement it)` });
      else if (rule.stub) problems.push({ kind: 'unimplemented-rule', file: relative(rule.file), message: `rule for ${rule.event} is not implemented yet (esre:stub)` });
    }
    for (const upcaster of aggregate.upcasters) {
      const step = `${upcaster.event} from version ${upcaster.from} to ${upcaster.from + 1}`;
      if (!upcaster.exists) problems.push({ kind: 'missing-upcaster', file: relative(upcaster.file), message: `upcaster of ${step} is missing (run esre generate, then implement it)` });
      else if (upcaster.stub) problems.push({ kind: 'unimplemented-upcaster', file: relative(upcaster.file), message: `upcaster of ${step} is not implemented yet (esre:stub)` });
    }
  }
  problems.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { ok: problems.length === 0, problems, warnings: result.warnings };
}
