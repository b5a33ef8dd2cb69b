import { join } from 'node:path';
import type { Command } from 'commander';
import { runSimulatorCommand } from '../sim/command.js';
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
  program
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
    .option('--state-dir <dir>', 'where the certificate and the outbox go', join('.hr-courier', 'sim'))
    .addHelpText(
      'after',
      '\nEvery accepted mail is written to <state-dir>/outbox as .eml and .html. Admin endpoints (no token):\n' +
        'GET /_sim/stats, GET /_sim/accepted, POST /_sim/reset, POST /_sim/tokens/revoke.\n' +
        'Start the worker in a shell that has the printed variables (Node reads NODE_EXTRA_CA_CERTS at start-up only).',
    )
    .action(
      async (opts: {
        port?: number;
        identityPort?: number;
        mailbox?: string[];
        allow?: string[];
        stateDir: string;
      }) => {
        const stop = shutdownSignal();
        try {
          await runSimulatorCommand({
            ...(opts.port === undefined ? {} : { port: opts.port }),
            ...(opts.identityPort === undefined ? {} : { identityPort: opts.identityPort }),
            stateDir: opts.stateDir,
            mailboxes: opts.mailbox ?? [...SAMPLE_SENDERS],
            ...(opts.allow === undefined ? {} : { allowedSenders: opts.allow }),
            out: io.out,
            signal: stop.signal,
          });
        } finally {
          stop.dispose();
        }
      },
    );
}
