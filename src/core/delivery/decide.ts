import type { MailRecord } from '../../ports/ledger.js';
import { FailureCode } from '../../domain/failure-codes.js';
import type { FailureReason } from '../../domain/failure.js';
import type { DeliverySettings } from './types.js';

/** A copy may arrive this much before its due time (queue and table clocks differ slightly). */
export const EARLY_TOLERANCE_MS = 5_000;

/** What the message itself says about when it may be sent. */
export interface MailWindow {
  hash: string;
  notBefore?: string;
  expiresAt?: string;
}

/**
 * What to do with a copy of a message, given what the ledger holds for its key (docs/architecture.md §2).
 * `wait` puts the copy back without a ledger write; the others name the next step.
 */
export type Decision =
  /** No row yet: claim the key for this businessId, insert the row, decide again. */
  | { kind: 'new' }
  /** The key was first used for a different message. */
  | { kind: 'key-conflict' }
  /** Settled (sent, failed, expired, held unknown): ack. A failed row not yet poisoned is poisoned first. */
  | { kind: 'duplicate' }
  | { kind: 'wait'; delayMs: number; why: 'SendInProgress' | 'NotYetDue' | 'VerifyNotDue' }
  /** Look the unknown outcome up in the sender's mailbox (`verify*` policies). */
  | { kind: 'verify' }
  /** An expired `sending` lease: the POST may have happened. */
  | { kind: 'unknown'; reason: FailureReason }
  /** The same under `resend` (at-least-once, chosen explicitly): reported, then `next` as if free. */
  | { kind: 'unknown-resend'; reason: FailureReason; next: Exclude<Decision, { kind: 'unknown-resend' }> }
  | { kind: 'expire' }
  | { kind: 'defer'; delayMs: number; why: 'NotBefore' }
  | { kind: 'fail'; reason: FailureReason }
  /** Free to send: prepare, then attempt. */
  | { kind: 'send' };

export const isVerifyPolicy = (policy: string) => policy === 'verify' || policy === 'verify-then-resend';

/** Pure: the ledger row (or none), the server's time and the settings decide; nothing is read or written. */
export function decide(
  mail: MailWindow,
  row: MailRecord | undefined,
  now: number,
  settings: DeliverySettings,
): Decision {
  if (row === undefined) return { kind: 'new' };
  if (row.payloadHash !== mail.hash) return { kind: 'key-conflict' };
  switch (row.state) {
    case 'sent':
    case 'expired':
    case 'failed':
      return { kind: 'duplicate' };
    case 'unknown': {
      if (!isVerifyPolicy(settings.onUnknown) || row.heldAt !== undefined) return { kind: 'duplicate' };
      const due = dueIn(row.nextAttemptAt, now);
      return due > EARLY_TOLERANCE_MS
        ? { kind: 'wait', delayMs: due, why: 'VerifyNotDue' }
        : { kind: 'verify' };
    }
    case 'sending': {
      const leaseLeft = row.lease ? Date.parse(row.lease.until) - now : 0;
      // Another copy holds the lease and may be calling Graph right now: look again after it ends,
      // without touching its row (its mark must stay until it records the answer).
      if (leaseLeft > 0) return { kind: 'wait', delayMs: leaseLeft + 1_000, why: 'SendInProgress' };
      const reason: FailureReason = {
        code: FailureCode.UnknownOutcome,
        detail: 'the send lease expired without a recorded answer (a crash or timeout during the Graph call)',
      };
      if (row.lease) reason.attemptIds = [row.lease.attemptId];
      if (settings.onUnknown !== 'resend') return { kind: 'unknown', reason };
      return { kind: 'unknown-resend', reason, next: whenFree(mail, row, now, settings) };
    }
    case 'deferred': {
      const due = dueIn(row.nextAttemptAt, now);
      if (due > EARLY_TOLERANCE_MS) return { kind: 'wait', delayMs: due, why: 'NotYetDue' };
      break;
    }
    case 'received':
      break;
  }
  return whenFree(mail, row, now, settings);
}

/** The key is free to send: are the message's time window and the attempt budget still open? */
function whenFree(
  mail: MailWindow,
  row: MailRecord,
  now: number,
  settings: DeliverySettings,
): Exclude<Decision, { kind: 'unknown-resend' }> {
  if (mail.expiresAt !== undefined && Date.parse(mail.expiresAt) <= now) return { kind: 'expire' };
  if (mail.notBefore !== undefined) {
    const wait = Date.parse(mail.notBefore) - now;
    if (wait > EARLY_TOLERANCE_MS) return { kind: 'defer', delayMs: wait, why: 'NotBefore' };
  }
  const sends = row.attempts - row.verifications;
  const ageMs = now - Date.parse(row.firstSeen);
  if (sends >= settings.maxAttempts || ageMs > settings.maxAgeMs) {
    const reason: FailureReason = {
      code: FailureCode.RetriesExhausted,
      detail: `gave up after ${sends} Graph attempts over ${Math.round(ageMs / 60_000)} minutes (limits: HR_COURIER_MAX_ATTEMPTS=${settings.maxAttempts}, HR_COURIER_MAX_AGE_HOURS=${settings.maxAgeMs / 3_600_000})`,
    };
    const last = row.reason?.graphCode ?? row.reason?.code;
    if (last !== undefined) reason.graphCode = last;
    return { kind: 'fail', reason };
  }
  return { kind: 'send' };
}

const dueIn = (at: string | undefined, now: number) => (at ? Date.parse(at) - now : 0);
