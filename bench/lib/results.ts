/**
 * `bench/results/latest.json`: every case's rows as last measured, each case with when, on
 * what machine and under what load it ran. A full run rewrites every case; `npm run bench --
 * <case> ... --write` replaces only the named cases, so a file can mix cases measured at
 * different times, and says so case by case.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform, totalmem } from 'node:os';
import type { BenchRow } from './row.js';

/** The machine a case ran on. */
export interface Machine {
  readonly node: string;
  readonly platform: string;
  readonly arch: string;
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryBytes: number;
}

/** One case's rows as last measured, with when, where and under what load. */
export interface CaseResult {
  /** The case's file name under `bench/cases/`, e.g. `processor`. */
  readonly case: string;
  /** When the case started, ISO 8601 (UTC). */
  readonly measuredAt: string;
  readonly machine: Machine;
  /**
   * 1-, 5- and 15-minute load averages when the case started and when it ended: the other work
   * on the machine, which moves absolute figures and widens spreads.
   */
  readonly loadAverage: { readonly start: readonly number[]; readonly end: readonly number[] };
  /** Seconds the case took; null when only the whole run's time was recorded (see `note`). */
  readonly durationSeconds: number | null;
  /** How these figures came to be, when it is not a case run of its own (e.g. converted from an older file). */
  readonly note?: string;
  readonly rows: readonly BenchRow[];
}

/** The whole file. */
export interface BenchResults {
  /** 2: rows grouped by case, each case with its own time, machine and load. */
  readonly format: 2;
  /** The cases measured so far, in table order. */
  readonly cases: readonly CaseResult[];
}

/** The machine this process runs on. */
export function currentMachine(): Machine {
  const cpuList = cpus();
  return {
    node: process.version,
    platform: platform(),
    arch: arch(),
    cpus: cpuList.length,
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    memoryBytes: totalmem(),
  };
}

/** Load averages rounded to two decimals, as recorded. */
export function currentLoad(): number[] {
  return loadavg().map((value) => Math.round(value * 100) / 100);
}

/** Reads a results file; an absent file is an empty one. */
export function readResults(file: string): BenchResults {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { format: 2, cases: [] };
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<BenchResults>;
  if (parsed.format !== 2 || !Array.isArray(parsed.cases)) {
    throw new Error(`${file}: not a bench results file of format 2 (rows grouped by case)`);
  }
  return parsed as BenchResults;
}

/** Writes a results file (two-space JSON, final newline). */
export function writeResults(file: string, results: BenchResults): void {
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
}

/**
 * `previous` with the cases of `fresh` replaced (or added), in `order` (the table order of the
 * case names). Cases absent from `fresh` keep their rows and their own time and machine; a case
 * no longer in `order` is dropped.
 */
export function mergeResults(previous: BenchResults, fresh: readonly CaseResult[], order: readonly string[]): BenchResults {
  const unknown = fresh.filter((result) => !order.includes(result.case)).map((result) => result.case);
  if (unknown.length > 0) throw new Error(`unknown case(s) in fresh results: ${unknown.join(', ')}`);
  const byName = new Map(previous.cases.map((result) => [result.case, result]));
  for (const result of fresh) byName.set(result.case, result);
  return { format: 2, cases: order.flatMap((name) => byName.get(name) ?? []) };
}

/** Every row of the file, in table order. */
export function allRows(results: BenchResults): BenchRow[] {
  return results.cases.flatMap((result) => result.rows);
}
