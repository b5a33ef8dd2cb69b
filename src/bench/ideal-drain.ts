export interface IdealDrainInput {
  /** Messages to send per mailbox. */
  perMailbox: readonly number[];
  /** Requests the simulator serves at once per app (0 = no limit). */
  appConcurrency: number;
  /** Requests the simulator serves at once per mailbox (0 = no limit). */
  mailboxConcurrency: number;
  /** How long each request takes, ms. */
  latencyMs: number;
  /** Messages per mailbox per rate window before Exchange delays them (0 = no limit). */
  ratePerWindow: number;
  rateWindowMs: number;
}

/**
 * How long an ideal client — one that knows the limits exactly and never wastes a call — needs to send
 * the backlog: it starts a request whenever an app slot and a mailbox slot are free and the mailbox has
 * sent fewer than `ratePerWindow` in the sliding window before now (the simulator's own rules: a mail
 * counts toward the rate when accepted, at the start of the request). Greedy, earliest start first,
 * which is optimal here because every request takes the same time. Returns ms from the first request's
 * start to the last answer. No storage, no start-up: a bound no real client reaches.
 */
export function idealDrainMs(input: IdealDrainInput): number {
  const { latencyMs: L, ratePerWindow: R, rateWindowMs: W } = input;
  const appCap = input.appConcurrency > 0 ? input.appConcurrency : Number.POSITIVE_INFINITY;
  const boxCap = input.mailboxConcurrency > 0 ? input.mailboxConcurrency : Number.POSITIVE_INFINITY;
  const boxes = input.perMailbox.map((remaining) => ({
    remaining,
    accepts: [] as number[],
    ends: [] as number[],
  }));
  let appEnds: number[] = [];
  let left = boxes.reduce((sum, b) => sum + b.remaining, 0);
  let now = 0;
  let last = 0;
  let turn = 0;

  // When mailbox b could start a request, given the rate and its own slots (not the app's).
  const readyAt = (b: (typeof boxes)[number]): number => {
    let at = now;
    if (R > 0 && b.accepts.length >= R) at = Math.max(at, (b.accepts[b.accepts.length - R] ?? 0) + W);
    if (b.ends.length >= boxCap) at = Math.max(at, Math.min(...b.ends));
    return at;
  };

  while (left > 0) {
    appEnds = appEnds.filter((end) => end > now);
    for (const b of boxes) b.ends = b.ends.filter((end) => end > now);
    let started = false;
    if (appEnds.length < appCap) {
      // Round-robin over the mailboxes that can start now.
      for (let k = 0; k < boxes.length && !started; k++) {
        const b = boxes[(turn + k) % boxes.length];
        if (!b || b.remaining === 0 || readyAt(b) > now) continue;
        b.remaining -= 1;
        b.accepts.push(now);
        b.ends.push(now + L);
        appEnds.push(now + L);
        last = Math.max(last, now + L);
        left -= 1;
        turn = (turn + k + 1) % boxes.length;
        started = true;
      }
    }
    if (started) continue;
    // Nothing can start now: move to the next moment something changes.
    const candidates = boxes.filter((b) => b.remaining > 0).map(readyAt);
    if (appEnds.length >= appCap) candidates.push(Math.min(...appEnds));
    const next = Math.min(...candidates.filter((t) => t > now));
    if (!Number.isFinite(next)) break;
    now = next;
  }
  return last;
}
