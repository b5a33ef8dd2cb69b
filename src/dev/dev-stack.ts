import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AZURITE_DEFAULT_PORTS } from '../adapters/storage/azurite-account.js';
import type { Clock, Ids } from '../ports/clock.js';
import { startSimulator, type SimulatorHandle } from '../sim/index.js';
import { startAzurite, type AzuriteHandle } from './azurite.js';
import { freePort } from './free-port.js';
import { shellQuote } from '../sim/shell-quote.js';

export interface DevStackOptions {
  stateDir: string;
  /** Mailboxes that exist in the simulator, and that the fence and the allow-list let the app send as. */
  senders: string[];
  /** Keep Azurite's data in `<stateDir>/azurite` across runs (default: in memory, fresh each run). */
  persist?: boolean;
  /** Use free ports instead of Azurite's defaults (parallel runs, or when 10000-10002 are taken). */
  anyPorts?: boolean;
  queueName?: string;
  /** The process's clock and ids, which the simulator takes from its caller. */
  clock: Clock;
  ids: Ids;
}

export interface DevStack {
  azurite: AzuriteHandle;
  sim: SimulatorHandle;
  /** The environment a worker (or `enqueue`, `trace`) needs to use this stack. */
  env: Record<string, string>;
  /** A shell file with that environment, for other terminals. */
  envFile: string;
  stop(): Promise<void>;
}

async function portsFree(ports: number[]): Promise<boolean> {
  const { createServer } = await import('node:net');
  for (const port of ports) {
    const free = await new Promise<boolean>((done) => {
      const s = createServer();
      s.once('error', () => {
        done(false);
      });
      s.listen(port, '127.0.0.1', () => {
        s.close(() => {
          done(true);
        });
      });
    });
    if (!free) return false;
  }
  return true;
}

/**
 * Trust for the worker: the simulator's certificate plus whatever extra CAs the user already trusts
 * (a corporate proxy's, say), because NODE_EXTRA_CA_CERTS takes one file and would replace them.
 */
async function writeCaBundle(stateDir: string, simCertPath: string): Promise<string> {
  const parts = [await readFile(simCertPath, 'utf8')];
  const existing = process.env.NODE_EXTRA_CA_CERTS;
  if (existing && existsSync(existing) && resolve(existing) !== resolve(simCertPath)) {
    parts.push(await readFile(existing, 'utf8'));
  }
  const bundle = join(stateDir, 'ca-bundle.pem');
  await writeFile(bundle, parts.join('\n'));
  return bundle;
}

/** Azurite and the Graph simulator as child services on loopback, and the environment to use them. */
export async function startDevStack(options: DevStackOptions): Promise<DevStack> {
  const stateDir = resolve(options.stateDir);
  await mkdir(stateDir, { recursive: true });
  const useDefaults = !options.anyPorts && (await portsFree(Object.values(AZURITE_DEFAULT_PORTS)));
  const azurite = await startAzurite({
    ...(useDefaults ? { ports: AZURITE_DEFAULT_PORTS } : {}),
    ...(options.persist ? { location: join(stateDir, 'azurite') } : {}),
  });
  let sim: SimulatorHandle;
  try {
    sim = await startSimulator({
      clock: options.clock,
      ids: options.ids,
      port: await freePort(),
      identityPort: await freePort(),
      certDir: join(stateDir, 'cert'),
      outboxDir: join(stateDir, 'outbox'),
      mailboxes: options.senders,
      allowedSenders: options.senders,
      transportDelayMs: 2_000,
    });
  } catch (e) {
    await azurite.stop();
    throw e;
  }
  const env: Record<string, string> = {
    AzureWebJobsStorage: useDefaults ? 'UseDevelopmentStorage=true' : azurite.connectionString,
    HR_COURIER_QUEUE: options.queueName ?? 'hr-mail',
    HR_COURIER_ALLOWED_SENDERS: options.senders.join(','),
    HR_COURIER_TELEMETRY_FILE: join(stateDir, 'telemetry.jsonl'),
    ...sim.env(),
    NODE_EXTRA_CA_CERTS: await writeCaBundle(stateDir, sim.caCertPath),
  };
  const envFile = join(stateDir, 'dev.env');
  await writeFile(
    envFile,
    [
      '# Written by `hr-courier dev` for the stack it is running now. In another terminal:',
      `#   source ${envFile}`,
      ...Object.entries(env).map(([k, v]) => `export ${k}=${shellQuote(v)}`),
      '',
    ].join('\n'),
  );
  return {
    azurite,
    sim,
    env,
    envFile,
    stop: async () => {
      await sim.close();
      await azurite.stop();
    },
  };
}
