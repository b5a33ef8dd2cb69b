import type { AttachmentStore } from '../ports/attachments.js';
import type { Clock, Ids, Random } from '../ports/clock.js';
import type { FlowGate } from '../ports/flow-gate.js';
import type { GraphMailer } from '../ports/graph.js';
import {
  LedgerConflictError,
  LedgerUnavailableError,
  type AttemptRecord,
  type KeySource,
  type Ledger,
  type MailRecord,
  type MailState,
} from '../ports/ledger.js';
import type { QueueWriter } from '../ports/queue.js';
import type { Logger, Telemetry, TelemetryEventName, TelemetryProperties } from '../ports/telemetry.js';
import type { TemplateCatalog } from '../ports/templates.js';
import { retrying } from './backoff.js';
import type { HrMailMessage } from './contract.js';

export type OnUnknownPolicy = 'hold' | 'verify' | 'verify-then-resend' | 'resend';

export interface DeliverySettings {
  /** Lower-cased sender mailboxes that may send (the mirror of the Exchange fence). */
  allowedSenders: ReadonlySet<string>;
  onUnknown: OnUnknownPolicy;
  /** The POST is aborted after this long; then its outcome is unknown. */
  sendTimeoutMs: number;
  /** The `sending` lease; longer than the POST timeout plus a clock-skew margin. */
  leaseMs: number;
  /** Graph attempts before `RetriesExhausted`. */
  maxAttempts: number;
  /** Age (since first seen) before `RetriesExhausted`. */
  maxAgeMs: number;
  /** In-process retries of a transient failure (2/4/8 s) before deferring. */
  transientRetries: number;
  /** How long ledger calls are retried inside one invocation before it fails (and the host retries). */
  ledgerRetryBudgetMs: number;
  /** Delay before a message held by an auth failure is tried again. */
  authRetryDelayMs: number;
  /** How long `verify*` keeps looking for an unknown outcome before holding it (or resending it). */
  verifyGraceMs: number;
  /** Dev mode only: divides hr-courier's own waits (backoffs, verification schedule) so tests run in seconds. */
  timeScale: number;
  /** How long the ledger write after a 202 keeps being retried before the invocation gives up. */
  sentRecordBudgetMs: number;
}

/** Points where a dev-mode crash hook may kill the process (ARCHITECTURE §8); no-ops in production. */
export type CrashPoint = 'before-mark' | 'after-mark' | 'during-send' | 'after-send' | 'after-record';

export interface DeliverDeps {
  settings: DeliverySettings;
  ledger: Ledger;
  mailer: GraphMailer;
  templates: TemplateCatalog;
  attachments: AttachmentStore;
  /** The main queue, for deferral (the original bytes, re-enqueued with a delay). */
  queue: QueueWriter;
  poison: QueueWriter;
  /** `<queue>-held`: original bytes of unknown outcomes parked for an operator (`hr-courier resolve`). */
  held: QueueWriter;
  gate: FlowGate;
  telemetry: Telemetry;
  log: Logger;
  clock: Clock;
  ids: Ids;
  random: Random;
  crashHook?: (point: CrashPoint) => void;
}

export interface IncomingMessage {
  /** The message exactly as it was dequeued. */
  text: string;
  id?: string;
  dequeueCount: number;
  /** Aborted when the worker shuts down: in-process waits end early and the message is deferred. */
  signal?: AbortSignal;
}

export type DeliveryOutcome = 'sent' | 'duplicate' | 'failed' | 'deferred' | 'unknown' | 'expired';

/** What happened to one message, PII-free: what the worker and `dev` print and the tests assert on. */
export interface DeliveryReport {
  outcome: DeliveryOutcome;
  state: MailState;
  businessId: string;
  key: string;
  code?: string;
  sender?: string;
  template?: string;
  intent?: string;
  attempts: number;
  clientRequestId?: string;
  requestId?: string;
  graphDate?: string;
  delaySec?: number;
}

/** One invocation's working state. */
export interface Run {
  deps: DeliverDeps;
  input: IncomingMessage;
  m: HrMailMessage;
  key: string;
  keySource: KeySource;
  hash: string;
  /** The storage server's clock at the last ledger call (epoch ms). */
  serverTime: number;
  /** Whether a write that counted this delivery has landed (so a retry does not count it twice). */
  deliveryCounted: boolean;
  lastAttempt?: AttemptRecord;
  /** Every Graph attempt of this invocation, for the look-up index. */
  attemptsThisRun: AttemptRecord[];
}

export const iso = (ms: number) => new Date(ms).toISOString();

/** Ledger calls survive short outages: retried with backoff for the configured budget, then rethrown. */
export function ledgerCall<T>(
  deps: DeliverDeps,
  op: () => Promise<T>,
  signal?: AbortSignal,
  budgetMs = deps.settings.ledgerRetryBudgetMs,
): Promise<T> {
  return retrying(op, {
    isRetryable: (e) => e instanceof LedgerUnavailableError,
    budgetMs,
    clock: deps.clock,
    random: deps.random,
    baseMs: 500,
    capMs: 20_000,
    ...(signal ? { signal } : {}),
    onRetry: (_e, attempt, delayMs) => {
      deps.log.warn('ledger unavailable; retrying', { attempt, delayMs });
    },
  });
}

/** An ETag-guarded write of the state row (plus attempt rows, atomically). Conflicts propagate. */
export async function save(
  run: Run,
  rec: MailRecord,
  attempts: AttemptRecord[] = [],
  budgetMs?: number,
): Promise<MailRecord> {
  const result = await ledgerCall(run.deps, () => run.deps.ledger.update(rec, attempts), undefined, budgetMs);
  run.serverTime = result.serverTime;
  run.deliveryCounted = true;
  return result.value;
}

/**
 * Writes an outcome after Graph was called. Graph's answer is a fact that must not be lost to a
 * concurrent writer (e.g. one that saw our lease expire and marked the key unknown): on an ETag
 * conflict the latest row is re-read and our outcome re-applied on top of it.
 */
export async function saveOutcome(
  run: Run,
  rec: MailRecord,
  attempt: AttemptRecord | undefined,
  apply: (latest: MailRecord) => MailRecord,
  budgetMs?: number,
): Promise<MailRecord> {
  let current = rec;
  let row = attempt;
  for (let round = 0; ; round++) {
    try {
      return await save(run, current, row ? [row] : [], budgetMs);
    } catch (e) {
      if (!(e instanceof LedgerConflictError) || round >= 5) throw e;
      const latest = await ledgerCall(run.deps, () => run.deps.ledger.read(current.businessId, current.key));
      run.serverTime = latest.serverTime;
      if (!latest.value) throw e;
      if (row) {
        const n = Math.max(latest.value.attempts, row.n - 1) + 1;
        row = { ...row, n };
      }
      current = apply({ ...latest.value, attempts: row ? row.n : latest.value.attempts });
    }
  }
}

/** Telemetry and log dimensions for a message: ids, counts, sender, intent, template; never content. */
export function dimensions(
  run: Run,
  rec: MailRecord | undefined,
  extra: TelemetryProperties = {},
): TelemetryProperties {
  const a = run.lastAttempt;
  return {
    key: run.key,
    businessId: run.m.businessId,
    intent: run.m.intent,
    template: run.m.template,
    templateVersion: rec?.templateVersion ?? run.m.templateVersion,
    sender: run.m.sender.toLowerCase(),
    recipientCount: rec?.recipientCount,
    recipientDomains: rec?.recipientDomains.join(','),
    state: rec?.state,
    attempts: rec?.attempts,
    deliveries: rec?.deliveries,
    dequeueCount: run.input.dequeueCount,
    queueMessageId: run.input.id,
    correlationId: run.m.correlationId,
    clientRequestId: a?.clientRequestId,
    requestId: a?.requestId,
    graphDate: a?.date,
    status: a?.status,
    ...extra,
  };
}

export function emit(
  run: Run,
  name: TelemetryEventName,
  rec: MailRecord | undefined,
  extra: TelemetryProperties = {},
) {
  const props = dimensions(run, rec, extra);
  run.deps.telemetry.event(name, props);
  run.deps.log.info(name, props);
}

export function report(
  run: Run,
  rec: MailRecord,
  outcome: DeliveryReport['outcome'],
  code?: string,
): DeliveryReport {
  const a = run.lastAttempt;
  const r: DeliveryReport = {
    outcome,
    state: rec.state,
    businessId: rec.businessId,
    key: rec.key,
    sender: run.m.sender.toLowerCase(),
    template: run.m.template,
    intent: run.m.intent,
    attempts: rec.attempts,
  };
  if (code !== undefined) r.code = code;
  const clientRequestId = a?.clientRequestId ?? rec.lastClientRequestId;
  const requestId = a?.requestId ?? rec.lastRequestId;
  if (clientRequestId !== undefined) r.clientRequestId = clientRequestId;
  if (requestId !== undefined) r.requestId = requestId;
  if (a?.date !== undefined) r.graphDate = a.date;
  return r;
}
