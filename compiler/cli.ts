/**
 * The `esre` command line: `esre generate [--watch]`, `esre check`, `esre recalculate`, `esre help`.
 * Exit codes: 0 success, 1 invalid schemas / config or a failed check, 2 bad usage.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CompilerError } from './errors.js';
import { type GenerateResult, check, generate } from './generate.js';
import { RecalculateUsageError, recalculateCommand } from './recalculate-command.js';
import { watch } from './watch.js';

const HELP = `esre: the schema compiler of event-sourced-rules-engine

Usage:
  esre generate [--config <file>] [--watch]
      Load esre.config.ts and the schema modules it names, check them, and write the
      generated code (types, event creators, aggregate classes, indexes, rules index),
      one JSON Schema per event, a Mermaid diagram per aggregate and the CDK stack
      (cdk.output, default infra/). Creates one rule stub per inbound event, one upcaster
      stub per version step of a versioned event (and the CDK app and cdk.json) when its
      file does not exist; never overwrites those files. Records the schemas in
      esre.lock.json and refuses (exit 1) a schema change incompatible with it.
      Writes nothing when a schema module is invalid. With --watch, regenerates on change.
      Prints one line: files written, unchanged, rule stubs and infra files created.
  esre check [--config <file>]
      Exit 1, listing what is wrong, when generated files are missing or stale, a rule or
      upcaster is missing or still an unimplemented stub, or a schema changed
      incompatibly with esre.lock.json. Writes nothing. Use it in CI.
  esre recalculate <module> [--export <name>] [--concurrency <n>] [--page-size <n>] [--cursor <c>]
      Recalculate every aggregate of a type (after rules changed): imports <module>, whose
      export "aggregate" (or --export, or the default export) is a generated aggregate class
      instance or an Aggregate wired to its store, and runs its recalculateAll with a
      progress line. Ctrl+C stops it cleanly and prints the --cursor that resumes it.
      Exit 130 when stopped.
  esre help
      Show this help.

Options:
  -c, --config <file>   config file (default: esre.config.ts in the current folder or the
                        nearest folder above it)
  -w, --watch           (generate) regenerate whenever a schema, the config or a rule changes
  --export <name>       (recalculate) the export holding the aggregate (default: aggregate)
  --concurrency <n>     (recalculate) aggregates recalculated at a time (default 4)
  --page-size <n>       (recalculate) ids listed per page (default 100)
  --cursor <c>          (recalculate) resume where a stopped run left off
  -h, --help            show this help
  -v, --version         show the version

Exit codes: 0 success, 1 invalid schemas or config, or check failed, 2 bad usage.

Example:
  npx esre generate            # in the folder of esre.config.ts, or any folder below it
  npx esre check               # in CI: fails on stale generated files or unimplemented rules`;

/** The package's version, from the nearest package.json above this file (source or dist). */
function packageVersion(): string {
  for (const relative of ['../package.json', '../../package.json']) {
    try {
      const manifest = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (manifest.name === 'event-sourced-rules-engine' && manifest.version) return manifest.version;
    } catch {
      // not there: try the next folder up
    }
  }
  return 'unknown';
}

function summary(result: GenerateResult, started: number | undefined): string {
  const seconds = started === undefined ? undefined : ((performance.now() - started) / 1000).toFixed(2);
  const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  return (
    `esre generate: ${plural(result.written.length, 'file')} written, ${result.unchanged.length} unchanged, ` +
    `${plural(result.stubsCreated.length, 'stub')} created` +
    (result.infraCreated.length > 0 ? `, ${plural(result.infraCreated.length, 'infra file')} created` : '') +
    (result.removed.length > 0 ? `, ${result.removed.length} removed` : '') +
    (seconds === undefined ? '' : ` (${seconds} s)`)
  );
}

function report(result: GenerateResult, started: number | undefined): void {
  for (const file of [...result.stubsCreated, ...result.infraCreated].sort()) console.log(`  created ${file} (yours to edit: never overwritten)`);
  for (const file of result.removed) console.log(`  removed ${file}`);
  for (const warning of result.warnings) console.warn(`warning: ${warning}`);
  console.log(summary(result, started));
}

function fail(error: unknown): number {
  if (error instanceof CompilerError) {
    console.error(`esre: ${error.message}`);
    return 1;
  }
  console.error(`esre: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return 1;
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        watch: { type: 'boolean', short: 'w' },
        export: { type: 'string' },
        concurrency: { type: 'string' },
        'page-size': { type: 'string' },
        cursor: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    console.error(`esre: ${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    console.log(packageVersion());
    return 0;
  }
  const command = positionals[0];
  if (values.help || command === undefined || command === 'help') {
    console.log(HELP);
    return command === undefined && !values.help ? 2 : 0;
  }
  if (command === 'recalculate') return recalculate(positionals.slice(1), values);
  if (positionals.length > 1 || (command !== 'generate' && command !== 'check')) {
    console.error(`esre: unknown command ${JSON.stringify(positionals.join(' '))}\n\n${HELP}`);
    return 2;
  }
  if (values.watch && command !== 'generate') {
    console.error('esre: --watch goes with generate');
    return 2;
  }
  const options = values.config === undefined ? {} : { config: values.config };

  if (command === 'check') {
    try {
      const result = await check(options);
      for (const warning of result.warnings) console.warn(`warning: ${warning}`);
      if (result.ok) {
        console.log('esre check: generated files are up to date and every rule is implemented');
        return 0;
      }
      console.error(`esre check: ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}`);
      for (const problem of result.problems) console.error(`  ${problem.file}: ${problem.message}`);
      return 1;
    } catch (error) {
      return fail(error);
    }
  }

  if (values.watch) {
    const watcher = await watch({
      ...options,
      onRun: ({ result, error }) => {
        if (result) report(result, undefined);
        else fail(error);
        console.log('esre: watching for changes (Ctrl+C to stop)');
      },
    });
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await watcher.close();
    return 0;
  }

  const started = performance.now();
  try {
    report(await generate(options), started);
    return 0;
  } catch (error) {
    return fail(error);
  }
}

async function recalculate(
  modules: string[],
  values: { export?: string; concurrency?: string; 'page-size'?: string; cursor?: string },
): Promise<number> {
  const count = (name: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value < 1) throw new RecalculateUsageError(`--${name} must be a positive integer, got ${JSON.stringify(text)}`);
    return value;
  };
  if (modules.length !== 1) {
    console.error(`esre: recalculate takes one module\n\n${HELP}`);
    return 2;
  }
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const concurrency = count('concurrency', values.concurrency);
    const pageSize = count('page-size', values['page-size']);
    return await recalculateCommand({
      module: modules[0]!,
      signal: controller.signal,
      ...(values.export === undefined ? {} : { exportName: values.export }),
      ...(concurrency === undefined ? {} : { concurrency }),
      ...(pageSize === undefined ? {} : { pageSize }),
      ...(values.cursor === undefined ? {} : { cursor: values.cursor }),
    });
  } catch (error) {
    if (error instanceof RecalculateUsageError) {
      console.error(`esre: ${error.message}`);
      return 2;
    }
    return fail(error);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

// Source maps on for the rest of the process (the compiler's own modules are loaded already, so
// only the project's compiled modules are mapped): an error one of them raises after its loader
// is done (a timer, a rejection nobody awaits) still names its place in the source.
process.setSourceMapsEnabled(true);
process.exitCode = await main(process.argv.slice(2));
