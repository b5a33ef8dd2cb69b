import type { AttemptRecord, MailRecord } from '../../ports/ledger.js';
import type { FailureReason } from '../../domain/failure.js';
import type { Invocation } from './invocation.js';
import { deferred, held, lookUpLater, transientBackoffMs } from './outcomes.js';
import { queueDelaySec, type Settlement } from './settle.js';

/** Minutes after the unknown outcome at which `verify*` looks the key up, then hourly until the grace ends. */
const VERIFY_SCHEDULE_MIN = [1, 5, 15, 30, 60];

export function nextVerifyDelayMs(verifications: number, timeScale: number): number {
  const minutes = VERIFY_SCHEDULE_MIN[Math.min(verifications, VERIFY_SCHEDULE_MIN.length - 1)] ?? 60;
  return (minutes * 60_000) / timeScale;
}

/**
 * The POST may or may not have happened (500/502/504, a timeout or reset after the body, an expired
 * `sending` lease). Never sent again blindly (docs/architecture.md §5.3): what happens is the
 * HR_COURIER_ON_UNKNOWN policy's.
 */
export function unknownOutcome(
  inv: Invocation,
  row: MailRecord,
  reason: FailureReason,
  attempt?: AttemptRecord,
): Settlement {
  const { settings } = inv.deps;
  switch (settings.onUnknown) {
    case 'hold':
      return held(inv, reason, attempt);
    case 'resend':
      // At-least-once, chosen explicitly: a duplicate is preferred to a gap.
      return deferred(inv, transientBackoffMs(inv, 0), reason.code, attempt, reason);
    case 'verify':
    case 'verify-then-resend': {
      const delaySec = queueDelaySec(nextVerifyDelayMs(row.verifications, settings.timeScale));
      return lookUpLater(inv, reason, delaySec, attempt);
    }
  }
}
