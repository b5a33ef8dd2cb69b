import type { Clock, Random } from '../ports/clock.js';

/** `base · 2^n`, capped, with ±`spread` jitter so many waiters do not wake together. */
export function backoffMs(
  attempt: number,
  baseMs: number,
  capMs: number,
  random: Random,
  spread = 0.2,
): number {
  const raw = Math.min(capMs, baseMs * 2 ** attempt);
  return Math.round(raw * (1 - spread + 2 * spread * random()));
}

/**
 * Retries `op` while `isRetryable(error)` and the budget lasts; then rethrows the last error.
 * The one retry loop of the code base (ledger calls, after-202 writes, storage hiccups).
 */
export async function retrying<T>(
  op: () => Promise<T>,
  options: {
    isRetryable: (error: unknown) => boolean;
    budgetMs: number;
    clock: Clock;
    random: Random;
    baseMs?: number;
    capMs?: number;
    signal?: AbortSignal;
    onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  },
): Promise<T> {
  const started = options.clock.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await op();
    } catch (error) {
      if (!options.isRetryable(error)) throw error;
      const delay = backoffMs(attempt, options.baseMs ?? 250, options.capMs ?? 15_000, options.random);
      if (options.clock.now() + delay - started > options.budgetMs || options.signal?.aborted) throw error;
      options.onRetry?.(error, attempt, delay);
      await options.clock.sleep(delay, options.signal);
    }
  }
}
