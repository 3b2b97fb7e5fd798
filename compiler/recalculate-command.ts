/**
 * `esre recalculate <module>`: runs `recalculateAll` of an aggregate that a module of the
 * user's project exports, already wired to its store, with a progress line. Ctrl+C stops it
 * cleanly and prints the command that resumes it.
 */
import path from 'node:path';
import { ModuleLoader } from './loader.js';

/** What the command needs of the exported object: a generated aggregate class or the runtime `Aggregate`. */
interface Recalculable {
  recalculateAll(options: {
    concurrency?: number;
    pageSize?: number;
    cursor?: string;
    signal?: AbortSignal;
    onProgress?: (progress: { recalculated: number; aggregateId: string; cursor?: string }) => void;
  }): Promise<{ recalculated: number; aborted: boolean; cursor?: string }>;
  readonly type?: string;
  readonly aggregate?: { readonly type?: string };
}

/** Options of {@link recalculateCommand}, from the command line. */
export interface RecalculateCommandOptions {
  readonly module: string;
  /** The export holding the aggregate (default `aggregate`, then the default export). */
  readonly exportName?: string;
  readonly concurrency?: number;
  readonly pageSize?: number;
  readonly cursor?: string;
  /** Where progress lines go (default: stderr). */
  readonly progress?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Stops the run (the CLI aborts it on SIGINT/SIGTERM). */
  readonly signal?: AbortSignal;
}

/** Thrown for a module that does not export an aggregate; the CLI prints it and exits 1. */
export class RecalculateUsageError extends Error {}

/** Loads the module, runs `recalculateAll`, and returns the exit code (0 done, 1 failed, 130 stopped). */
export async function recalculateCommand(options: RecalculateCommandOptions): Promise<number> {
  const out = options.progress ?? process.stderr;
  const file = path.resolve(options.module);
  const loader = await ModuleLoader.create();
  let exports: Record<string, unknown>;
  try {
    exports = await loader.import(file);
  } finally {
    await loader.dispose();
  }
  const name = options.exportName ?? ('aggregate' in exports ? 'aggregate' : 'default');
  const target = exports[name] as Recalculable | undefined;
  if (!target || typeof target.recalculateAll !== 'function') {
    throw new RecalculateUsageError(
      `${options.module} has no export ${JSON.stringify(name)} with a recalculateAll method ` +
        '(export the generated aggregate class instance, or an Aggregate, wired to its store)',
    );
  }
  const type = target.type ?? target.aggregate?.type ?? name;
  const started = performance.now();
  let lastLine = 0;
  let line = '';
  const show = (text: string, final: boolean) => {
    if (out.isTTY) out.write(`\r${text}${' '.repeat(Math.max(0, line.length - text.length))}${final ? '\n' : ''}`);
    else if (final || performance.now() - lastLine >= 1000) {
      out.write(`${text}\n`);
      lastLine = performance.now();
    }
    line = text;
  };
  const describe = (count: number, cursor: string | undefined) => {
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? Math.round(count / seconds) : 0;
    return `esre recalculate: ${type}: ${count} recalculated (${rate}/s)${cursor === undefined ? '' : `, resume cursor ${JSON.stringify(cursor)}`}`;
  };
  try {
    const result = await target.recalculateAll({
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
      ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
      ...(options.cursor === undefined ? {} : { cursor: options.cursor }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      onProgress: (progress) => show(describe(progress.recalculated, progress.cursor), false),
    });
    if (result.aborted) {
      show(describe(result.recalculated, result.cursor), true);
      const resume = result.cursor === undefined ? '' : ` --cursor ${shellQuote(result.cursor)}`;
      out.write(`esre recalculate: stopped; to go on: esre recalculate ${shellQuote(options.module)}${resume}\n`);
      return 130;
    }
    show(describe(result.recalculated, undefined), true);
    console.log(`esre recalculate: ${type}: ${result.recalculated} aggregates recalculated in ${((performance.now() - started) / 1000).toFixed(2)} s`);
    return 0;
  } catch (error) {
    const cursor = (error as { cursor?: unknown }).cursor;
    out.write(`\nesre recalculate: ${error instanceof Error ? error.message : String(error)}\n`);
    if (typeof cursor === 'string') out.write(`esre recalculate: to go on: esre recalculate ${shellQuote(options.module)} --cursor ${shellQuote(cursor)}\n`);
    return 1;
  }
}

function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
