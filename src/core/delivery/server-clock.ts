import type { Clock } from '../../ports/clock.js';

/**
 * The storage server's time, as leases and due times are measured: the `Date` of its last response
 * plus the local monotonic time elapsed since. Between ledger calls the estimate keeps moving, so a
 * slow attachment read or a long gate wait is counted against a lease (docs/architecture.md §5.1);
 * the local wall clock, which may be skewed or corrected, is never used for it.
 */
export interface ServerClock {
  now(): number;
  /** A storage response's `Date` (epoch ms). */
  observe(serverTime: number): void;
}

export function createServerClock(clock: Clock): ServerClock {
  let server = clock.now();
  let seenAt = clock.monotonic();
  return {
    now: () => server + (clock.monotonic() - seenAt),
    observe(serverTime) {
      server = serverTime;
      seenAt = clock.monotonic();
    },
  };
}
