/**
 * The "Latest run" section of bench/README.md, generated from `bench/results/latest.json`:
 * every row with the time its case ran, then where and under what load each case ran. The
 * section sits between two markers; {@link withLatestRun} replaces what is between them, and
 * `test/bench-results.test.ts` checks that the README holds exactly what the file gives.
 */
import { COLUMNS, markdownGrid, rowCells } from './format.js';
import type { BenchResults, CaseResult } from './results.js';

/** The line that opens the generated section. */
export const LATEST_RUN_BEGIN =
  '<!-- latest-run: generated from bench/results/latest.json by `npm run bench:readme` (and by `npm run bench -- --write`); do not edit by hand -->';
/** The line that closes it. */
export const LATEST_RUN_END = '<!-- /latest-run -->';

/** `2026-11-30T09:10:11.123Z` → `2026-11-30 09:10`. */
function minute(iso: string): string {
  return iso.slice(0, 16).replace('T', ' ');
}

/** `2 × AMD EPYC, 23.5 GB`. */
function machineText(result: CaseResult): string {
  const { cpus, cpuModel, memoryBytes } = result.machine;
  return `${cpus} × ${cpuModel}, ${(memoryBytes / 1e9).toFixed(1)} GB`;
}

/** 1-minute load averages at start and end: `0.46 → 1.20`. */
function loadText(result: CaseResult): string {
  const [start] = result.loadAverage.start;
  const [end] = result.loadAverage.end;
  return `${start?.toFixed(2) ?? '?'} → ${end?.toFixed(2) ?? '?'}`;
}

/**
 * The section's Markdown (without the markers): the rows table with the time each row's case
 * ran, the table of cases, the notes of cases that have one (one line per distinct note), and the cases of `order` that the
 * file does not hold yet.
 */
export function latestRunMarkdown(results: BenchResults, order: readonly string[]): string {
  const rows = markdownGrid(
    [...COLUMNS, 'measured at (UTC)'],
    results.cases.flatMap((result) => result.rows.map((row) => [...rowCells(row), minute(result.measuredAt)])),
  );
  const cases = markdownGrid(
    ['case', 'measured at (UTC)', 'time', 'Node', 'machine', 'load average (1 min), start → end'],
    results.cases.map((result) => [
      `\`${result.case}\``,
      minute(result.measuredAt),
      result.durationSeconds === null ? '—' : `${result.durationSeconds} s`,
      result.machine.node,
      machineText(result),
      loadText(result),
    ]),
  );
  // Cases converted together share one note: say it once, naming them all.
  const noted = new Map<string, string[]>();
  for (const result of results.cases) if (result.note) noted.set(result.note, [...(noted.get(result.note) ?? []), result.case]);
  const notes = [...noted].map(([note, names]) => `- ${names.map((name) => `\`${name}\``).join(', ')}: ${note}.`);
  const measured = new Set(results.cases.map((result) => result.case));
  const missing = order.filter((name) => !measured.has(name));
  return [
    '**Latest run** (`bench/results/latest.json`): each case\'s rows as last measured, with the time its case ran; ' +
      'the second table says on what machine and under what load each case ran.',
    '',
    rows,
    '',
    cases,
    ...(notes.length > 0 ? ['', ...notes] : []),
    ...(missing.length > 0 ? ['', `Not in the file yet: ${missing.map((name) => `\`${name}\``).join(', ')}.`] : []),
  ].join('\n');
}

/** The section with its markers, as it stands in the README. */
export function latestRunSection(results: BenchResults, order: readonly string[]): string {
  return `${LATEST_RUN_BEGIN}\n${latestRunMarkdown(results, order)}\n${LATEST_RUN_END}`;
}

/** The generated section currently in `readme` (with its markers); throws when the markers are missing. */
export function currentLatestRun(readme: string): string {
  const begin = readme.indexOf(LATEST_RUN_BEGIN);
  const end = readme.indexOf(LATEST_RUN_END, begin);
  if (begin < 0 || end < 0) throw new Error(`bench/README.md has no "${LATEST_RUN_BEGIN}" … "${LATEST_RUN_END}" section`);
  return readme.slice(begin, end + LATEST_RUN_END.length);
}

/** `readme` with its generated section replaced by the one `results` gives. */
export function withLatestRun(readme: string, results: BenchResults, order: readonly string[]): string {
  return readme.replace(currentLatestRun(readme), () => latestRunSection(results, order));
}
