import type { AttemptRecord } from '../../ports/ledger.js';
import { FailureCode } from '../../domain/failure-codes.js';
import type { FailureReason } from '../../domain/failure.js';
import { backoffMs } from '../backoff.js';
import { failureDimensions } from './events.js';
import type { Invocation } from './invocation.js';
import { queueDelaySec, type Settlement } from './settle.js';

/**
 * The settlements: each outcome as a transition of the state row plus where the copy goes, what is
 * emitted and what is reported (docs/architecture.md §2). Built here, written by `settle`.
 */

/** Permanent failure: `failed` with its reason, the original bytes to poison. */
export function failed(reason: FailureReason, attempt?: AttemptRecord): Settlement {
  return {
    to: (row) => ({ ...row, state: 'failed', reason, poisonedAt: undefined, lease: undefined }),
    ...(attempt ? { attempt } : {}),
    copy: { to: 'poison' },
    event: { name: 'Mail.Failed', extra: failureDimensions(reason) },
    outcome: 'failed',
    code: reason.code,
    index: true,
  };
}

/**
 * Deferral: the original bytes re-enqueued unchanged with a visibility delay, jittered so a pause's end
 * is no stampede. The row first: if another copy changed it meanwhile, no stray copy is left queued.
 */
export function deferred(
  inv: Invocation,
  delayMs: number,
  why: string,
  attempt?: AttemptRecord,
  reason?: FailureReason,
): Settlement {
  const jittered = delayMs + Math.min(60_000, delayMs * 0.2) * inv.deps.random();
  const delaySec = queueDelaySec(jittered);
  const due = inv.iso(inv.clock.now() + delaySec * 1000);
  return {
    to: (row) => ({
      ...row,
      state: 'deferred',
      deferredFor: why,
      deferrals: row.deferrals + 1,
      nextAttemptAt: due,
      lease: undefined,
      reason,
    }),
    ...(attempt ? { attempt } : {}),
    copy: { to: 'queue', delaySec },
    event: { name: 'Mail.Deferred', extra: { why, delaySec, ...(reason ? failureDimensions(reason) : {}) } },
    outcome: 'deferred',
    code: reason?.code ?? why,
  };
}

/**
 * The `hold` policy: the original bytes wait in `<queue>-held` for an operator (`hr-courier resolve`),
 * the row says `unknown` with `heldAt`.
 */
export function held(inv: Invocation, reason: FailureReason, attempt?: AttemptRecord): Settlement {
  const now = inv.iso();
  return {
    to: (row) => ({
      ...row,
      state: 'unknown',
      reason,
      unknownSince: row.unknownSince ?? now,
      heldAt: now,
      nextAttemptAt: undefined,
      lease: undefined,
    }),
    ...(attempt ? { attempt } : {}),
    copy: { to: 'held' },
    event: {
      name: 'Mail.Unknown',
      extra: { ...failureDimensions(reason), policy: inv.deps.settings.onUnknown, held: true },
    },
    outcome: 'unknown',
    code: reason.code,
    index: true,
  };
}

/** `verify*`: the row says `unknown`; the original bytes come round again (delayed) for the next look-up. */
export function lookUpLater(
  inv: Invocation,
  reason: FailureReason,
  delaySec: number,
  attempt?: AttemptRecord,
): Settlement {
  const now = inv.clock.now();
  return {
    to: (row) => ({
      ...row,
      state: 'unknown',
      reason,
      unknownSince: row.unknownSince ?? inv.iso(now),
      nextAttemptAt: inv.iso(now + delaySec * 1000),
      lease: undefined,
    }),
    ...(attempt ? { attempt } : {}),
    copy: { to: 'queue', delaySec },
    event: {
      name: 'Mail.Unknown',
      extra: { ...failureDimensions(reason), policy: inv.deps.settings.onUnknown, nextCheckSec: delaySec },
    },
    outcome: 'unknown',
    code: reason.code,
  };
}

/**
 * Graph accepted the mail (or a look-up found it). The evidence event went out before this; the write
 * keeps being retried for longer than others.
 */
export function sent(inv: Invocation, attempt: AttemptRecord, verified: boolean): Settlement {
  const now = inv.iso();
  return {
    to: (row) => ({
      ...row,
      state: 'sent',
      // A verified send happened when the POST did, not when the look-up found it; a second 202 for
      // a key already sent (the `resend` policy) keeps the first sentAt.
      sentAt:
        row.sentAt ??
        (verified ? (row.unknownSince ?? now) : attempt.date ? new Date(attempt.date).toISOString() : now),
      lease: undefined,
      nextAttemptAt: undefined,
      reason: undefined,
    }),
    attempt,
    outcome: 'sent',
    index: true,
    budgetMs: inv.deps.settings.sentRecordBudgetMs,
  };
}

export function expired(): Settlement {
  const reason: FailureReason = {
    code: FailureCode.Expired,
    detail: 'expiresAt passed before the message could be sent; it was not sent',
  };
  return {
    to: (row) => ({ ...row, state: 'expired', reason, lease: undefined }),
    event: { name: 'Mail.Expired', extra: { code: FailureCode.Expired } },
    outcome: 'expired',
    code: FailureCode.Expired,
    index: true,
  };
}

/**
 * Free to send again at once, in this invocation: a 401 about to be replayed with a new token, a
 * transient failure retried in-process, or `verify-then-resend` after its grace period.
 */
export function freeAgain(attempt?: AttemptRecord): Settlement {
  return {
    to: (row) => ({ ...row, state: 'received', lease: undefined, nextAttemptAt: undefined }),
    ...(attempt ? { attempt } : {}),
    outcome: 'deferred',
  };
}

/**
 * Another copy moved the row on while this one was calling Graph: its answer is kept as evidence (the
 * attempt row) and the row's state is left as that copy settled it.
 */
export function evidenceOnly(attempt: AttemptRecord): Settlement {
  return {
    to: (row) => row,
    attempt,
    event: { name: 'Mail.Duplicate', extra: { why: 'SettledByAnotherCopy' } },
    outcome: 'duplicate',
    index: true,
  };
}

/** In-process backoff after a transient failure: 2/4/8 s with jitter. */
export function transientBackoffMs(inv: Invocation, retry: number): number {
  return backoffMs(retry, 2_000, 8_000, inv.deps.random) / inv.deps.settings.timeScale;
}
