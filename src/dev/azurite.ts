import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { azuriteConnectionString, type AzuritePorts } from '../adapters/storage/azurite-account.js';
import { freePort, waitForPort } from './free-port.js';

// Whoever starts Azurite also needs its connection string: the tests and the bench import both here.
export { azuriteConnectionString, type AzuritePorts };

export interface AzuriteHandle {
  ports: AzuritePorts;
  connectionString: string;
  /** Stops Azurite (SIGTERM, then SIGKILL after a grace period). */
  stop(): Promise<void>;
  /** Kills Azurite abruptly: for outage tests. */
  kill(): void;
  readonly process: ChildProcess;
}

function azuriteEntry(): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('azurite/package.json');
  return join(dirname(pkg), 'dist', 'src', 'azurite.js');
}

export interface StartAzuriteOptions {
  /** Persist to this folder (survives a restart); default: in memory. */
  location?: string;
  ports?: Partial<AzuritePorts>;
  /** Milliseconds to wait for all three services. */
  timeoutMs?: number;
}

/**
 * Starts Azurite from npm as a child process on free loopback ports and waits until all three
 * services accept connections. Telemetry off; API version check skipped (SDKs are newer than it).
 */
export async function startAzurite(options: StartAzuriteOptions = {}): Promise<AzuriteHandle> {
  const ports: AzuritePorts = {
    blob: options.ports?.blob ?? (await freePort()),
    queue: options.ports?.queue ?? (await freePort()),
    table: options.ports?.table ?? (await freePort()),
  };
  const args = [
    azuriteEntry(),
    '--silent',
    '--skipApiVersionCheck',
    '--loose',
    '--disableTelemetry',
    '--blobHost',
    '127.0.0.1',
    '--queueHost',
    '127.0.0.1',
    '--tableHost',
    '127.0.0.1',
    '--blobPort',
    String(ports.blob),
    '--queuePort',
    String(ports.queue),
    '--tablePort',
    String(ports.table),
  ];
  if (options.location) args.push('--location', options.location);
  else args.push('--inMemoryPersistence');

  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  const timeoutMs = options.timeoutMs ?? 30_000;
  try {
    await Promise.race([
      Promise.all([
        waitForPort(ports.blob, timeoutMs),
        waitForPort(ports.queue, timeoutMs),
        waitForPort(ports.table, timeoutMs),
      ]),
      exited.then(() => {
        throw new Error(`Azurite exited during start-up: ${stderr.trim() || 'no output'}`);
      }),
    ]);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }

  return {
    ports,
    connectionString: azuriteConnectionString(ports),
    process: child,
    kill: () => {
      child.kill('SIGKILL');
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
