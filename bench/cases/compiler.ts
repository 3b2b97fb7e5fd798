/**
 * The compiler on a generated project of 50 aggregates × 20 inbound events: a cold
 * `generate()` in a fresh process (wall time from spawn to exit, module loading included), then
 * reruns with nothing changed, which must write no file (they answer from `.esre-cache/`), and
 * next to them the floor: a fresh process that only registers tsx. The targets apply to the
 * built package (`dist/`, what an installed `esre` runs, built here first); the same runs from
 * the TypeScript sources under tsx (how this repository runs it) are reported beside them.
 */
import { spawn, spawnSync } from 'node:child_process';
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
/** Runs generate once; its import resolves to `dist/` by default, to the sources under `--conditions=esre-source`. */
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', 'lib', 'generate-once.mjs');
const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** How the child runs the compiler: from the sources under tsx, or the built package. */
type Mode = 'source' | 'built';
const NOOP = join(dirname(fileURLToPath(import.meta.url)), '..', 'lib', 'noop.ts');

interface GenerateCounts {
  readonly written: number;
  readonly unchanged: number;
  readonly stubsCreated: number;
  readonly removed: number;
  readonly cpuSeconds: number;
}

/** Runs generate in a fresh Node process; returns its wall time in seconds and what it reported. */
async function generateInChild(root: string, mode: Mode): Promise<{ seconds: number; counts: GenerateCounts }> {
  const output = join(root, '.bench-result.json');
  const args = mode === 'built' ? [SCRIPT, root, output] : ['--conditions=esre-source', '--import', 'tsx', SCRIPT, root, output];
  const started = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, args, {
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

interface Measured {
  readonly cold: number[];
  readonly coldCpu: number[];
  readonly rerun: number[];
  readonly rerunCpu: number[];
  readonly rerunWritten: number[];
  readonly rerunTouched: number[];
  readonly floor: number[];
  coldCounts?: GenerateCounts;
}

/** Cold runs, each on a new project, then reruns with nothing changed on the first one. */
async function measure(mode: Mode): Promise<Measured> {
  const m: Measured = { cold: [], coldCpu: [], rerun: [], rerunCpu: [], rerunWritten: [], rerunTouched: [], floor: [] };
  const roots: string[] = [];
  try {
    for (let round = 0; round < COLD_ROUNDS; round++) {
      const root = writeGeneratedProject(AGGREGATES, EVENTS);
      roots.push(root);
      const { seconds, counts } = await generateInChild(root, mode);
      if (counts.written === 0) throw new Error('the cold run wrote nothing');
      m.cold.push(seconds);
      m.coldCpu.push(counts.cpuSeconds);
      m.coldCounts = counts;
      progress(`compiler (${mode}) cold round ${round + 1}/${COLD_ROUNDS}: ${seconds.toFixed(2)} s (CPU ${counts.cpuSeconds.toFixed(2)} s), ${counts.written} files written, ${counts.stubsCreated} stubs`);
    }
    const root = roots[0]!;
    for (let round = 0; round < RERUN_ROUNDS; round++) {
      const before = fileStamps(root);
      const { seconds, counts } = await generateInChild(root, mode);
      const after = fileStamps(root);
      const touched = [...after].filter(([path, stamp]) => before.get(path) !== stamp).length + [...before.keys()].filter((path) => !after.has(path)).length;
      m.rerun.push(seconds);
      m.rerunCpu.push(counts.cpuSeconds);
      m.rerunWritten.push(counts.written + counts.stubsCreated + counts.removed);
      m.rerunTouched.push(touched);
      m.floor.push(await floorInChild());
      progress(`compiler (${mode}) rerun ${round + 1}/${RERUN_ROUNDS}: ${seconds.toFixed(2)} s (CPU ${counts.cpuSeconds.toFixed(2)} s), ${counts.written} reported written, ${touched} files changed on disk; floor ${m.floor.at(-1)!.toFixed(2)} s`);
    }
  } finally {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  }
  return m;
}

export default async function compilerBench(): Promise<BenchRow[]> {
  progress('compiler: npm run build (the built package is what an installed esre runs)');
  const build = spawnSync('npm', ['run', 'build'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) throw new Error(`npm run build exited with code ${build.status}`);
  const built = await measure('built');
  const source = await measure('source');
  const rows = (m: Measured, mode: Mode): BenchRow[] => {
    const label = mode === 'built' ? 'built package' : 'from sources under tsx';
    const target = <T>(value: T): T | undefined => (mode === 'built' ? value : undefined);
    const coldMedian = median(m.cold);
    const rerunMedian = median(m.rerun);
    return [
      figureRow({
        benchmark: `compiler (${label}): ${AGGREGATES} aggregates × ${EVENTS} events, cold (fresh process, wall time)`,
        samples: m.cold,
        unit: 's',
        measured: `${m.coldCounts?.written} files + ${m.coldCounts?.stubsCreated} rule stubs; CPU ${median(m.coldCpu).toFixed(1)} s`,
        target: target({ atMost: 2 }),
        details: { coldCounts: m.coldCounts, cpuSeconds: m.coldCpu },
      }),
      figureRow({
        benchmark: `compiler (${label}): rerun with nothing changed (fresh process, wall time)`,
        samples: m.rerun,
        unit: 's',
        measured: `${rerunMedian.toFixed(2)} s; CPU ${median(m.rerunCpu).toFixed(1)} s`,
        baseline: `cold ${coldMedian.toFixed(2)} s (${(rerunMedian / coldMedian).toFixed(2)}×); process floor (node --import tsx, empty module) ${median(m.floor).toFixed(2)} s`,
        target: target({ atMost: 0.5 }),
        details: { cpuSeconds: m.rerunCpu, floorSeconds: m.floor },
      }),
      figureRow({
        benchmark: `compiler (${label}): files written by the rerun (reported, and changed on disk)`,
        samples: m.rerunWritten.map((written, round) => Math.max(written, m.rerunTouched[round]!)),
        unit: 'files',
        measured: `${Math.max(...m.rerunWritten)} reported, ${Math.max(...m.rerunTouched)} changed on disk`,
        target: { exactly: 0 },
      }),
    ];
  };
  return [...rows(built, 'built'), ...rows(source, 'source')];
}
