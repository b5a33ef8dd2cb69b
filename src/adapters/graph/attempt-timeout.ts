import type { Clock } from '../../ports/clock.js';

export interface AttemptTimeout {
  /** Aborts the request (fetch, body read, token acquisition) when the time is up. */
  signal: AbortSignal;
  /** `true` once the time ran out. */
  expired(): boolean;
  /**
   * Settles with `work`, or rejects with the timeout as soon as it expires even if `work` ignores the
   * signal (a credential that does not honour `abortSignal` must not hang the attempt).
   */
  race<T>(work: Promise<T>): Promise<T>;
  /** Stops the timer; call when the attempt is over. */
  stop(): void;
}

/**
 * A timeout on the injected clock rather than `AbortSignal.timeout`, so the time scaling of dev mode
 * and fake clocks in tests apply to Graph calls too.
 */
export function startAttemptTimeout(clock: Clock, timeoutMs: number): AttemptTimeout {
  const request = new AbortController();
  const timer = new AbortController();
  let expired = false;
  void clock.sleep(timeoutMs, timer.signal).then(
    () => {
      if (timer.signal.aborted) return;
      expired = true;
      request.abort(new DOMException('The Graph request timed out', 'TimeoutError'));
    },
    // A sleep cancelled by stop() may reject; nothing to do.
    () => undefined,
  );
  const aborted = new Promise<never>((_resolve, reject) => {
    request.signal.addEventListener(
      'abort',
      () => {
        reject(request.signal.reason as Error);
      },
      { once: true },
    );
  });
  // Nobody may be racing when the timer fires; that rejection is expected, not unhandled.
  aborted.catch(() => undefined);
  return {
    signal: request.signal,
    expired: () => expired,
    race: (work) => Promise.race([work, aborted]),
    stop: () => {
      timer.abort();
    },
  };
}
