import { createDeliver } from '../../src/core/delivery/deliver.js';
import type { DeliverySettings, IncomingMessage } from '../../src/core/delivery/types.js';
import { createLocalFlowGate } from '../../src/core/flow/local-flow-gate.js';
import { createMemoryAttachmentStore } from '../fakes/attachments.js';
import { createManualClock, fixedRandom, sequentialIds } from '../fakes/clock.js';
import { createScriptedMailer, type ScriptedAnswer } from '../fakes/graph.js';
import { createMemoryLedger } from '../fakes/ledger.js';
import { createFakeQueue } from '../fakes/queue.js';
import { createRecordingTelemetry } from '../fakes/telemetry.js';
import { createFakeCatalog } from '../fakes/templates.js';

export const testSettings: DeliverySettings = {
  allowedSenders: new Set(['offers@contoso.com']),
  onUnknown: 'hold',
  sendTimeoutMs: 30_000,
  leaseMs: 90_000,
  maxAttempts: 12,
  maxAgeMs: 72 * 3_600_000,
  transientRetries: 3,
  ledgerRetryBudgetMs: 120_000,
  authRetryDelayMs: 300_000,
  verifyGraceMs: 2 * 3_600_000,
  timeScale: 1,
  sentRecordBudgetMs: 300_000,
};

/** The core wired to in-memory fakes of every port: deterministic, instant, inspectable. */
export function createHarness(
  options: {
    script?: ScriptedAnswer[];
    settings?: Partial<DeliverySettings>;
    files?: Record<string, Buffer>;
  } = {},
) {
  const clock = createManualClock();
  const ledger = createMemoryLedger({ clock });
  const queue = createFakeQueue({ name: 'hr-mail', clock });
  const poison = createFakeQueue({ name: 'hr-mail-poison', clock });
  const held = createFakeQueue({ name: 'hr-mail-held', clock });
  const mailer = createScriptedMailer(options.script);
  const telemetry = createRecordingTelemetry();
  const settings = { ...testSettings, ...options.settings };
  const deps = {
    settings,
    ledger,
    mailer,
    templates: createFakeCatalog(),
    attachments: createMemoryAttachmentStore(options.files ?? {}),
    queue,
    poison,
    held,
    gate: createLocalFlowGate({ appConcurrency: 4, mailboxConcurrency: 2, maxWaitMs: 1_000 }, clock),
    telemetry,
    log: telemetry,
    clock,
    ids: sequentialIds(),
    random: fixedRandom(0.5),
  };
  const deliver = createDeliver(deps);
  return {
    ...deps,
    events: (name?: Parameters<typeof telemetry.events>[0]) => telemetry.events(name),
    items: telemetry.items,
    deliver: (text: string, extra: Partial<IncomingMessage> = {}) =>
      deliver({ text, dequeueCount: 1, ...extra }),
    deliverWith: deliver,
    /** The state row for a key, via the ledger's own read. */
    state: async (businessId: string, key: string) => (await ledger.read(businessId, key)).value,
    attempts: () => ledger.snapshot().attempts,
  };
}
