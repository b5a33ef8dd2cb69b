import type { Random } from '../ports/clock.js';

/**
 * A small seeded generator (mulberry32): fault probabilities and latency jitter repeat run after
 * run for the same seed, so a flaky-looking benchmark can be replayed exactly.
 */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed used when none is given: runs repeat by default. */
export const DEFAULT_SEED = 0x5eed;

/** A second, independent stream from the same seed, so jitter draws never shift fault draws. */
export function derivedSeed(seed: number, stream: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + stream * 0x27d4eb2f) >>> 0;
}
