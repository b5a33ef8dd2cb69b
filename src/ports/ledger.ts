import type { FailureReason } from '../domain/failure.js';

/**
 * The ledger: one state row per idempotency key and one row per Graph attempt, partitioned by
 * businessId so "everything about CAND-12345" is a single partition query (docs/architecture.md §6).
 */

export type MailState =
  /** Seen, not yet attempted (or a pre-send step is in progress). Free to process. */
  | 'received'
  /** Waiting in the queue for a later try (throttled, transient failure, notBefore). Free to process. */
  | 'deferred'
  /** A worker holds the send lease and may be calling Graph right now. */
  | 'sending'
  /** Graph answered 202 (or an operator or a verify look-up settled it as sent). Terminal. */
  | 'sent'
  /** Permanent failure; the original bytes are in the poison queue. Terminal. */
  | 'failed'
  /** `expiresAt` passed before it could be sent; never sent. Terminal. */
  | 'expired'
  /** The POST may have happened (500/502/504, timeout after the body, expired lease). Held. */
  | 'unknown';

/**
 * Partition for input that carried no valid businessId (not JSON, wrong shape). `@` never occurs in a
 * businessId, so this partition can never be a real businessId's.
 */
export const INVALID_INPUT_PARTITION = '@invalid';

export const TERMINAL_STATES: readonly MailState[] = ['sent', 'failed', 'expired', 'unknown'];

/** Where the row key came from. `raw` rows record input that never got as far as a key. */
export type KeySource = 'given' | 'derived' | 'raw' | 'conflict';

export interface SendLease {
  attemptId: string;
  /** ISO time, in the storage server's clock, after which the lease is expired. */
  until: string;
}

export interface Resolution {
  decision: 'sent' | 'resend';
  reason: string;
  by: string;
  at: string;
}

/** The state row (PartitionKey = businessId, RowKey = key). No recipient addresses, names, subject or data. */
export interface MailRecord {
  businessId: string;
  key: string;
  keySource: KeySource;
  state: MailState;
  /** sha256 of the canonical JSON of the whole message. */
  payloadHash: string;
  intent?: string;
  template?: string;
  templateVersion?: string;
  sender?: string;
  recipientCount: number;
  /** Lower-cased, de-duplicated, sorted recipient domains (allowed in telemetry: no local parts). */
  recipientDomains: string[];
  attachmentCount: number;
  /** How many times a copy of this message was processed. */
  deliveries: number;
  /** How many Graph attempts were made (attempt rows are numbered 1..attempts). */
  attempts: number;
  firstSeen: string;
  lastSeen: string;
  sentAt?: string;
  lease?: SendLease;
  reason?: FailureReason;
  /** When the original bytes were written to the poison queue. */
  poisonedAt?: string;
  /** How many times the message was re-enqueued with a delay. */
  deferrals: number;
  /** While deferred: when the re-enqueued copy becomes due (a copy arriving earlier waits again). */
  nextAttemptAt?: string;
  /** While deferred: why (Paused, RateLimit, RecipientBudget, MailboxBlocked, NotBefore, Transient…). */
  deferredFor?: string;
  correlationId?: string;
  notBefore?: string;
  expiresAt?: string;
  lastClientRequestId?: string;
  lastRequestId?: string;
  /** When the outcome became unknown (a 5xx, a timeout after the body, an expired lease). */
  unknownSince?: string;
  /** Look-ups of the HrCourierKey in the sender's mailbox (HR_COURIER_ON_UNKNOWN=verify*). */
  verifications: number;
  /** When the original bytes were held in `<queue>-held`, waiting for an operator (`hr-courier resolve`). */
  heldAt?: string;
  /** Name and code of the last unexpected error that failed an invocation (never its message). */
  lastError?: string;
  resolution?: Resolution;
  /** Opaque concurrency token from storage; required for update. */
  etag: string;
}

export type NewMailRecord = Omit<MailRecord, 'etag'>;

export type AttemptOutcome =
  | 'sent'
  | 'permanent'
  | 'auth'
  | 'throttled'
  | 'transient'
  | 'unknown'
  /** A verification look-up that found the mail in the sender's mailbox. */
  | 'found'
  /** A verification look-up that did not find it (yet). */
  | 'not-found';

/** One Graph request about this key — a send or a verification look-up (RowKey = `{key}~a{n}`, n zero-padded). */
export interface AttemptRecord {
  businessId: string;
  key: string;
  n: number;
  attemptId: string;
  clientRequestId: string;
  requestId?: string;
  /** The `Date` header of Graph's response (server time). */
  date?: string;
  diagnostic?: string;
  status?: number;
  graphCode?: string;
  outcome: AttemptOutcome;
  code?: string;
  retryAfter?: string;
  durationMs: number;
  startedAt: string;
}

/** Every read and write reports the storage server's clock (the response `Date`), for leases. */
export interface LedgerResult<T> {
  value: T;
  /** Epoch ms from the storage server's `Date` header. */
  serverTime: number;
}

export type IndexKind = 'key' | 'client-request-id' | 'request-id';

export interface IndexEntry {
  kind: IndexKind;
  id: string;
  businessId: string;
  key: string;
}

/** Which businessId an idempotency key belongs to: the key index row, written once, before the key's state row. */
export interface KeyClaim {
  key: string;
  businessId: string;
}

export interface LedgerHistory {
  records: MailRecord[];
  attempts: AttemptRecord[];
}

export class LedgerConflictError extends Error {
  constructor(readonly operation: 'insert' | 'update') {
    super(
      operation === 'insert'
        ? 'ledger row already exists'
        : 'ledger row changed since it was read (etag mismatch)',
    );
    this.name = 'LedgerConflictError';
  }
}

/** The storage behind the ledger could not be reached or answered with a server error: retry later. */
export class LedgerUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LedgerUnavailableError';
  }
}

export interface Ledger {
  /** The state row for a key, or undefined. */
  read(businessId: string, key: string): Promise<LedgerResult<MailRecord | undefined>>;
  /** Inserts a new state row. Throws LedgerConflictError if the row exists. */
  insert(record: NewMailRecord): Promise<LedgerResult<MailRecord>>;
  /**
   * Replaces the state row if its etag still matches (else LedgerConflictError), and inserts the
   * given attempt rows in the same batch transaction: all or nothing.
   */
  update(record: MailRecord, attempts?: AttemptRecord[]): Promise<LedgerResult<MailRecord>>;
  /** All state rows and attempt rows of one businessId, attempts in order. */
  history(businessId: string): Promise<LedgerHistory>;
  /**
   * Claims `key` for `businessId` in the key index: insert-only, so the first claim wins and never
   * changes. Returns the claim in force — ours, or an earlier one naming another businessId (then the
   * key belongs to another email: KeyConflict). The claim is the authority on a key's scope
   * (docs/architecture.md §6); it is written before the key's first state row.
   */
  claimKey(claim: KeyClaim): Promise<LedgerResult<KeyClaim>>;
  /**
   * Upserts look-up rows (client-request-id / request-id → businessId + key). Rebuildable. Key rows are
   * claims, written only by claimKey: an entry of kind `key` is refused.
   */
  index(entries: IndexEntry[]): Promise<void>;
  /** Finds a lookup row. */
  lookup(kind: IndexKind, id: string): Promise<IndexEntry | undefined>;
}
