/** Errors of the schema compiler. Each names what is wrong and where. */

/** One problem in a schema module or the config: the file, the field and what is wrong. */
export interface SchemaProblem {
  /** Path of the file, relative to the project root, with `/` separators. */
  readonly file: string;
  /** Dotted field inside the module's definition, e.g. `inbound.MONEY_DEPOSITED` (`""` for the module). */
  readonly field: string;
  readonly message: string;
}

/** Formats a problem as `file: field: message`. */
export function formatProblem(problem: SchemaProblem): string {
  return `${problem.file}: ${problem.field ? `${problem.field}: ` : ''}${problem.message}`;
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
