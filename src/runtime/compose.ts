import { createBlobAttachmentStore } from '../adapters/blobs/blob-attachment-store.js';
import { createGraphCredential } from '../adapters/graph/credential.js';
import { createGraphMailer } from '../adapters/graph/graph-mailer.js';
import { createQueueConsumer } from '../adapters/queues/queue-consumer.js';
import { createQueueWriter } from '../adapters/queues/queue-writer.js';
import {
  createBlobContainerClient,
  createQueueClient,
  createTableClient,
} from '../adapters/storage/clients.js';
import { parseStorageConnection, storageEndpoints } from '../adapters/storage/connection.js';
import { systemClock, systemIds, systemRandom } from '../adapters/system/system-clock.js';
import { createTableLedger, type TableLedger } from '../adapters/tables/table-ledger.js';
import { createConsoleLogger } from '../adapters/telemetry/console-logger.js';
import { createTelemetry } from '../adapters/telemetry/create-telemetry.js';
import { composeLoggers, createTelemetryLogger } from '../adapters/telemetry/telemetry-logger.js';
import type { TelemetrySink } from '../adapters/telemetry/telemetry-sink.js';
import { loadTemplateCatalog } from '../adapters/templates/load-template-catalog.js';
import type { Settings } from '../config/settings.js';
import { createDeliver, type Deliver } from '../core/delivery/deliver.js';
import type { CrashPoint, DeliveryReport, DeliverySettings } from '../core/delivery/types.js';
import { createLocalFlowGate, DEFAULT_BREAKER_TIMES } from '../core/flow/local-flow-gate.js';
import { createSharedFlowGate, type SharedGateSettings } from '../core/flow/shared-flow-gate.js';
import { createTableGateStore } from '../adapters/tables/table-gate-store.js';
import type { ResolveDeps } from '../core/resolve.js';
import type { Clock, Ids } from '../ports/clock.js';
import type { Ledger } from '../ports/ledger.js';
import type { QueueWriter } from '../ports/queue.js';
import type { Logger } from '../ports/telemetry.js';
import type { TemplateCatalog } from '../ports/templates.js';
import type { HostQueueSettings } from '../worker/host-settings.js';
import { createWorker } from '../worker/worker.js';
import type { Worker } from '../worker/worker-types.js';

/** Everything one process needs to deliver mail, built once from validated settings. */
export interface Runtime {
  settings: Settings;
  deliver: Deliver;
  ledger: TableLedger;
  templates: TemplateCatalog;
  telemetry: TelemetrySink;
  log: Logger;
  /** Flushes telemetry; call before the process exits. */
  close(): Promise<void>;
}

export interface ComposeOptions {
  /** Where log lines go besides telemetry (the Function passes the invocation context's logger). */
  log?: Logger;
  crashHook?: (point: CrashPoint) => void;
}

/** How long a message may wait in-process for a gate permit before it is deferred instead. */
const GATE_MAX_WAIT_MS = 15_000;

export function deliverySettings(settings: Settings): DeliverySettings {
  return {
    allowedSenders: new Set(settings.allowedSenders),
    onUnknown: settings.onUnknown,
    sendTimeoutMs: settings.sendTimeoutMs,
    leaseMs: settings.leaseMs,
    maxAttempts: settings.maxAttempts,
    maxAgeMs: settings.maxAgeMs,
    transientRetries: 3,
    ledgerRetryBudgetMs: 120_000,
    authRetryDelayMs: 5 * 60_000,
    verifyGraceMs: settings.verifyGraceMs,
    timeScale: settings.timeScale,
    sentRecordBudgetMs: 5 * 60_000,
  };
}

/** The cross-instance limits (docs/architecture.md §5.4), with dev-mode time scaling applied to the windows. */
export function sharedGateSettings(settings: Settings): SharedGateSettings {
  return {
    appConcurrency: settings.appConcurrency,
    mailboxConcurrency: settings.mailboxConcurrency,
    mailboxPerMinute: settings.mailboxPerMinute,
    recipientsPerDay: settings.mailboxRecipientsPerDay,
    // A slot outlives the longest POST, with a small margin. Shorter than the `sending` mark's lease:
    // a slot expiring early risks one extra concurrent request (a 429), never a duplicate, while a
    // crashed instance's slots hold every instance back until they expire.
    leaseMs: settings.sendTimeoutMs + 10_000 / settings.timeScale,
    rateWindowMs: 60_000 / settings.timeScale,
    bucketMs: 3_600_000 / settings.timeScale,
    budgetBuckets: 24,
    maxWaitMs: 2_000,
    spreadMs: 10_000 / settings.timeScale,
  };
}

/** One telemetry for every process, so `resolve` reports and scrubs URLs as the worker does. */
function composeTelemetry(settings: Settings): TelemetrySink {
  return createTelemetry({
    clock: systemClock,
    roleName: 'hr-courier',
    storageEndpoints: Object.values(storageEndpoints(settings.storage)),
    ...(settings.appInsightsConnectionString
      ? { appInsightsConnectionString: settings.appInsightsConnectionString }
      : {}),
    ...(settings.telemetryFile ? { telemetryFile: settings.telemetryFile } : {}),
  });
}

/**
 * The composition root shared by the Function, the local worker and the CLI: the only place that
 * knows which adapter sits behind which port.
 */
export async function composeRuntime(settings: Settings, options: ComposeOptions = {}): Promise<Runtime> {
  const clock = systemClock;
  const telemetry = composeTelemetry(settings);
  const log = composeLoggers(
    options.log ?? createConsoleLogger({ json: true }),
    createTelemetryLogger(telemetry),
  );
  const ledger = createTableLedger({ client: createTableClient(settings.storage, settings.ledgerTable) });
  const templates = await loadTemplateCatalog(settings.templatesDir);
  await ledger.ensureTable();
  const credential = createGraphCredential({
    kind: settings.credential,
    ...(settings.azureClientId ? { clientId: settings.azureClientId } : {}),
  });
  const deliver = createDeliver({
    settings: deliverySettings(settings),
    ledger,
    mailer: createGraphMailer({ ...settings.graph, credential, clock }),
    templates,
    attachments: createBlobAttachmentStore({
      container: createBlobContainerClient(settings.storage, settings.attachmentsContainer),
    }),
    queue: createQueueWriter(createQueueClient(settings.storage, settings.queueName)),
    poison: createQueueWriter(createQueueClient(settings.storage, settings.poisonQueueName)),
    held: createQueueWriter(createQueueClient(settings.storage, settings.heldQueueName)),
    gate: createSharedFlowGate({
      store: createTableGateStore({ client: createTableClient(settings.storage, settings.ledgerTable) }),
      local: createLocalFlowGate(
        {
          appConcurrency: settings.appConcurrency,
          mailboxConcurrency: settings.mailboxConcurrency,
          maxWaitMs: GATE_MAX_WAIT_MS,
          authCooldownMs: DEFAULT_BREAKER_TIMES.authCooldownMs / settings.timeScale,
          authMaxCooldownMs: DEFAULT_BREAKER_TIMES.authMaxCooldownMs / settings.timeScale,
          mailboxProbeMs: DEFAULT_BREAKER_TIMES.mailboxProbeMs / settings.timeScale,
        },
        clock,
      ),
      settings: sharedGateSettings(settings),
      clock,
      ids: systemIds,
      random: systemRandom,
    }),
    telemetry,
    log,
    clock,
    ids: systemIds,
    random: systemRandom,
    ...(options.crashHook ? { crashHook: options.crashHook } : {}),
  });
  return {
    settings,
    deliver,
    ledger,
    templates,
    telemetry,
    log,
    close: () => telemetry.close(),
  };
}

const SILENT: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * The Function's runtime. With App Insights the host already collects stdout, so logs go through
 * telemetry only, not twice; without it, to the console as JSON lines.
 */
export function composeFunctionRuntime(settings: Settings): Promise<Runtime> {
  return composeRuntime(settings, {
    log: settings.appInsightsConnectionString ? SILENT : createConsoleLogger({ json: true }),
  });
}

export interface LocalWorkerOptions {
  /** host.json's queue settings, which the local worker honours as the Functions host does. */
  hostSettings: HostQueueSettings;
  /** JSON log lines instead of `LEVEL message key=value`; warnings and errors only, on stderr. */
  jsonLogs: boolean;
  crashHook?: (point: CrashPoint) => void;
  leaseSec?: number;
  /** Called with each delivery's report, for the command to print. */
  onReport: (report: DeliveryReport) => void;
}

export interface LocalWorker {
  worker: Worker;
  /** Flushes telemetry; call once the worker has stopped. */
  close(): Promise<void>;
}

/** `hr-courier worker`: the Function's runtime, fed by a poller of the main queue. */
export async function composeLocalWorker(
  settings: Settings,
  options: LocalWorkerOptions,
): Promise<LocalWorker> {
  const log = createConsoleLogger({ json: options.jsonLogs, minLevel: 'warn' });
  const runtime = await composeRuntime(settings, {
    log,
    ...(options.crashHook ? { crashHook: options.crashHook } : {}),
  });
  const worker = createWorker({
    consumer: createQueueConsumer(createQueueClient(settings.storage, settings.queueName)),
    poison: createQueueWriter(createQueueClient(settings.storage, settings.poisonQueueName)),
    settings: options.hostSettings,
    clock: systemClock,
    log,
    ...(options.leaseSec === undefined ? {} : { leaseSec: options.leaseSec }),
    handler: async (message, signal) => {
      options.onReport(
        await runtime.deliver({
          text: message.text,
          id: message.id,
          dequeueCount: message.dequeueCount,
          signal,
        }),
      );
    },
  });
  return { worker, close: () => runtime.close() };
}

/** `hr-courier resolve`: the ledger, `<queue>-held` and the main queue, and telemetry to close. */
export function composeResolve(settings: Settings): ResolveDeps & { close(): Promise<void> } {
  const telemetry = composeTelemetry(settings);
  return {
    ledger: createTableLedger({ client: createTableClient(settings.storage, settings.ledgerTable) }),
    held: createQueueConsumer(createQueueClient(settings.storage, settings.heldQueueName)),
    queue: createQueueWriter(createQueueClient(settings.storage, settings.queueName)),
    telemetry,
    clock: systemClock,
    close: () => telemetry.close(),
  };
}

/** `hr-courier trace`: the ledger, read only. */
export function composeLedger(settings: Settings): Ledger {
  return createTableLedger({ client: createTableClient(settings.storage, settings.ledgerTable) });
}

/** The template catalog in `dir`: `render` and `enqueue` need no storage or Graph settings for it. */
export function composeTemplates(dir: string): Promise<TemplateCatalog> {
  return loadTemplateCatalog(dir);
}

/** `hr-courier enqueue`: a writer to the main queue. */
export function composeQueueWriter(settings: Settings): QueueWriter {
  return createQueueWriter(createQueueClient(settings.storage, settings.queueName));
}

/**
 * A writer to `queueName` on the storage that `AzureWebJobsStorage` in `env` names: for `dev`, whose
 * stack is described by an environment, not by validated settings.
 */
export function composeQueueWriterFromEnv(
  env: Record<string, string | undefined>,
  queueName: string,
): QueueWriter {
  return createQueueWriter(createQueueClient(parseStorageConnection(env), queueName));
}

/**
 * The machine's clock and ids, for the dev tools: the simulator and the dev stack take them from
 * their caller, so that the process has one system clock.
 */
export function composeSystem(): { clock: Clock; ids: Ids } {
  return { clock: systemClock, ids: systemIds };
}
