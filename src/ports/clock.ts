/** Time, ids and randomness are injected so the core is deterministic under test. */
export interface Clock {
  /** Epoch milliseconds (wall clock: it may jump when the machine's time is corrected). */
  now(): number;
  /**
   * Milliseconds on a clock that only moves forward at a steady rate (its zero is arbitrary): for
   * measuring how long something took, e.g. how much of a lease is left since the server's last `Date`.
   */
  monotonic(): number;
  /** Resolves after `ms`, or early — without throwing — when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface Ids {
  /** A fresh RFC 4122 v4 UUID, lower-case. */
  uuid(): string;
}

/** Uniform in [0, 1). */
export type Random = () => number;
