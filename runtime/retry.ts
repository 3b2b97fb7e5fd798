/** How `append` retries a {@link ConcurrencyError}. */
export interface RetryOptions {
  /** Total attempts including the first (default 10). */
  readonly attempts?: number;
  /** Delay before the first retry, in ms (default 5). Doubles each retry. */
  readonly baseDelayMs?: number;
  /** Upper bound of one delay, in ms (default 500). */
  readonly maxDelayMs?: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = { attempts: 10, baseDelayMs: 5, maxDelayMs: 500 };

/** "Full jitter": a random delay between 0 and the capped exponential bound. */
export function backoffDelay(retry: Required<RetryOptions>, attempt: number): number {
  const bound = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** attempt);
  return Math.random() * bound;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
