import type { Clock, Ids, Random } from '../../src/ports/clock.js';

/**
 * Virtual time: `sleep` advances the clock and resolves at once, so backoffs and leases can be tested
 * without waiting. `advance` moves time forward explicitly (e.g. to expire a lease).
 */
export interface ManualClock extends Clock {
  advance(ms: number): void;
  /** Total virtual time slept, for asserting "it backed off" without timing. */
  slept: number[];
}

export function createManualClock(start = Date.parse('2026-11-25T10:00:00Z')): ManualClock {
  let now = start;
  const slept: number[] = [];
  return {
    now: () => now,
    monotonic: () => now,
    sleep: (ms, signal) => {
      if (signal?.aborted) return Promise.resolve();
      slept.push(ms);
      now += ms;
      return Promise.resolve();
    },
    advance: (ms) => {
      now += ms;
    },
    slept,
  };
}

export function sequentialIds(prefix = '00000000-0000-4000-8000-'): Ids {
  let n = 0;
  return { uuid: () => `${prefix}${String(++n).padStart(12, '0')}` };
}

/** A fixed "random" so jitter is deterministic. */
export const fixedRandom =
  (value = 0.5): Random =>
  () =>
    value;
