import { join } from 'node:path';
import type { Command } from 'commander';
import { composeSystem } from '../runtime/compose.js';
import { runSimulatorCommand, SIMULATOR_COMMAND_FLAGS, type SimulatorCommandLimits } from '../sim/command.js';
import { SAMPLE_SENDERS } from './samples.js';
import { shutdownSignal, type Io } from './io.js';

const list = (value: string, previous: string[] = []) => [
  ...previous,
  ...value
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean),
];

export function registerSimCommand(program: Command, io: Io): void {
  const command = program
    .command('sim')
    .description(
      'Run the Graph simulator alone (HTTPS Graph + managed-identity endpoint) and print the environment for a worker.',
    )
    .option('--port <n>', 'HTTPS port for Graph (default: any free port)', Number)
    .option(
      '--identity-port <n>',
      'HTTP port for the managed-identity endpoint (default: any free port)',
      Number,
    )
    .option(
      '--mailbox <address>',
      'a mailbox that exists (repeatable or comma-separated; default: the sample senders)',
      list,
    )
    .option(
      '--allow <address>',
      'a mailbox the Exchange fence lets the app send as (default: every mailbox)',
      list,
    )
    .option('--state-dir <dir>', 'where the certificate and the outbox go', join('.hr-courier', 'sim'));
  for (const { flag, help } of SIMULATOR_COMMAND_FLAGS) command.option(flag, help, Number);
  command
    .addHelpText(
      'after',
      '\nEvery accepted mail is written to <state-dir>/outbox as .eml and .html. Admin endpoints (no token):\n' +
        'GET /_sim/stats, GET /_sim/accepted[?key=K], POST /_sim/reset, POST /_sim/tokens/revoke,\n' +
        'GET|POST|DELETE /_sim/faults (inject 429 storms, 503 bursts, 500/504 after accepting, resets, delays),\n' +
        'DELETE /_sim/faults/{id}.\n' +
        'Start the worker in a shell that has the printed variables (Node reads NODE_EXTRA_CA_CERTS at start-up only).',
    )
    .action(async (opts: SimOptions) => {
      // Commander stores `--app-concurrency` as `appConcurrency`: map each flag to its simulator option.
      const limits: SimulatorCommandLimits = {};
      for (const { flag, option } of SIMULATOR_COMMAND_FLAGS) {
        const value = opts[camel(flag)];
        if (typeof value === 'number') limits[option] = value;
      }
      const stop = shutdownSignal();
      try {
        await runSimulatorCommand({
          ...composeSystem(),
          ...(opts.port === undefined ? {} : { port: opts.port }),
          ...(opts.identityPort === undefined ? {} : { identityPort: opts.identityPort }),
          stateDir: opts.stateDir,
          mailboxes: opts.mailbox ?? [...SAMPLE_SENDERS],
          ...(opts.allow === undefined ? {} : { allowedSenders: opts.allow }),
          ...limits,
          out: io.out,
          signal: stop.signal,
        });
      } finally {
        stop.dispose();
      }
    });
}

type SimOptions = {
  port?: number;
  identityPort?: number;
  mailbox?: string[];
  allow?: string[];
  stateDir: string;
} & Record<string, unknown>;

/** `--app-concurrency <n>` → `appConcurrency`, as commander names option values. */
function camel(flag: string): string {
  const name = flag.replace(/^--/, '').split(' ')[0] ?? '';
  return name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}
