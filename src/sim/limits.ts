import { DEFAULT_SEED } from './prng.js';
import type { SimulatorLimits, SimulatorOptions } from './types.js';

/** Graph's and Exchange's documented limits; no added latency; a fixed seed, so runs repeat. */
export const SIMULATOR_DEFAULTS: Readonly<SimulatorLimits> = {
  maxConcurrentPerApp: 4,
  maxConcurrentPerMailbox: 4,
  throttleRetryAfterSec: 1,
  mailboxPerMinute: 30,
  rateWindowMs: 60_000,
  recipientsPerDay: 10_000,
  recipientWindowMs: 24 * 60 * 60_000,
  latencyMs: 0,
  latencyJitterMs: 0,
  seed: DEFAULT_SEED,
};

/** Windows must be positive; the rest may be 0 (0 switches a limit off). */
const POSITIVE = new Set<keyof SimulatorLimits>(['rateWindowMs', 'recipientWindowMs']);

/** Applies the defaults and checks each value; the error names the option, never a value. */
export function effectiveLimits(options: SimulatorOptions): SimulatorLimits {
  const limits = { ...SIMULATOR_DEFAULTS };
  for (const name of Object.keys(SIMULATOR_DEFAULTS) as (keyof SimulatorLimits)[]) {
    const value = options[name];
    if (value === undefined) continue;
    const min = POSITIVE.has(name) ? 1 : 0;
    if (!Number.isSafeInteger(value) || value < min) {
      throw new RangeError(`simulator option ${name} must be a whole number of at least ${min}`);
    }
    limits[name] = value;
  }
  return limits;
}

/** One line for people: the limits in force, for the `sim` command's banner. */
export function describeLimits(limits: SimulatorLimits): string {
  const concurrency = (n: number) => (n === 0 ? 'no limit' : String(n));
  const counted = (n: number, what: string, windowMs: number) =>
    n === 0 ? `${what}: not counted` : `${n} ${what} per ${windowMs} ms`;
  return (
    `concurrent Graph requests: ${concurrency(limits.maxConcurrentPerApp)} per app, ` +
    `${concurrency(limits.maxConcurrentPerMailbox)} per mailbox (above: 429, Retry-After ` +
    `${limits.throttleRetryAfterSec} s); Exchange per mailbox: ` +
    `${counted(limits.mailboxPerMinute, 'mails', limits.rateWindowMs)}, ` +
    `${counted(limits.recipientsPerDay, 'recipients', limits.recipientWindowMs)} ` +
    `(over: still accepted, counted in /_sim/stats); latency ${limits.latencyMs} ms ` +
    `+ up to ${limits.latencyJitterMs} ms; seed ${limits.seed}`
  );
}
