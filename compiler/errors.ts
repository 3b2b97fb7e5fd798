/** Errors of the schema compiler. Each names what is wrong and where. */

/** One problem in a schema module or the config: the file, the field and what is wrong. */
export interface SchemaProblem {
  /** Path of the file, relative to the project root, with `/` separators. */
  readonly file: string;
  /** Dotted field inside the module's definition, e.g. `inbound.MONEY_DEPOSITED` (`""` for the module). */
  readonly field: string;
  readonly message: string;
  /** Where in `file` (counting from 1), when known: a syntax error, a failed import, a throw while loading. */
  readonly line?: number;
  readonly column?: number;
}

/** Formats a problem as `file: field: message`, or `file:line:column: message` when it has a position. */
export function formatProblem(problem: SchemaProblem): string {
  const where = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}:${problem.column ?? 1}`;
  return `${where}: ${problem.field ? `${problem.field}: ` : ''}${problem.message}`;
}

/** Base class of the compiler's errors. */
export class CompilerError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The config file is missing or invalid. */
export class ConfigError extends CompilerError {}

/** One or more schema modules are invalid; nothing was written. */
export class SchemaError extends CompilerError {
  constructor(readonly problems: readonly SchemaProblem[]) {
    super(
      `${problems.length} problem${problems.length === 1 ? '' : 's'} in schema modules (nothing was written):\n` +
        problems.map((problem) => `  ${formatProblem(problem)}`).join('\n'),
    );
  }
}
