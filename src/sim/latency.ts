import type { Clock, Random } from '../ports/clock.js';
import type { Step } from './pipeline.js';
import { operationOf } from './request-key.js';

export interface LatencyOptions {
  clock: Clock;
  /** Added to every Graph answer that got past the limits, ms. */
  latencyMs: number;
  /** Up to this much more, uniformly drawn from the seeded generator, ms. */
  jitterMs: number;
  /** Makes a fresh generator from the seed: at start and on every reset. */
  random: () => Random;
}

export interface Latency {
  step: Step;
  reset(): void;
}

/**
 * Latency, applied once the operation has run: a sendMail is accepted first and then answered
 * slowly, which is the shape that matters for a client timeout (it gave up; the mail went anyway).
 * It sits inside the concurrency limits, so a slow answer holds its slot as Graph's would.
 */
export function createLatency(options: LatencyOptions): Latency {
  let random = options.random();
  return {
    step: async (ctx, next) => {
      await next();
      if (operationOf(ctx) === undefined) return;
      const jitter = options.jitterMs > 0 ? Math.floor(random() * (options.jitterMs + 1)) : 0;
      const ms = options.latencyMs + jitter;
      if (ms > 0) await options.clock.sleep(ms);
    },
    reset() {
      random = options.random();
    },
  };
}
