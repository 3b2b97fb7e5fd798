/**
 * `npm run bench`: runs every benchmark case, each in a fresh Node process, prints one table
 * and writes it to `bench/results/latest.json`.
 *
 * `npm run bench -- processor get` runs only the named cases and prints their table without
 * touching `latest.json`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { arch, cpus, loadavg, platform, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDynamoDBLocal } from '../test/support/dynamodb-local.js';
import { DYNAMODB_ENDPOINT_VARIABLE } from './lib/dynamodb.js';
import { markdownTable } from './lib/format.js';
import { errorRow } from './lib/rows.js';
import type { BenchRow } from './lib/row.js';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));

/** Every case, in table order: file name under `bench/cases/` and a title for errors. */
const CASES: readonly { name: string; title: string; dynamodb?: boolean }[] = [
  { name: 'processor', title: 'Processor: 1,000,000 events' },
  { name: 'dynamodb-append', title: 'append on DynamoDB Local', dynamodb: true },
  { name: 'get', title: 'get() of an aggregate with 10,000 events', dynamodb: true },
  { name: 'recalculate-memory', title: 'recalculate of 100,000 events, memory store' },
  { name: 'recalculate-upcast-memory', title: 'recalculate of 100,000 version-1 events under version 2, memory store' },
  // Its own server (started by the case): a fresh JVM writes the 100,000 events several times faster.
  { name: 'recalculate-dynamodb', title: 'recalculate of 100,000 events, DynamoDB Local' },
  { name: 'validation', title: 'append with zod validation' },
  { name: 'compiler', title: 'compiler: 50 aggregates × 20 events' },
  { name: 'stores', title: 'SQLite and IndexedDB append' },
  { name: 'aggregate-bundle', title: 'browser bundle of one aggregate: zod/mini vs zod' },
  { name: 'browser-example', title: 'browser example: bundle size and time to open in Chromium' },
  { name: 'http-bundle', title: 'HTTP handler Lambda bundle size' },
  { name: 'hot-aggregate', title: 'hot aggregate: 8 writers with group commit vs 1 writer', dynamodb: true },
  { name: 'recalculate-all', title: 'recalculateAll of 1,000 aggregates × 100 events, DynamoDB Local', dynamodb: true },
];

/** Runs one case in a child process (with `--expose-gc`) and returns its rows. */
async function runCase(name: string, title: string, dynamodbEndpoint: string | undefined): Promise<BenchRow[]> {
  const scratch = mkdtempSync(join(tmpdir(), 'esre-bench-'));
  const output = join(scratch, 'rows.json');
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['--expose-gc', '--conditions=esre-source', '--import', 'tsx', join(BENCH_DIR, 'case.ts'), name, output],
        {
          stdio: ['ignore', 'inherit', 'inherit'],
          cwd: join(BENCH_DIR, '..'),
          env: { ...process.env, [DYNAMODB_ENDPOINT_VARIABLE]: dynamodbEndpoint },
        },
      );
      child.once('error', reject);
      child.once('exit', resolve);
    });
    if (code !== 0) return [errorRow(title, new Error(`the case exited with code ${code}`))];
    return JSON.parse(readFileSync(output, 'utf8')) as BenchRow[];
  } catch (error) {
    return [errorRow(title, error)];
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

const selected = process.argv.slice(2);
const unknown = selected.filter((name) => !CASES.some((entry) => entry.name === name));
if (unknown.length > 0) {
  process.stderr.write(`unknown case(s): ${unknown.join(', ')}; known: ${CASES.map((entry) => entry.name).join(', ')}\n`);
  process.exit(2);
}
const chosen = selected.length === 0 ? CASES : CASES.filter((entry) => selected.includes(entry.name));
const started = Date.now();
const loadBefore = loadavg();
const rows: BenchRow[] = [];
// One DynamoDB Local server for every case that needs it; each case makes its own table.
const server = chosen.some((entry) => entry.dynamodb) ? await startDynamoDBLocal() : undefined;
try {
  for (const entry of chosen) {
    process.stderr.write(`${entry.name}…\n`);
    const caseStart = Date.now();
    rows.push(...(await runCase(entry.name, entry.title, entry.dynamodb ? server?.endpoint : undefined)));
    process.stderr.write(`${entry.name}: ${((Date.now() - caseStart) / 1000).toFixed(1)} s\n`);
  }
} finally {
  await server?.stop();
}
const table = markdownTable(rows);
process.stdout.write(`\n${table}\n\n`);
const failed = rows.filter((row) => row.pass === false).length;
process.stdout.write(
  `${rows.length} rows, ${failed} below target, ${((Date.now() - started) / 1000).toFixed(0)} s; ` +
    `load average ${loadBefore[0]!.toFixed(1)} at start, ${loadavg()[0]!.toFixed(1)} at end on ${cpus().length} CPUs\n`,
);
if (selected.length === 0) {
  const cpuList = cpus();
  const result = {
    timestamp: new Date().toISOString(),
    machine: {
      node: process.version,
      platform: platform(),
      arch: arch(),
      cpus: cpuList.length,
      cpuModel: cpuList[0]?.model ?? 'unknown',
      memoryBytes: totalmem(),
      /** 1-, 5- and 15-minute load averages when the run started and ended: other work on the machine. */
      loadAverage: { start: loadBefore, end: loadavg() },
    },
    durationSeconds: Math.round((Date.now() - started) / 1000),
    rows,
    table,
  };
  mkdirSync(join(BENCH_DIR, 'results'), { recursive: true });
  writeFileSync(join(BENCH_DIR, 'results', 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write('written to bench/results/latest.json\n');
}
