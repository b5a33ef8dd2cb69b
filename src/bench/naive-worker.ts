import { ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import { Client } from '@microsoft/microsoft-graph-client';
// The package has no `exports` map, so ESM needs the file, not the folder.
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js';
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createQueueConsumer } from '../adapters/queues/queue-consumer.js';
import { createQueueWriter } from '../adapters/queues/queue-writer.js';
import { createQueueClient } from '../adapters/storage/clients.js';
import { parseStorageConnection } from '../adapters/storage/connection.js';
import { systemClock } from '../adapters/system/system-clock.js';
import { createConsoleLogger } from '../adapters/telemetry/console-logger.js';
import { loadTemplateCatalog } from '../adapters/templates/load-template-catalog.js';
import { shutdownSignal } from '../cli/io.js';
import { DEFAULT_TEMPLATES_DIR } from '../config/settings.js';
import type { Logger } from '../ports/telemetry.js';
import type { HostQueueSettings } from '../worker/host-settings.js';
import { createWorker } from '../worker/worker.js';
import type { WorkerSummary } from '../worker/worker-types.js';
import { createNaiveHandler } from './naive-handler.js';

/**
 * The Functions host's queue defaults, which a sample's host.json leaves alone: 16 + 8 = 24 messages
 * in flight, a failed message visible again at once, poison after 5 dequeues. The polling ceiling is
 * the host's local-development one (2 s), so an idle naive worker notices work as soon as ours does.
 */
export const HOST_DEFAULT_QUEUE_SETTINGS: HostQueueSettings = {
  batchSize: 16,
  newBatchThreshold: 8,
  maxDequeueCount: 5,
  visibilityTimeoutSec: 0,
  maxPollingIntervalMs: 2_000,
  messageEncoding: 'none',
  functionTimeoutMs: undefined,
};

export interface NaiveWorkerOptions {
  /** AzureWebJobsStorage, HR_COURIER_QUEUE, GRAPH_BASE_URL, HR_COURIER_TEMPLATES. */
  env: Record<string, string | undefined>;
  drain: boolean;
  signal: AbortSignal;
  maxWaitMs?: number;
  log?: Logger;
  /** Default: ManagedIdentityCredential, which reads IDENTITY_ENDPOINT / IDENTITY_HEADER. */
  credential?: TokenCredential;
}

/** A Graph client exactly as samples make one: `initWithMiddleware({ authProvider })`, default chain. */
export function createDefaultGraphClient(graphBaseUrl: string, credential: TokenCredential): Client {
  const url = new URL(graphBaseUrl);
  const authProvider = new TokenCredentialAuthenticationProvider(credential, {
    scopes: ['https://graph.microsoft.com/.default'],
  });
  return Client.initWithMiddleware({
    authProvider,
    baseUrl: url.origin,
    // Only the simulator needs this: the SDK attaches tokens to Graph's own hosts by itself.
    ...(url.hostname === 'graph.microsoft.com' ? {} : { customHosts: new Set([url.hostname]) }),
  });
}

/** Runs the naive worker on the host's default queue loop until drained or stopped. */
export async function runNaiveWorker(options: NaiveWorkerOptions): Promise<WorkerSummary> {
  const { env } = options;
  const graphBaseUrl = env.GRAPH_BASE_URL;
  if (graphBaseUrl === undefined || graphBaseUrl === '') throw new Error('GRAPH_BASE_URL is not set');
  const storage = parseStorageConnection(env);
  const queueName = env.HR_COURIER_QUEUE ?? 'hr-mail';
  const templates = await loadTemplateCatalog(env.HR_COURIER_TEMPLATES ?? DEFAULT_TEMPLATES_DIR);
  const graph = createDefaultGraphClient(graphBaseUrl, options.credential ?? new ManagedIdentityCredential());
  const worker = createWorker({
    consumer: createQueueConsumer(createQueueClient(storage, queueName)),
    poison: createQueueWriter(createQueueClient(storage, `${queueName}-poison`)),
    settings: HOST_DEFAULT_QUEUE_SETTINGS,
    handler: createNaiveHandler({ templates, graph }),
    clock: systemClock,
    log: options.log ?? createConsoleLogger({ json: true, minLevel: 'error' }),
  });
  return worker.run({
    drain: options.drain,
    signal: options.signal,
    ...(options.maxWaitMs === undefined ? {} : { maxWaitMs: options.maxWaitMs }),
  });
}

/** `node dist/bench/naive-worker.js [--drain] [--max-wait SECONDS]`: one JSON summary line on stdout. */
async function main(argv: string[]): Promise<number> {
  const maxWaitAt = argv.indexOf('--max-wait');
  const maxWaitSec = maxWaitAt === -1 ? undefined : Number(argv[maxWaitAt + 1]);
  const stop = shutdownSignal();
  try {
    const summary = await runNaiveWorker({
      env: process.env,
      drain: argv.includes('--drain'),
      signal: stop.signal,
      ...(maxWaitSec === undefined || !Number.isFinite(maxWaitSec) ? {} : { maxWaitMs: maxWaitSec * 1000 }),
    });
    process.stdout.write(`${JSON.stringify({ type: 'summary', ...summary })}\n`);
    return summary.stoppedBy === 'maxWait' ? 1 : 0;
  } finally {
    stop.dispose();
  }
}

/** True when this file is the process's entry point, not a module imported by a test or the runner. */
function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`naive worker: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
