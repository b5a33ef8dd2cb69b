import type { SimContext, Step } from './pipeline.js';
import { operationOf } from './request-key.js';
import type { SimCounters } from './stats.js';

export type PauseScope = 'app' | 'mailbox';

/** The pauses the simulator's 429s announced: the app's, and each mailbox's. */
export interface PauseBook {
  /** Extends the pause of `scope` (and `mailbox`, for a mailbox pause) to at least `until`. */
  announce(scope: PauseScope, mailbox: string, until: number): void;
  /** Whether a request for `mailbox` arriving at `at` falls inside a pause that covers it. */
  covers(mailbox: string | undefined, at: number): boolean;
  reset(): void;
}

export function createPauseBook(): PauseBook {
  let appUntil = 0;
  let mailboxUntil = new Map<string, number>();
  return {
    announce(scope, mailbox, until) {
      if (scope === 'app') appUntil = Math.max(appUntil, until);
      else mailboxUntil.set(mailbox, Math.max(mailboxUntil.get(mailbox) ?? 0, until));
    },
    covers(mailbox, at) {
      if (at < appUntil) return true;
      return mailbox !== undefined && at < (mailboxUntil.get(mailbox) ?? 0);
    },
    reset() {
      appUntil = 0;
      mailboxUntil = new Map();
    },
  };
}

/**
 * Pause accounting. Every 429 announces a pause of its Retry-After (none without one) for a scope:
 * the one a step set on `ctx.throttleScope` (the per-mailbox limit, a fault's `pauseScope`), else the
 * mailbox when the answer names `MailboxConcurrency` — the word clients read to narrow a pause —
 * else the whole app. Every later Graph request that arrives inside a pause covering it is counted
 * as a call during a pause; it is still served as usual: the pause is the client's to keep.
 */
export function pauseStep(deps: { pauses: PauseBook; counters: SimCounters; now: () => number }): Step {
  return async (ctx, next) => {
    if (operationOf(ctx) === undefined) {
      await next();
      return;
    }
    const mailbox = ctx.route?.params.mailbox?.toLowerCase();
    if (deps.pauses.covers(mailbox, ctx.receivedAt)) {
      const calls = deps.counters.callsDuringPause;
      calls.total += 1;
      if (mailbox !== undefined) calls.byMailbox[mailbox] = (calls.byMailbox[mailbox] ?? 0) + 1;
    }
    await next();
    if (ctx.response.status !== 429 || ctx.response.reset === true || mailbox === undefined) return;
    const scope = ctx.throttleScope ?? scopeFromAnswer(ctx);
    const throttled = deps.counters.throttled;
    throttled.total += 1;
    throttled[scope] += 1;
    const now = deps.now();
    const seconds = retryAfterSeconds(ctx.response.headers['retry-after'], now);
    if (seconds > 0) deps.pauses.announce(scope, mailbox, now + seconds * 1000);
  };
}

/** Retry-After as seconds from `now`: whole seconds, or an HTTP-date. 0 when absent or past. */
export function retryAfterSeconds(value: string | undefined, now: number): number {
  if (value === undefined) return 0;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? 0 : Math.max(0, (at - now) / 1000);
}

function scopeFromAnswer(ctx: SimContext): PauseScope {
  const body = ctx.response.body;
  try {
    const parsed = JSON.parse(typeof body === 'string' ? body : body.toString('utf8')) as {
      error?: { code?: unknown; message?: unknown };
    };
    const words = [parsed.error?.code, parsed.error?.message].filter((w) => typeof w === 'string');
    return words.some((w) => /\bMailboxConcurrency\b/.test(w)) ? 'mailbox' : 'app';
  } catch {
    return 'app';
  }
}
