import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { loadSettings } from '../config/settings.js';
import { ResolveError, resolveUnknown } from '../core/resolve.js';
import { composeResolve } from '../runtime/compose.js';
import { cliEnvironment } from './environment.js';
import { UsageError, type Io } from './io.js';

export async function runResolve(
  key: string,
  options: { sent: boolean; resend: boolean; reason?: string; by?: string; json: boolean },
  io: Io,
): Promise<number> {
  if (options.sent === options.resend) throw new UsageError('choose exactly one of --sent or --resend');
  if (!options.reason?.trim())
    throw new UsageError('--reason is required: say why (it is kept in the ledger)');
  const settings = loadSettings(cliEnvironment());
  const deps = composeResolve(settings);
  try {
    const result = await resolveUnknown(deps, {
      key,
      decision: options.sent ? 'sent' : 'resend',
      reason: options.reason.trim(),
      by: options.by?.trim() || userInfo().username,
    });
    if (options.json) io.out(JSON.stringify(result));
    else if (result.decision === 'sent') {
      io.out(
        `${result.key}: recorded as sent (${result.heldCopies} held cop${result.heldCopies === 1 ? 'y' : 'ies'} removed)`,
      );
    } else {
      io.out(
        `${result.key}: reopened and put back on ${settings.queueName}; the worker will send it with the same key`,
      );
    }
    return 0;
  } catch (e) {
    if (e instanceof ResolveError) {
      io.err(`hr-courier: ${e.message}`);
      return 1;
    }
    throw e;
  } finally {
    await deps.close();
  }
}

export function registerResolveCommand(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('resolve')
    .description(
      'Settle a held unknown outcome (Graph may or may not have sent it): record it as sent, or send it again.',
    )
    .argument('<key>', 'the idempotency key (trace shows it)')
    .option('--sent', 'the mail did go out (e.g. found in Sent Items): record it as sent')
    .option('--resend', 'it did not: put the held original back on the queue to be sent again, same key')
    .option('--reason <text>', 'why — kept in the ledger with the decision (required)')
    .option('--by <name>', 'who decided (default: the OS user)')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      '\nOnly keys in state unknown can be resolved. Their original bytes wait in <queue>-held; --sent removes them,\n' +
        '--resend moves them back to the queue. Check first: trace --key <key> shows every Graph attempt and its ids.',
    )
    .action(
      async (
        key: string,
        opts: { sent?: boolean; resend?: boolean; reason?: string; by?: string; json?: boolean },
      ) => {
        setExit(
          await runResolve(
            key,
            {
              sent: opts.sent === true,
              resend: opts.resend === true,
              json: opts.json === true,
              ...(opts.reason === undefined ? {} : { reason: opts.reason }),
              ...(opts.by === undefined ? {} : { by: opts.by }),
            },
            io,
          ),
        );
      },
    );
}
