/** Where the latest results and the README that shows them live, and how the README follows the file. */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CASE_NAMES } from './case-list.js';
import { withLatestRun } from './latest-run.js';
import type { BenchResults } from './results.js';

const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

/** `bench/results/latest.json`. */
export const LATEST_RESULTS_FILE = join(BENCH_DIR, 'results', 'latest.json');

/** `bench/README.md`. */
export const BENCH_README_FILE = join(BENCH_DIR, 'README.md');

/** Rewrites bench/README.md's "Latest run" section from `results`; returns whether it changed. */
export function refreshBenchReadme(results: BenchResults): boolean {
  const before = readFileSync(BENCH_README_FILE, 'utf8');
  const after = withLatestRun(before, results, CASE_NAMES);
  if (after !== before) writeFileSync(BENCH_README_FILE, after);
  return after !== before;
}
