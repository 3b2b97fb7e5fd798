/**
 * How `append` retries a {@link ConcurrencyError} (a commit of another process that won the
 * race; appends through one `Aggregate` object never race each other). The defaults let
 * several processes share one hot aggregate without giving up: a loser sleeps a random time up
 * to the bound, which doubles from `baseDelayMs` to `maxDelayMs`.
 */
export interface RetryOptions {
  /** Total attempts including the first (default 40). */
  readonly attempts?: number;
  /** Delay bound before the first retry, in ms (default 5). Doubles each retry. */
  readonly baseDelayMs?: number;
  /** Upper bound of one delay, in ms (default 250). */
  readonly maxDelayMs?: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = { attempts: 40, baseDelayMs: 5, maxDelayMs: 250 };

/** "Full jitter": a random delay between 0 and the capped exponential bound. */
export function backoffDelay(retry: Required<RetryOptions>, attempt: number): number {
  const bound = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** attempt);
  return Math.random() * bound;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
