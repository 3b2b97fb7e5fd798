/**
 * The compiler on a generated project of 50 aggregates × 20 inbound events: a cold
 * `generate()` in a fresh process (wall time from spawn to exit, module loading included), then
 * reruns with nothing changed, which must write no file (they answer from `.esre-cache/`), and
 * next to them the floor: a fresh process that only registers tsx.
 */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeGeneratedProject } from '../lib/generated-project.js';
import { figureRow } from '../lib/rows.js';
import { median } from '../lib/stats.js';
import type { BenchRow } from '../lib/row.js';
import { progress } from '../lib/time.js';

const AGGREGATES = 50;
const EVENTS = 20;
const COLD_ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const RERUN_ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', 'lib', 'generate-once.ts');
const NOOP = join(dirname(fileURLToPath(import.meta.url)), '..', 'lib', 'noop.ts');

interface GenerateCounts {
  readonly written: number;
  readonly unchanged: number;
  readonly stubsCreated: number;
  readonly removed: number;
  readonly cpuSeconds: number;
}

/** Runs generate in a fresh Node process; returns its wall time in seconds and what it reported. */
async function generateInChild(root: string): Promise<{ seconds: number; counts: GenerateCounts }> {
  const output = join(root, '.bench-result.json');
  const started = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=esre-source', '--import', 'tsx', SCRIPT, root, output], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`generate exited with code ${code}`))));
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const counts = JSON.parse(readFileSync(output, 'utf8')) as GenerateCounts;
  rmSync(output);
  return { seconds, counts };
}

/** Wall time of a fresh process that registers tsx and loads an empty module: the floor of every row. */
async function floorInChild(): Promise<number> {
  const started = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=esre-source', '--import', 'tsx', NOOP], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`noop exited with code ${code}`))));
  });
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** Modification time and size of every file under `folder` (node_modules left out). */
function fileStamps(folder: string, stamps = new Map<string, string>()): Map<string, string> {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const path = join(folder, entry.name);
    if (entry.isDirectory()) fileStamps(path, stamps);
    else if (entry.isFile()) {
      const stat = statSync(path);
      stamps.set(path, `${stat.mtimeMs}:${stat.ino}:${stat.size}`);
    }
  }
  return stamps;
}

export default async function compilerBench(): Promise<BenchRow[]> {
  const cold: number[] = [];
  const coldCpu: number[] = [];
  const rerunCpu: number[] = [];
  const rerun: number[] = [];
  const rerunWritten: number[] = [];
  const rerunTouched: number[] = [];
  const floor: number[] = [];
  let coldCounts: GenerateCounts | undefined;
  const roots: string[] = [];
  try {
    for (let round = 0; round < COLD_ROUNDS; round++) {
      const root = writeGeneratedProject(AGGREGATES, EVENTS);
      roots.push(root);
      const { seconds, counts } = await generateInChild(root);
      if (counts.written === 0) throw new Error('the cold run wrote nothing');
      cold.push(seconds);
      coldCpu.push(counts.cpuSeconds);
      coldCounts = counts;
      progress(`compiler cold round ${round + 1}/${COLD_ROUNDS}: ${seconds.toFixed(2)} s (CPU ${counts.cpuSeconds.toFixed(2)} s), ${counts.written} files written, ${counts.stubsCreated} stubs`);
    }
    const root = roots[0]!;
    for (let round = 0; round < RERUN_ROUNDS; round++) {
      const before = fileStamps(root);
      const { seconds, counts } = await generateInChild(root);
      const after = fileStamps(root);
      const touched = [...after].filter(([path, stamp]) => before.get(path) !== stamp).length + [...before.keys()].filter((path) => !after.has(path)).length;
      rerun.push(seconds);
      rerunCpu.push(counts.cpuSeconds);
      rerunWritten.push(counts.written + counts.stubsCreated + counts.removed);
      rerunTouched.push(touched);
      floor.push(await floorInChild());
      progress(`compiler rerun ${round + 1}/${RERUN_ROUNDS}: ${seconds.toFixed(2)} s (CPU ${counts.cpuSeconds.toFixed(2)} s), ${counts.written} reported written, ${touched} files changed on disk; floor ${floor[floor.length - 1]!.toFixed(2)} s`);
    }
  } finally {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  }
  const coldMedian = median(cold);
  const rerunMedian = median(rerun);
  return [
    figureRow({
      benchmark: `compiler: ${AGGREGATES} aggregates × ${EVENTS} events, cold (fresh process, wall time)`,
      samples: cold,
      unit: 's',
      measured: `${coldCounts?.written} files + ${coldCounts?.stubsCreated} rule stubs; CPU ${median(coldCpu).toFixed(1)} s`,
      target: { atMost: 2 },
      details: { coldCounts, cpuSeconds: coldCpu },
    }),
    figureRow({
      benchmark: 'compiler: rerun with nothing changed (fresh process, wall time)',
      samples: rerun,
      unit: 's',
      measured: `${rerunMedian.toFixed(2)} s; CPU ${median(rerunCpu).toFixed(1)} s`,
      baseline: `cold ${coldMedian.toFixed(2)} s (${(rerunMedian / coldMedian).toFixed(2)}×); process floor (node --import tsx, empty module) ${median(floor).toFixed(2)} s`,
      target: { atMost: 0.5 },
      details: { cpuSeconds: rerunCpu, floorSeconds: floor },
    }),
    figureRow({
      benchmark: 'compiler: files written by the rerun (reported, and changed on disk)',
      samples: rerunWritten.map((written, round) => Math.max(written, rerunTouched[round]!)),
      unit: 'files',
      measured: `${Math.max(...rerunWritten)} reported, ${Math.max(...rerunTouched)} changed on disk`,
      target: { exactly: 0 },
    }),
  ];
}
