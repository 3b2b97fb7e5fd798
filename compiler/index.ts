/**
 * event-sourced-rules-engine/compiler: the `esre` schema compiler as a library.
 *
 * `generate()` writes typed code, rule stubs, JSON Schemas and diagrams from the schema
 * modules named in `esre.config.ts`; `check()` reports stale generated files and unimplemented
 * rules; `watch()` regenerates on change.
 */
export { generate, check, plan, type GenerateOptions, type GenerateResult, type CheckResult, type CheckProblem, type Plan } from './generate.js';
export { watch, type WatchOptions, type Watcher } from './watch.js';
export { findConfigFile, resolveConfig, API_DEFAULTS, CONFIG_FILE_NAMES, MAX_API_BODY_BYTES, type ResolvedApiConfig, type ResolvedCorsConfig, type ResolvedConfig, type ResolvedService } from './config.js';
export { loadConfig } from './load-config.js';
export { CompilerError, ConfigError, SchemaError, formatProblem, type SchemaProblem } from './errors.js';
export { EmitContext, GENERATED_MARKER, type Emitter, type EmittedFile } from './emitter.js';
export { emitters, jsonSchemaPath } from './emitters/index.js';
export { STUB_MARKER, type Model, type EventVersionModel, type UpcasterFileModel, type AggregateModel, type EventModel, type IndexModel, type RuleFileModel } from './model.js';
export { instantiate, readTemplate, TEMPLATES_DIR, type TemplateData, type Tokens } from './template.js';
export { defineAggregate, defineConfig, versioned, type ApiConfig, type ApiCorsConfig, type ApiThrottlingConfig, type EsreConfig, type ServiceConfig, type AggregateDefinition, type VersionedSchema } from './schema.js';
export { compareSchemas, type Compatibility, type SchemaChange } from './compatibility.js';
export { IncompatibleSchemaError, LockFileError, LOCK_FILE_NAME, type EvolutionFinding, type Lock, type AggregateLock } from './lock.js';
