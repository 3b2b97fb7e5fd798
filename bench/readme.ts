/**
 * `npm run bench:readme`: rewrites the "Latest run" section of bench/README.md from
 * `bench/results/latest.json` (`npm run bench -- --write` does it too). Runs no benchmark.
 */
import { LATEST_RESULTS_FILE, refreshBenchReadme } from './lib/latest-files.js';
import { readResults } from './lib/results.js';

const changed = refreshBenchReadme(readResults(LATEST_RESULTS_FILE));
process.stdout.write(changed ? 'bench/README.md: "Latest run" rewritten from bench/results/latest.json\n' : 'bench/README.md: "Latest run" already matches bench/results/latest.json\n');
