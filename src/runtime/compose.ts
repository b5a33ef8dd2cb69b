import { createBlobAttachmentStore } from '../adapters/blobs/blob-attachment-store.js';
import { createGraphCredential } from '../adapters/graph/credential.js';
import { createGraphMailer } from '../adapters/graph/graph-mailer.js';
import { createQueueWriter } from '../adapters/queues/queue-writer.js';
import {
  createBlobContainerClient,
  createQueueClient,
  createTableClient,
} from '../adapters/storage/clients.js';
import { storageEndpoints } from '../adapters/storage/connection.js';
import { systemClock, systemIds, systemRandom } from '../adapters/system/system-clock.js';
import { createTableLedger, type TableLedger } from '../adapters/tables/table-ledger.js';
import { createConsoleLogger } from '../adapters/telemetry/console-logger.js';
import { createTelemetry } from '../adapters/telemetry/create-telemetry.js';
import { composeLoggers, createTelemetryLogger } from '../adapters/telemetry/telemetry-logger.js';
import type { TelemetrySink } from '../adapters/telemetry/telemetry-sink.js';
import { loadTemplateCatalog } from '../adapters/templates/load-template-catalog.js';
import type { Settings } from '../config/settings.js';
import { createDeliver, type Deliver } from '../core/delivery/deliver.js';
import type { CrashPoint, DeliverySettings } from '../core/delivery/types.js';
import { createLocalFlowGate, DEFAULT_BREAKER_TIMES } from '../core/flow/local-flow-gate.js';
import { createSharedFlowGate, type SharedGateSettings } from '../core/flow/shared-flow-gate.js';
import { createTableGateStore } from '../adapters/tables/table-gate-store.js';
import type { Logger } from '../ports/telemetry.js';
import type { TemplateCatalog } from '../ports/templates.js';

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

/** The cross-instance limits (ARCHITECTURE §4.4), with dev-mode time scaling applied to the windows. */
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

/**
 * The composition root shared by the Function, the local worker and the CLI: the only place that
 * knows which adapter sits behind which port.
 */
export async function composeRuntime(settings: Settings, options: ComposeOptions = {}): Promise<Runtime> {
  const clock = systemClock;
  const telemetry = createTelemetry({
    clock,
    roleName: 'hr-courier',
    storageEndpoints: Object.values(storageEndpoints(settings.storage)),
    ...(settings.appInsightsConnectionString
      ? { appInsightsConnectionString: settings.appInsightsConnectionString }
      : {}),
    ...(settings.telemetryFile ? { telemetryFile: settings.telemetryFile } : {}),
  });
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
