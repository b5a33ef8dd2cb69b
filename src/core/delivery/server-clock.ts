import type { Clock } from '../../ports/clock.js';

/**
 * The storage server's time, as leases and due times are measured: the `Date` of its last response
 * plus the local monotonic time elapsed since; the local wall clock, which may be skewed or corrected,
 * is never used for it. Between ledger calls the estimate keeps moving, so a slow attachment read or a
 * long gate wait is counted against a lease (docs/architecture.md §5.1).
 *
 * The server stamped its `Date` somewhere between sending the request and receiving the answer, and
 * truncated it to the second. So there are two readings: `now()` counts from when the answer arrived
 * (the earliest the server's time can be: right for judging another copy's lease, which must not be
 * thought expired early), and `latest()` counts from when the request was sent, plus the truncated
 * second (the latest it can be: right for writing our own lease, which must not end early).
 */
export interface ServerClock {
  now(): number;
  latest(): number;
  /** A storage response's `Date` (epoch ms), and the monotonic time at which its request was sent. */
  observe(serverTime: number, requestSentAt: number): void;
}

/** Storage and Graph send `Date` in whole seconds, truncated. */
const DATE_RESOLUTION_MS = 1_000;

export function createServerClock(clock: Clock): ServerClock {
  let server = clock.now();
  let arrivedAt = clock.monotonic();
  let sentAt = arrivedAt;
  return {
    now: () => server + (clock.monotonic() - arrivedAt),
    latest: () => server + (clock.monotonic() - sentAt) + DATE_RESOLUTION_MS,
    observe(serverTime, requestSentAt) {
      server = serverTime;
      arrivedAt = clock.monotonic();
      sentAt = requestSentAt;
    },
  };
}
