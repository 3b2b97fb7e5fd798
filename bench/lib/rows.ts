import { median, range } from './stats.js';
import type { BenchRow } from './row.js';

/** A target on a row's figure. */
export interface Target {
  readonly atLeast?: number;
  readonly atMost?: number;
  /** Strictly below (e.g. `RSS growth < 50 MB`). */
  readonly below?: number;
  /** Exactly this value (e.g. requests per append). */
  readonly exactly?: number;
}

/** Readable target, e.g. `≥ 0.7×`, `≤ 1.15×`, `< 50 MB`; `report` when there is none. */
export function targetText(target: Target | undefined, unit: string): string {
  if (!target) return 'report';
  const suffix = unit === '×' ? '×' : ` ${unit === 'requests' || unit === 'files' ? unit.replace(/s$/, '(s)') : unit}`;
  if (target.atLeast !== undefined) return `≥ ${target.atLeast}${suffix}`;
  if (target.atMost !== undefined) return `≤ ${target.atMost}${suffix}`;
  if (target.below !== undefined) return `< ${target.below}${suffix}`;
  if (target.exactly !== undefined) return `= ${target.exactly}${suffix}`;
  return 'report';
}

/** Whether `value` meets `target` (null when there is no target). */
export function meets(target: Target | undefined, value: number): boolean | null {
  if (!target) return null;
  if (target.atLeast !== undefined && !(value >= target.atLeast)) return false;
  if (target.atMost !== undefined && !(value <= target.atMost)) return false;
  if (target.below !== undefined && !(value < target.below)) return false;
  if (target.exactly !== undefined && value !== target.exactly) return false;
  return true;
}

/** Options of {@link pairedRow}. */
export interface PairedRowOptions {
  readonly benchmark: string;
  /** One measurement per round (same unit as `baseline`). */
  readonly measured: readonly number[];
  /** One baseline measurement per round, taken in the same round. */
  readonly baseline: readonly number[];
  /** Formats a measurement for the table. */
  readonly show: (value: number) => string;
  readonly target?: Target;
  readonly details?: Record<string, unknown>;
}

/** A row whose figure is the median over rounds of `measured / baseline` (a ratio, `×`). */
export function pairedRow(options: PairedRowOptions): BenchRow {
  const { measured, baseline } = options;
  if (measured.length === 0 || measured.length !== baseline.length) {
    throw new RangeError(`${options.benchmark}: need as many baseline as measured rounds, at least one`);
  }
  const samples = measured.map((value, round) => value / baseline[round]!);
  const ratio = median(samples);
  return {
    benchmark: options.benchmark,
    measured: options.show(median(measured)),
    baseline: options.show(median(baseline)),
    ratio,
    unit: '×',
    spread: range(samples),
    target: targetText(options.target, '×'),
    pass: meets(options.target, ratio),
    samples,
    details: { ...options.details, measured: [...measured], baseline: [...baseline] },
  };
}

/** Options of {@link figureRow}. */
export interface FigureRowOptions {
  readonly benchmark: string;
  /** One value of the figure per round, in `unit`. */
  readonly samples: readonly number[];
  readonly unit: string;
  readonly measured: string;
  readonly baseline?: string;
  readonly target?: Target;
  readonly details?: Record<string, unknown>;
}

/** A row whose figure is an absolute value in `unit` (MB, s, files, requests), median over rounds. */
export function figureRow(options: FigureRowOptions): BenchRow {
  if (options.samples.length === 0) throw new RangeError(`${options.benchmark}: no samples`);
  const value = median(options.samples);
  return {
    benchmark: options.benchmark,
    measured: options.measured,
    baseline: options.baseline ?? '—',
    ratio: value,
    unit: options.unit,
    spread: range(options.samples),
    target: targetText(options.target, options.unit),
    pass: meets(options.target, value),
    samples: [...options.samples],
    ...(options.details ? { details: options.details } : {}),
  };
}

/** A failed case: its error becomes a failing row so the table still prints. */
export function errorRow(benchmark: string, error: unknown): BenchRow {
  const message = error instanceof Error ? error.message : String(error);
  return {
    benchmark,
    measured: `error: ${message.split('\n')[0]}`,
    baseline: '—',
    ratio: null,
    unit: '×',
    spread: null,
    target: '—',
    pass: false,
    samples: [],
    details: { error: message },
  };
}
