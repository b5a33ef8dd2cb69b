import type { SimContext, Step } from './pipeline.js';

/** Counters the tests read: rejections by status, concurrency high-water mark, look-ups. */
export interface SimCounters {
  rejectedByStatus: Record<string, number>;
  inFlight: number;
  maxInFlight: number;
  lookups: number;
  reset(): void;
}

export function createCounters(): SimCounters {
  const counters: SimCounters = {
    rejectedByStatus: {},
    inFlight: 0,
    maxInFlight: 0,
    lookups: 0,
    reset() {
      counters.rejectedByStatus = {};
      counters.maxInFlight = counters.inFlight;
      counters.lookups = 0;
    },
  };
  return counters;
}

const GRAPH_ROUTES = new Set(['sendMail', 'messages', 'folderMessages']);

/**
 * Runs after routing. Counts Graph requests in flight around the rest of the chain (the seam where a concurrency limit
 * goes) and records every sendMail answer that was not a 202.
 */
export function countingStep(counters: SimCounters): Step {
  return async (ctx: SimContext, next) => {
    if (!isGraphRoute(ctx.route?.name)) {
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
    const route = ctx.route?.name;
    if (route === 'sendMail' && ctx.response.status !== 202) {
      const status = String(ctx.response.status);
      counters.rejectedByStatus[status] = (counters.rejectedByStatus[status] ?? 0) + 1;
    }
    if ((route === 'messages' || route === 'folderMessages') && ctx.response.status === 200) {
      counters.lookups += 1;
    }
  };
}

export function isGraphRoute(name: string | undefined): boolean {
  return name !== undefined && GRAPH_ROUTES.has(name);
}
