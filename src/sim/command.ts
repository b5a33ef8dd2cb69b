import { join } from 'node:path';
import { shellQuote } from './shell-quote.js';
import { startSimulator } from './index.js';
import { describeLimits } from './limits.js';
import type { SimulatorLimits, SimulatorOptions } from './types.js';

/** The flow-control options of `hr-courier sim`, as SimulatorOptions names them. */
export type SimulatorCommandLimits = Partial<SimulatorLimits> & { transportDelayMs?: number };

export interface SimulatorCommandOptions
  extends SimulatorCommandLimits, Pick<SimulatorOptions, 'clock' | 'ids'> {
  port?: number;
  identityPort?: number;
  /** The certificate goes to `<stateDir>/cert`, accepted mail to `<stateDir>/outbox`. */
  stateDir: string;
  mailboxes: string[];
  allowedSenders?: string[];
  out: (line: string) => void;
  signal: AbortSignal;
}

/**
 * The command-line flags for the flow-control options, with their help text: one place for the CLI
 * wiring to read, so the help and the simulator cannot drift apart. Every value is a whole number.
 */
export const SIMULATOR_COMMAND_FLAGS: readonly {
  flag: string;
  option: keyof SimulatorCommandLimits;
  help: string;
}[] = [
  {
    flag: '--app-concurrency <n>',
    option: 'maxConcurrentPerApp',
    help: 'Graph requests served at once across all mailboxes; one more gets 429 (default 4, 0 = no limit)',
  },
  {
    flag: '--mailbox-concurrency <n>',
    option: 'maxConcurrentPerMailbox',
    help: 'Graph requests served at once per mailbox; one more gets 429 (default 4, 0 = no limit)',
  },
  {
    flag: '--throttle-retry-after <seconds>',
    option: 'throttleRetryAfterSec',
    help: 'Retry-After of the concurrency 429s (default 1)',
  },
  {
    flag: '--mailbox-per-minute <n>',
    option: 'mailboxPerMinute',
    help: 'mails per mailbox per rate window before they count as over-rate; still accepted (default 30, 0 = off)',
  },
  {
    flag: '--rate-window-ms <ms>',
    option: 'rateWindowMs',
    help: 'length of the rate window (default 60000; smaller scales time down)',
  },
  {
    flag: '--recipients-per-day <n>',
    option: 'recipientsPerDay',
    help: 'recipients per mailbox per recipient window before mail counts as over-budget; still accepted (default 10000, 0 = off)',
  },
  {
    flag: '--recipient-window-ms <ms>',
    option: 'recipientWindowMs',
    help: 'length of the rolling recipient window (default 86400000)',
  },
  {
    flag: '--latency-ms <ms>',
    option: 'latencyMs',
    help: 'added to every Graph answer, after the mail was accepted (default 0)',
  },
  {
    flag: '--latency-jitter-ms <ms>',
    option: 'latencyJitterMs',
    help: 'up to this much more latency, from the seeded generator (default 0)',
  },
  {
    flag: '--transport-delay-ms <ms>',
    option: 'transportDelayMs',
    help: 'time before an accepted mail shows up in look-ups (default 0)',
  },
  {
    flag: '--seed <n>',
    option: 'seed',
    help: 'seed for fault probabilities and latency jitter: the same seed repeats a run',
  },
];

/**
 * `hr-courier sim`: runs the simulator until `signal` aborts, after printing the limits in force
 * and the environment a worker needs (as `export NAME=value` lines a POSIX shell can eval).
 */
export async function runSimulatorCommand(options: SimulatorCommandOptions): Promise<void> {
  const limits: SimulatorCommandLimits = {};
  for (const { option } of SIMULATOR_COMMAND_FLAGS) {
    const value = options[option];
    if (value !== undefined) limits[option] = value;
  }
  const sim = await startSimulator({
    clock: options.clock,
    ids: options.ids,
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.identityPort === undefined ? {} : { identityPort: options.identityPort }),
    certDir: join(options.stateDir, 'cert'),
    outboxDir: join(options.stateDir, 'outbox'),
    mailboxes: options.mailboxes,
    ...(options.allowedSenders === undefined ? {} : { allowedSenders: options.allowedSenders }),
    ...limits,
  });
  try {
    options.out(
      `# Graph simulator on ${sim.baseUrl}, managed identity on ${sim.identityEndpoint}, outbox in ${sim.outboxDir}. ` +
        'Set these in the shell that starts the worker (Node reads NODE_EXTRA_CA_CERTS only at start-up):',
    );
    options.out(
      `# Limits: ${describeLimits(sim.limits)}. Faults: POST /_sim/faults; counts: GET /_sim/stats.`,
    );
    for (const [name, value] of Object.entries(sim.env())) options.out(`export ${name}=${shellQuote(value)}`);
    await new Promise<void>((resolve) => {
      if (options.signal.aborted) resolve();
      else
        options.signal.addEventListener(
          'abort',
          () => {
            resolve();
          },
          { once: true },
        );
    });
  } finally {
    await sim.close();
  }
}
