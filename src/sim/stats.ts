import type { SimContext, Step } from './pipeline.js';
import { operationOf } from './request-key.js';

/** Counters the tests read: answers by status, concurrency high-water mark, look-ups, throttling. */
export interface SimCounters {
  rejectedByStatus: Record<string, number>;
  inFlight: number;
  maxInFlight: number;
  lookups: number;
  /** Requests answered with no answer at all (reset faults). */
  resets: number;
  /** 429s sent, by the scope of the pause they announced. */
  throttled: { total: number; app: number; mailbox: number };
  /** Requests that arrived inside a pause announced for their scope. */
  callsDuringPause: { total: number; byMailbox: Record<string, number> };
  reset(): void;
}

export function createCounters(): SimCounters {
  const counters: SimCounters = {
    rejectedByStatus: {},
    inFlight: 0,
    maxInFlight: 0,
    lookups: 0,
    resets: 0,
    throttled: { total: 0, app: 0, mailbox: 0 },
    callsDuringPause: { total: 0, byMailbox: {} },
    reset() {
      counters.rejectedByStatus = {};
      // Requests still in flight stay counted: they will decrement when they end.
      counters.maxInFlight = counters.inFlight;
      counters.lookups = 0;
      counters.resets = 0;
      counters.throttled = { total: 0, app: 0, mailbox: 0 };
      counters.callsDuringPause = { total: 0, byMailbox: {} };
    },
  };
  return counters;
}

/**
 * Runs after routing. Counts Graph requests in flight around the rest of the chain (whatever their
 * fate: the high-water mark shows how many the client had open at once) and records every sendMail
 * answer that was not a 202 — after-accept faults included, since that is what the client saw.
 */
export function countingStep(counters: SimCounters): Step {
  return async (ctx: SimContext, next) => {
    const operation = operationOf(ctx);
    if (operation === undefined) {
      await next();
      return;
    }
    counters.inFlight += 1;
    counters.maxInFlight = Math.max(counters.maxInFlight, counters.inFlight);
    try {
      await next();
    } finally {
      counters.inFlight -= 1;
    }
    if (ctx.response.reset === true) {
      counters.resets += 1;
      return;
    }
    if (operation === 'sendMail' && ctx.response.status !== 202) {
      const status = String(ctx.response.status);
      counters.rejectedByStatus[status] = (counters.rejectedByStatus[status] ?? 0) + 1;
    }
    if (operation === 'lookup' && ctx.response.status === 200) counters.lookups += 1;
  };
}
