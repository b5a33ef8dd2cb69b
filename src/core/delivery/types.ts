import type { AttachmentStore } from '../../ports/attachments.js';
import type { Clock, Ids, Random } from '../../ports/clock.js';
import type { FlowGate } from '../../ports/flow-gate.js';
import type { GraphMailer } from '../../ports/graph.js';
import type { KeySource, Ledger, MailState } from '../../ports/ledger.js';
import type { QueueWriter } from '../../ports/queue.js';
import type { Logger, Telemetry } from '../../ports/telemetry.js';
import type { TemplateCatalog } from '../../ports/templates.js';
import type { HrMailMessage } from '../contract.js';

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
  /** Delay before a message deferred by an auth failure is tried again. */
  authRetryDelayMs: number;
  /** How long `verify*` keeps looking for an unknown outcome before holding it (or resending it). */
  verifyGraceMs: number;
  /** Dev mode only: divides hr-courier's own waits (backoffs, verification schedule) so tests run in seconds. */
  timeScale: number;
  /** How long the ledger write after a 202 keeps being retried before the invocation gives up. */
  sentRecordBudgetMs: number;
}

/** Points where a dev-mode crash hook may kill the process (docs/architecture.md §9); none in production. */
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
  /** `<queue>-held`: original bytes of unknown outcomes held for an operator (`hr-courier resolve`). */
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

/** What one copy of a message is, once decoded: fixed for the whole invocation. */
export interface Mail {
  input: IncomingMessage;
  message: HrMailMessage;
  key: string;
  keySource: KeySource;
  /** sha256 of the canonical JSON of the whole message: the same key with another hash is KeyConflict. */
  hash: string;
  /** Lower-cased sender mailbox: the gate's, the ledger's and telemetry's spelling. */
  sender: string;
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
