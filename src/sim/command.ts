import { join } from 'node:path';
import { startSimulator } from './index.js';

export interface SimulatorCommandOptions {
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
 * `hr-courier sim`: runs the simulator until `signal` aborts, after printing the environment a
 * worker needs (as `export NAME=value` lines a POSIX shell can eval).
 */
export async function runSimulatorCommand(options: SimulatorCommandOptions): Promise<void> {
  const sim = await startSimulator({
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.identityPort === undefined ? {} : { identityPort: options.identityPort }),
    certDir: join(options.stateDir, 'cert'),
    outboxDir: join(options.stateDir, 'outbox'),
    mailboxes: options.mailboxes,
    ...(options.allowedSenders === undefined ? {} : { allowedSenders: options.allowedSenders }),
  });
  try {
    options.out(
      `# Graph simulator on ${sim.baseUrl}, managed identity on ${sim.identityEndpoint}, outbox in ${sim.outboxDir}. ` +
        'Set these in the shell that starts the worker (Node reads NODE_EXTRA_CA_CERTS only at start-up):',
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

/** Single-quotes a value unless it is made only of characters no shell treats specially. */
function shellQuote(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
