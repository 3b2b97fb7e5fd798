/** The command line of `npm run bench -- [case ...] [--write]`. */

/** What to run and whether to record it. */
export interface BenchArguments {
  /** The cases to run, in table order (every case when none was named). */
  readonly cases: readonly string[];
  /** Whether to record the cases' rows in `latest.json` and the README: always for a full run, with `--write` for named cases. */
  readonly write: boolean;
}

/** Parses the arguments against the known case names (in table order); throws a usage error naming what is wrong. */
export function parseBenchArguments(argv: readonly string[], known: readonly string[]): BenchArguments {
  const flags = argv.filter((argument) => argument.startsWith('-'));
  const names = argv.filter((argument) => !argument.startsWith('-'));
  const unknownFlags = flags.filter((flag) => flag !== '--write');
  if (unknownFlags.length > 0) throw new Error(`unknown option(s): ${unknownFlags.join(', ')}; known: --write`);
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0) throw new Error(`unknown case(s): ${unknown.join(', ')}; known: ${known.join(', ')}`);
  if (names.length === 0) return { cases: [...known], write: true };
  return { cases: known.filter((name) => names.includes(name)), write: flags.includes('--write') };
}
