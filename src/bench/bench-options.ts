import { Command, InvalidArgumentError } from 'commander';
import { SCENARIO_IDS, type ScenarioId, type ScenarioSizes } from './scenarios.js';

export interface BenchOptions extends ScenarioSizes {
  /** Divides every window on both sides: the simulator's and hr-courier's (HR_COURIER_TIME_SCALE). */
  timeScale: number;
  mailboxes: number;
  latencyMs: number;
  scenarios: ScenarioId[];
  /** A run whose workers have not drained by then is stopped and reported as not drained. */
  runTimeoutSec: number;
  /** Where `<timestamp>.json` and `latest.md` go. */
  outDir: string;
}

const whole =
  (min: number, max: number) =>
  (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`);
    }
    return n;
  };

const fraction = (value: string): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('must be a number from 0 to 1');
  return n;
};

const scenarioList = (value: string): ScenarioId[] => {
  const ids = value.split(',').map((s) => s.trim());
  for (const id of ids) {
    if (!(SCENARIO_IDS as readonly string[]).includes(id)) {
      throw new InvalidArgumentError(`scenarios are ${SCENARIO_IDS.join(', ')}`);
    }
  }
  return ids as ScenarioId[];
};

/**
 * `npm run bench -- [options]`. The defaults finish the whole suite in a few minutes on 2 cores. The
 * time scale is kept low on purpose: with 10 mailboxes, production's binding limit is Exchange's rate
 * (10 × 30/min = 5/s, against Graph's 4 concurrent × 150 ms ≈ 27/s), and a large scale would flip
 * that. At 2, the steady backlog (40 per mailbox) outruns one window's allowance, so the rate binds.
 */
export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const program = new Command('bench')
    .description("hr-courier against the Graph simulator's limits and against a naive worker")
    .option('--time-scale <n>', 'divide every window (rate, recipient day, backoffs) by n', whole(1, 3600), 2)
    .option('--mailboxes <n>', 'sender mailboxes, used round-robin', whole(1, 100), 10)
    .option('--latency <ms>', 'Graph latency per request (real time)', whole(0, 10_000), 150)
    .option('--steady <n>', 'messages in the steady backlog', whole(1, 100_000), 400)
    .option('--storm <n>', 'messages in the throttle-storm run', whole(2, 100_000), 160)
    .option('--storm-sec <n>', 'how long every sendMail is answered 429', whole(1, 600), 6)
    .option('--storm-retry-after <n>', "the Retry-After of the storm's 429s, seconds", whole(1, 600), 3)
    .option('--scale-out <n>', 'messages in the scale-out run', whole(1, 100_000), 240)
    .option('--scale-out-workers <n>', 'worker processes in the scale-out run', whole(2, 16), 4)
    .option('--chaos <n>', 'messages in the chaos run', whole(4, 100_000), 120)
    .option('--chaos-workers <n>', 'worker processes in the chaos run', whole(1, 16), 2)
    .option('--chaos-ambiguous <fraction>', 'share of sendMail answered 504 after accepting', fraction, 0.03)
    .option('--only <list>', `scenarios to run, comma-separated: ${SCENARIO_IDS.join(',')}`, scenarioList)
    .option('--run-timeout <sec>', 'stop a run that has not drained by then', whole(10, 3600), 300)
    .option('--out <dir>', 'results folder', 'bench/results')
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });
  program.parse([...argv], { from: 'user' });
  const o = program.opts<{
    timeScale: number;
    mailboxes: number;
    latency: number;
    steady: number;
    storm: number;
    stormSec: number;
    stormRetryAfter: number;
    scaleOut: number;
    scaleOutWorkers: number;
    chaos: number;
    chaosWorkers: number;
    chaosAmbiguous: number;
    only?: ScenarioId[];
    runTimeout: number;
    out: string;
  }>();
  return {
    timeScale: o.timeScale,
    mailboxes: o.mailboxes,
    latencyMs: o.latency,
    steadyMessages: o.steady,
    stormMessages: o.storm,
    stormSec: o.stormSec,
    stormRetryAfterSec: o.stormRetryAfter,
    scaleOutMessages: o.scaleOut,
    scaleOutWorkers: o.scaleOutWorkers,
    chaosMessages: o.chaos,
    chaosWorkers: o.chaosWorkers,
    chaosAmbiguousRate: o.chaosAmbiguous,
    scenarios: o.only ?? [...SCENARIO_IDS],
    runTimeoutSec: o.runTimeout,
    outDir: o.out,
  };
}
