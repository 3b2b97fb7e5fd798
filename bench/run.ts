/**
 * `npm run bench`: runs every benchmark case, each in a fresh Node process, prints one table,
 * and records each case's rows, with when, on what machine and under what load it ran, in
 * `bench/results/latest.json` and the "Latest run" section of bench/README.md.
 *
 * `npm run bench -- processor get` runs only the named cases and prints their table;
 * with `--write` it also replaces those cases' rows in `latest.json` (the other cases keep
 * theirs) and regenerates the README's section. A case that fails is never recorded: its
 * previous rows stay.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDynamoDBLocal } from '../test/support/dynamodb-local.js';
import { parseBenchArguments } from './lib/arguments.js';
import { CASES, CASE_NAMES, type CaseEntry } from './lib/case-list.js';
import { DYNAMODB_ENDPOINT_VARIABLE, DYNAMODB_PID_VARIABLE } from './lib/dynamodb.js';
import { markdownTable } from './lib/format.js';
import { LATEST_RESULTS_FILE, refreshBenchReadme } from './lib/latest-files.js';
import { type CaseResult, currentLoad, currentMachine, mergeResults, readResults, writeResults } from './lib/results.js';
import { errorRow } from './lib/rows.js';
import type { BenchRow } from './lib/row.js';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));

/** A shared DynamoDB Local server, for the cases marked `dynamodb`. */
interface SharedServer {
  readonly endpoint: string;
  readonly pid: number;
}

/** Runs one case in a child process (with `--expose-gc`) and returns its rows, or an error row when it failed. */
async function runCase(entry: CaseEntry, server: SharedServer | undefined): Promise<{ rows: BenchRow[]; ok: boolean }> {
  const scratch = mkdtempSync(join(tmpdir(), 'esre-bench-'));
  const output = join(scratch, 'rows.json');
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['--expose-gc', '--conditions=esre-source', '--import', 'tsx', join(BENCH_DIR, 'case.ts'), entry.name, output],
        {
          stdio: ['ignore', 'inherit', 'inherit'],
          cwd: join(BENCH_DIR, '..'),
          env: { ...process.env, [DYNAMODB_ENDPOINT_VARIABLE]: server?.endpoint, [DYNAMODB_PID_VARIABLE]: server ? String(server.pid) : undefined },
        },
      );
      child.once('error', reject);
      child.once('exit', resolve);
    });
    if (code !== 0) return { rows: [errorRow(entry.title, new Error(`the case exited with code ${code}`))], ok: false };
    return { rows: JSON.parse(readFileSync(output, 'utf8')) as BenchRow[], ok: true };
  } catch (error) {
    return { rows: [errorRow(entry.title, error)], ok: false };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

let options;
try {
  options = parseBenchArguments(process.argv.slice(2), CASE_NAMES);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\nusage: npm run bench -- [case ...] [--write]\n`);
  process.exit(2);
}
const chosen = CASES.filter((entry) => options.cases.includes(entry.name));
const started = Date.now();
const loadBefore = loadavg();
const machine = currentMachine();
const rows: BenchRow[] = [];
const measured: CaseResult[] = [];
const failed: string[] = [];
// One DynamoDB Local server for the cases marked `dynamodb`; each case makes its own table.
const server = chosen.some((entry) => entry.dynamodb) ? await startDynamoDBLocal() : undefined;
try {
  for (const entry of chosen) {
    process.stderr.write(`${entry.name}…\n`);
    const measuredAt = new Date().toISOString();
    const loadStart = currentLoad();
    const caseStart = Date.now();
    const result = await runCase(entry, entry.dynamodb ? server : undefined);
    const durationSeconds = Math.round((Date.now() - caseStart) / 1000);
    rows.push(...result.rows);
    if (result.ok) {
      measured.push({ case: entry.name, measuredAt, machine, loadAverage: { start: loadStart, end: currentLoad() }, durationSeconds, rows: result.rows });
    } else {
      failed.push(entry.name);
    }
    process.stderr.write(`${entry.name}: ${((Date.now() - caseStart) / 1000).toFixed(1)} s\n`);
    // Stop the shared server once no case left needs it, so it idles through none of the later cases.
    if (!chosen.slice(chosen.indexOf(entry) + 1).some((later) => later.dynamodb)) await server?.stop();
  }
} finally {
  await server?.stop();
}
process.stdout.write(`\n${markdownTable(rows)}\n\n`);
const below = rows.filter((row) => row.pass === false).length;
process.stdout.write(
  `${rows.length} rows, ${below} below target, ${((Date.now() - started) / 1000).toFixed(0)} s; ` +
    `load average ${loadBefore[0]!.toFixed(1)} at start, ${loadavg()[0]!.toFixed(1)} at end on ${cpus().length} CPUs\n`,
);
if (options.write) {
  mkdirSync(dirname(LATEST_RESULTS_FILE), { recursive: true });
  const results = mergeResults(readResults(LATEST_RESULTS_FILE), measured, CASE_NAMES);
  writeResults(LATEST_RESULTS_FILE, results);
  refreshBenchReadme(results);
  if (measured.length > 0) {
    process.stdout.write(`written to bench/results/latest.json and bench/README.md: ${measured.map((result) => result.case).join(', ')}\n`);
  }
  if (failed.length > 0) process.stdout.write(`not written (the case failed; its previous rows stay): ${failed.join(', ')}\n`);
}
