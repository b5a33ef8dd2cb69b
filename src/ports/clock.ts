/** Time, ids and randomness are injected so the core is deterministic under test. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms`, or early — without throwing — when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface Ids {
  /** A fresh RFC 4122 v4 UUID, lower-case. */
  uuid(): string;
}

/** Uniform in [0, 1). */
export type Random = () => number;
