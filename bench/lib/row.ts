/** One line of the benchmark table, as printed and as written to `bench/results/latest.json`. */
export interface BenchRow {
  /** What is measured, e.g. `Processor: 1,000,000 events, simple rules`. */
  readonly benchmark: string;
  /** The median measurement, readable (e.g. `12.3 M events/s`). */
  readonly measured: string;
  /** The median baseline measurement, readable, or `—` when there is none. */
  readonly baseline: string;
  /** Median of the per-round ratios (or the single figure the target is about). */
  readonly ratio: number | null;
  /** Unit of `ratio`: `×` for a ratio, otherwise e.g. `MB`, `s`, `files`, `requests`. */
  readonly unit: string;
  /** Smallest and largest per-round value of `ratio`. */
  readonly spread: { readonly min: number; readonly max: number } | null;
  /** The target, readable, e.g. `≥ 0.7×`; `report` when there is none. */
  readonly target: string;
  /** Whether the target is met; null when the row is only reported. */
  readonly pass: boolean | null;
  /** Per-round values of `ratio`. */
  readonly samples: readonly number[];
  /** Raw figures behind the row (times in ms, counts, bytes). */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** A benchmark case: runs in its own process and returns its rows. */
export type BenchCase = () => Promise<BenchRow[]>;
