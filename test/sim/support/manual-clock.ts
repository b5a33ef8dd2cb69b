import type { Clock } from '../../../src/ports/clock.js';

/** A clock the test moves by hand, so transport delays and token lifetimes pass without waiting. */
export interface ManualClock extends Clock {
  advance(ms: number): void;
}

export function createManualClock(start = Date.now()): ManualClock {
  let now = start;
  return {
    now: () => now,
    monotonic: () => now,
    sleep: () => Promise.resolve(),
    advance(ms) {
      now += ms;
    },
  };
}
