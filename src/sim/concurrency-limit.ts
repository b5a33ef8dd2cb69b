import { respondError } from './graph-responses.js';
import type { Step } from './pipeline.js';

export interface ConcurrencyLimitOptions {
  /** Graph requests served at once across all mailboxes; 0 = no limit. */
  perApp: number;
  /** Graph requests served at once for one mailbox; 0 = no limit. */
  perMailbox: number;
  /** The Retry-After of the 429, seconds. */
  retryAfterSec: number;
  now: () => number;
}

export interface ConcurrencyLimit {
  step: Step;
  /** Requests open per mailbox now, admitted or being refused. */
  inFlightByMailbox(): Record<string, number>;
  /** The most requests open at once per mailbox (the client's behaviour, admitted or not). */
  maxInFlightByMailbox(): Record<string, number>;
  /** Starts the high-water marks again from what is open now. */
  reset(): void;
}

/** Graph's one wording for a concurrency 429, whichever limit was hit. */
export const CONCURRENCY_MESSAGE = 'Application is over its MailboxConcurrency limit.';

/**
 * Graph's concurrency limits (Outlook service: 4 concurrent requests; Microsoft says "irrespective
 * of the target mailboxes", the docs say "per app ID and mailbox", so both are enforced). It runs
 * once the mailbox is known; a request over either limit is answered 429 `ApplicationThrottled`
 * with Retry-After and never reaches the operation, so nothing is accepted.
 */
export function createConcurrencyLimit(options: ConcurrencyLimitOptions): ConcurrencyLimit {
  let appAdmitted = 0;
  const admitted = new Map<string, number>();
  const open = new Map<string, number>();
  let maxOpen = new Map<string, number>();
  const bump = (map: Map<string, number>, mailbox: string, by: number) => {
    const value = (map.get(mailbox) ?? 0) + by;
    if (value === 0) map.delete(mailbox);
    else map.set(mailbox, value);
    return value;
  };

  const step: Step = async (ctx, next) => {
    const mailbox = ctx.mailbox;
    if (mailbox === undefined) {
      await next();
      return;
    }
    const nowOpen = bump(open, mailbox, 1);
    maxOpen.set(mailbox, Math.max(maxOpen.get(mailbox) ?? 0, nowOpen));
    try {
      const overMailbox = options.perMailbox > 0 && (admitted.get(mailbox) ?? 0) >= options.perMailbox;
      const overApp = options.perApp > 0 && appAdmitted >= options.perApp;
      if (overMailbox || overApp) {
        // Graph names MailboxConcurrency either way; the per-mailbox cause pauses only that mailbox.
        if (overMailbox) ctx.throttleScope = 'mailbox';
        respondError(
          ctx,
          {
            status: 429,
            code: 'ApplicationThrottled',
            message: CONCURRENCY_MESSAGE,
            headers: { 'retry-after': String(options.retryAfterSec) },
          },
          options.now(),
        );
        return;
      }
      appAdmitted += 1;
      bump(admitted, mailbox, 1);
      try {
        await next();
      } finally {
        appAdmitted -= 1;
        bump(admitted, mailbox, -1);
      }
    } finally {
      bump(open, mailbox, -1);
    }
  };

  return {
    step,
    inFlightByMailbox: () => Object.fromEntries(open),
    maxInFlightByMailbox: () => Object.fromEntries(maxOpen),
    reset() {
      maxOpen = new Map(open);
    },
  };
}
