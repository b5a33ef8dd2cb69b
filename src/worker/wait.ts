import type { Clock } from '../ports/clock.js';

/**
 * Waits `ms` on the clock, or less if any signal aborts. Never rejects, whatever the clock does with an
 * aborted sleep, so callers need no try/catch around a wait.
 */
export function waitFor(clock: Clock, ms: number, ...signals: AbortSignal[]): Promise<void> {
  if (signals.some((s) => s.aborted)) return Promise.resolve();
  const timer = new AbortController();
  return new Promise<void>((resolve) => {
    const done = (): void => {
      for (const s of signals) s.removeEventListener('abort', done);
      timer.abort();
      resolve();
    };
    for (const s of signals) s.addEventListener('abort', done, { once: true });
    void clock.sleep(ms, timer.signal).then(done, done);
  });
}

/** Resolves when any of the signals aborts; no timer involved. */
export function whenAborted(...signals: AbortSignal[]): Promise<void> {
  if (signals.some((s) => s.aborted)) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = (): void => {
      for (const s of signals) s.removeEventListener('abort', done);
      resolve();
    };
    for (const s of signals) s.addEventListener('abort', done, { once: true });
  });
}

/** A signal that fires on every `fire()`: wakes whoever waits on the current one, then re-arms. */
export interface Pulse {
  readonly signal: AbortSignal;
  fire(): void;
}

export function createPulse(): Pulse {
  let controller = new AbortController();
  return {
    get signal() {
      return controller.signal;
    },
    fire() {
      const fired = controller;
      controller = new AbortController();
      fired.abort();
    },
  };
}
