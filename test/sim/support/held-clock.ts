import type { Clock } from '../../../src/ports/clock.js';

/**
 * A clock whose time moves by hand and whose sleeps last until the test releases them: a request
 * held in latency or a delay fault stays open exactly as long as the test wants, with no real waiting.
 */
export interface HeldClock extends Clock {
  advance(ms: number): void;
  /** Every sleep asked for, in ms, in the order asked (released or not). */
  readonly asked: number[];
  /** Resolves once at least `count` sleeps are waiting. */
  whenSleeping(count: number): Promise<void>;
  /** Ends every sleep waiting now. */
  releaseAll(): void;
}

export function createHeldClock(start = Date.parse('2026-11-25T10:00:00Z')): HeldClock {
  let now = start;
  const asked: number[] = [];
  let waiting: (() => void)[] = [];
  let watchers: { count: number; notify: () => void }[] = [];
  const check = () => {
    const ready = watchers.filter((w) => waiting.length >= w.count);
    watchers = watchers.filter((w) => waiting.length < w.count);
    for (const w of ready) w.notify();
  };
  return {
    now: () => now,
    monotonic: () => now,
    sleep(ms, signal) {
      asked.push(ms);
      return new Promise<void>((resolve) => {
        const wake = () => {
          waiting = waiting.filter((w) => w !== wake);
          resolve();
        };
        waiting.push(wake);
        signal?.addEventListener('abort', wake, { once: true });
        check();
      });
    },
    advance(ms) {
      now += ms;
    },
    asked,
    whenSleeping(count) {
      return new Promise<void>((notify) => {
        watchers.push({ count, notify });
        check();
      });
    },
    releaseAll() {
      for (const wake of [...waiting]) wake();
    },
  };
}
