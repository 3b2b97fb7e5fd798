import { progress, timeMs } from './time.js';

/** Options of {@link interleaved}. */
export interface InterleavedOptions {
  /** Name for progress lines. */
  readonly name: string;
  /** Rounds; each gives one ratio sample. */
  readonly rounds: number;
  /** Operations of each side per round. */
  readonly perRound: number;
  /** Operations per block: sides alternate block by block within a round (default perRound / 20). */
  readonly block?: number;
  /** Untimed operations of each side before the first round (default perRound / 4). */
  readonly warmup?: number;
  /** The side being measured: one operation. */
  readonly measured: () => unknown;
  /** The baseline: one operation. */
  readonly baseline: () => unknown;
}

/**
 * Times two operations against each other: in each round both run `perRound` times, in
 * alternating blocks (the side going first alternates too), so that both see the same machine
 * load. Returns the mean milliseconds per operation of each side, one value per round.
 */
export async function interleaved(options: InterleavedOptions): Promise<{ measured: number[]; baseline: number[] }> {
  const block = Math.max(1, options.block ?? Math.floor(options.perRound / 20));
  const run = (operation: () => unknown, count: number) =>
    timeMs(async () => {
      for (let i = 0; i < count; i++) await operation();
    });
  const warmup = options.warmup ?? Math.ceil(options.perRound / 4);
  await run(options.measured, warmup);
  await run(options.baseline, warmup);
  const measured: number[] = [];
  const baseline: number[] = [];
  for (let round = 0; round < options.rounds; round++) {
    let measuredMs = 0;
    let baselineMs = 0;
    let count = 0;
    for (let turn = round; count < options.perRound; turn++, count += block) {
      if (turn % 2 === 0) {
        measuredMs += await run(options.measured, block);
        baselineMs += await run(options.baseline, block);
      } else {
        baselineMs += await run(options.baseline, block);
        measuredMs += await run(options.measured, block);
      }
    }
    measured.push(measuredMs / count);
    baseline.push(baselineMs / count);
    progress(
      `${options.name} round ${round + 1}/${options.rounds}: ${measured.at(-1)!.toFixed(4)} ms vs baseline ${baseline.at(-1)!.toFixed(4)} ms`,
    );
  }
  return { measured, baseline };
}
