/** Wall-clock time of `action` in milliseconds (high resolution). */
export async function timeMs(action: () => unknown): Promise<number> {
  const start = process.hrtime.bigint();
  await action();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Synchronous variant of {@link timeMs}. */
export function timeSyncMs(action: () => unknown): number {
  const start = process.hrtime.bigint();
  action();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Runs the garbage collector when node was started with `--expose-gc`. */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
}

/** Writes a progress line to stderr (stdout stays clean for the table). */
export function progress(message: string): void {
  process.stderr.write(`  ${message}\n`);
}
