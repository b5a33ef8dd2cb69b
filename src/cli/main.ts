import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/settings.js';
import { registerDevCommand } from './dev-command.js';
import { registerEnqueueCommand } from './enqueue-command.js';
import { processIo, UsageError, type Io } from './io.js';
import { registerRenderCommand } from './render-command.js';
import { registerResolveCommand } from './resolve-command.js';
import { registerSchemaCommand } from './schema-command.js';
import { registerSimCommand } from './sim-command.js';
import { registerTraceCommand } from './trace-command.js';
import { registerWorkerCommand } from './worker-command.js';

/** The CLI: wiring only. Each command lives in its own file; errors become one line and an exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let exitCode = 0;
  const setExit = (code: number) => {
    exitCode = code;
  };
  const program = new Command('hr-courier')
    .description(
      'Delivers templated HR email from an Azure Storage queue through Microsoft Graph sendMail, with a ledger of evidence.',
    )
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => {
        io.out(s.trimEnd());
      },
      writeErr: (s) => {
        io.err(s.trimEnd());
      },
    })
    .addHelpText(
      'after',
      '\nSettings come from the environment and ./local.settings.json Values (the environment wins).\n' +
        'Quick start: npm start (= hr-courier dev). Docs: README.md.',
    );
  registerDevCommand(program, io, setExit);
  registerWorkerCommand(program, io, setExit);
  registerEnqueueCommand(program, io, setExit);
  registerTraceCommand(program, io, setExit);
  registerResolveCommand(program, io, setExit);
  registerRenderCommand(program, io, setExit);
  registerSimCommand(program, io);
  registerSchemaCommand(program, io, setExit);
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (e instanceof ConfigError || e instanceof UsageError) {
      io.err(`hr-courier: ${e.message}`);
      return e instanceof UsageError ? e.exitCode : 2;
    }
    io.err(`hr-courier: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    return 1;
  }
}
