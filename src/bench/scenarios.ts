import { systemClock } from '../adapters/system/system-clock.js';
import type { SimulatorHandle } from '../sim/index.js';
import type { WorkerPool } from './worker-pool.js';

export type ScenarioId = 'steady' | 'storm' | 'scale-out' | 'chaos';

export const SCENARIO_IDS: readonly ScenarioId[] = ['steady', 'storm', 'scale-out', 'chaos'];

/** What a scenario can do while the workers run. */
export interface DriveContext {
  sim: SimulatorHandle;
  pool: WorkerPool;
  messages: number;
  /** Aborted when the run is over. */
  signal: AbortSignal;
  /** Records an event with its time since the workers started. */
  note(what: string): void;
  /** Registers a fault rule that answers after accepting the mail (for counting Graph calls). */
  afterAcceptRule(id: string): void;
}

export interface ScenarioSpec {
  id: ScenarioId;
  title: string;
  description: string;
  messages: number;
  workers: number;
  /** Compare with the ideal client's drain time. */
  ideal: boolean;
  /** Runs alongside the workers until the run is over. */
  drive?: (ctx: DriveContext) => Promise<void>;
}

export interface ScenarioSizes {
  steadyMessages: number;
  stormMessages: number;
  stormSec: number;
  stormRetryAfterSec: number;
  scaleOutMessages: number;
  scaleOutWorkers: number;
  chaosMessages: number;
  chaosWorkers: number;
  /** Fraction of sendMail requests answered 504 after the mail was accepted, in the chaos run. */
  chaosAmbiguousRate: number;
}

const POLL_MS = 100;

/** Resolves true once the simulator has accepted `count` mails, false if the run ended first. */
export async function acceptedAtLeast(
  sim: SimulatorHandle,
  count: number,
  signal: AbortSignal,
): Promise<boolean> {
  while (!signal.aborted) {
    if (sim.stats().accepted >= count) return true;
    await systemClock.sleep(POLL_MS, signal);
  }
  return false;
}

/** The four scenarios, sized by the options. Every one runs once per implementation on the same input. */
export function scenarioSpecs(sizes: ScenarioSizes): ScenarioSpec[] {
  return [
    {
      id: 'steady',
      title: 'Steady backlog',
      description: `${sizes.steadyMessages} messages queued up front, one worker process`,
      messages: sizes.steadyMessages,
      workers: 1,
      ideal: true,
    },
    {
      id: 'storm',
      title: 'Throttle storm',
      description:
        `${sizes.stormMessages} messages, one worker process; once half are sent, every sendMail is answered ` +
        `429 TooManyRequests with Retry-After ${sizes.stormRetryAfterSec} s for ${sizes.stormSec} s`,
      messages: sizes.stormMessages,
      workers: 1,
      ideal: false,
      drive: async (ctx) => {
        if (!(await acceptedAtLeast(ctx.sim, Math.ceil(ctx.messages / 2), ctx.signal))) return;
        ctx.sim.faults.add({
          match: { operation: 'sendMail' },
          forMs: sizes.stormSec * 1000,
          action: {
            kind: 'status',
            status: 429,
            code: 'TooManyRequests',
            retryAfter: String(sizes.stormRetryAfterSec),
          },
        });
        ctx.note(`429 storm starts (${sizes.stormSec} s, Retry-After ${sizes.stormRetryAfterSec} s)`);
      },
    },
    {
      id: 'scale-out',
      title: 'Scale-out',
      description: `${sizes.scaleOutMessages} messages, ${sizes.scaleOutWorkers} worker processes on one queue`,
      messages: sizes.scaleOutMessages,
      workers: sizes.scaleOutWorkers,
      ideal: false,
    },
    {
      id: 'chaos',
      title: 'Chaos',
      description:
        `${sizes.chaosMessages} messages, ${sizes.chaosWorkers} worker processes; ${Math.round(sizes.chaosAmbiguousRate * 100)} % ` +
        'of sendMail answered 504 after accepting the mail; 503 bursts (every sendMail for 1.5 s) at 20, 45 and ' +
        '70 % sent; at 30 % sent, each worker in turn killed with SIGKILL and restarted, 2 s apart. hr-courier ' +
        'runs with HR_COURIER_ON_UNKNOWN=hold',
      messages: sizes.chaosMessages,
      workers: sizes.chaosWorkers,
      ideal: false,
      drive: async (ctx) => {
        ctx.afterAcceptRule(
          ctx.sim.faults.add({
            match: { operation: 'sendMail' },
            probability: sizes.chaosAmbiguousRate,
            action: { kind: 'status', status: 504, code: 'GatewayTimeout', afterAccept: true },
          }),
        );
        const burst = () => {
          ctx.sim.faults.add({
            match: { operation: 'sendMail' },
            forMs: 1500,
            action: { kind: 'status', status: 503, code: 'ServiceUnavailable' },
          });
          ctx.note('503 burst (1.5 s)');
        };
        // Crashes close together, so their after-effects (leases running out) overlap instead of adding up.
        const crashes = async () => {
          for (let i = 0; i < sizes.chaosWorkers && !ctx.signal.aborted; i++) {
            if (i > 0) await systemClock.sleep(2_000, ctx.signal);
            await ctx.pool.crashAndRestart(i);
            ctx.note(`SIGKILL worker ${i}, restarted`);
          }
        };
        const steps: [number, () => Promise<void> | void][] = [
          [0.2, burst],
          [0.3, crashes],
          [0.45, burst],
          [0.7, burst],
        ];
        for (const [at, act] of steps) {
          if (!(await acceptedAtLeast(ctx.sim, Math.ceil(ctx.messages * at), ctx.signal))) return;
          await act();
        }
      },
    },
  ];
}
