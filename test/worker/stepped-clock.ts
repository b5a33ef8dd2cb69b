import type { Clock } from '../../src/ports/clock.js';

/**
 * A clock that only moves when the test says so. `advance` fires due sleepers in time order and lets the
 * code under test run to its next wait between them, so a test walks through minutes of retries,
 * renewals and back-offs of many concurrent tasks without real waiting. (test/fakes/clock.ts's clock,
 * where each sleep moves time at once, suits one sequential caller, not a worker's concurrent timers.)
 */
export interface SteppedClock extends Clock {
  advance(ms: number): Promise<void>;
  /** Lets pending promise callbacks and immediates run, without moving time. */
  settle(): Promise<void>;
  /** Sleepers not yet due. */
  pendingSleeps(): number;
}

interface Sleeper {
  due: number;
  seq: number;
  resolve: () => void;
}

const turn = (): Promise<void> =>
  new Promise((resolve) => {
    setImmediate(resolve);
  });

export function createSteppedClock(start = Date.UTC(2026, 10, 25, 9, 0, 0)): SteppedClock {
  let now = start;
  let seq = 0;
  const sleepers = new Set<Sleeper>();

  const settle = async (): Promise<void> => {
    for (let i = 0; i < 5; i++) await turn();
  };

  return {
    now: () => now,
    monotonic: () => now,
    // As the port says: resolves after `ms`, or early and without throwing when the signal aborts.
    sleep(ms, signal) {
      return new Promise<void>((resolve) => {
        if (signal?.aborted) {
          resolve();
          return;
        }
        const sleeper: Sleeper = {
          due: now + Math.max(0, ms),
          seq: seq++,
          resolve: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        const onAbort = (): void => {
          sleepers.delete(sleeper);
          resolve();
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        sleepers.add(sleeper);
      });
    },
    async advance(ms) {
      const target = now + ms;
      for (;;) {
        await settle();
        let next: Sleeper | undefined;
        for (const s of sleepers) {
          if (s.due <= target && (!next || s.due < next.due || (s.due === next.due && s.seq < next.seq)))
            next = s;
        }
        if (!next) break;
        sleepers.delete(next);
        now = Math.max(now, next.due);
        next.resolve();
      }
      now = target;
      await settle();
    },
    settle,
    pendingSleeps: () => sleepers.size,
  };
}
