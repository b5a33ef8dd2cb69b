import type { AttemptRecord, MailRecord } from '../ports/ledger.js';
import { classifyGraphAnswer } from './classify.js';
import { FailureCode } from '../domain/failure-codes.js';
import {
  emit,
  iso,
  ledgerCall,
  report,
  save,
  saveOutcome,
  type DeliveryReport,
  type Run,
} from './delivery-context.js';
import {
  defer,
  failureDimensions,
  queueDelaySec,
  park,
  recordSent,
  transientPauseMs,
  waitAgain,
} from './delivery-outcomes.js';
import type { FailureReason } from '../domain/failure.js';

/** Minutes after the unknown outcome at which `verify*` looks the key up, then hourly until the grace ends. */
const VERIFY_SCHEDULE_MIN = [1, 5, 15, 30, 60];

export function nextVerifyDelayMs(verifications: number, timeScale: number): number {
  const minutes = VERIFY_SCHEDULE_MIN[Math.min(verifications, VERIFY_SCHEDULE_MIN.length - 1)] ?? 60;
  return (minutes * 60_000) / timeScale;
}

export const isVerifyPolicy = (policy: string) => policy === 'verify' || policy === 'verify-then-resend';

/**
 * The POST may or may not have happened (500/502/504, a timeout or reset after the body, an expired
 * `sending` lease). Never re-sent blindly (ARCHITECTURE §4.3); what happens depends on
 * HR_COURIER_ON_UNKNOWN.
 */
export async function settleUnknown(
  run: Run,
  rec: MailRecord,
  reason: FailureReason,
  attempt?: AttemptRecord,
): Promise<DeliveryReport> {
  const { deps } = run;
  const unknownSince = rec.unknownSince ?? iso(run.serverTime);
  const base: MailRecord = { ...rec, unknownSince, lease: undefined };
  switch (deps.settings.onUnknown) {
    case 'hold':
      return park(run, base, reason, attempt);
    case 'resend':
      // At-least-once, chosen explicitly: a duplicate is preferred to a gap.
      return defer(run, base, transientPauseMs(0, deps), reason.code, attempt, reason);
    case 'verify':
    case 'verify-then-resend':
      return scheduleVerification(run, base, reason, attempt);
  }
}

/** Keeps the original bytes in the queue (delayed) for the next look-up; the ledger says `unknown`. */
async function scheduleVerification(
  run: Run,
  rec: MailRecord,
  reason: FailureReason,
  attempt?: AttemptRecord,
): Promise<DeliveryReport> {
  const { deps } = run;
  const delaySec = queueDelaySec(nextVerifyDelayMs(rec.verifications, deps.settings.timeScale));
  const apply = (r: MailRecord): MailRecord => ({
    ...r,
    state: 'unknown',
    reason,
    unknownSince: r.unknownSince ?? rec.unknownSince,
    nextAttemptAt: iso(run.serverTime + delaySec * 1000),
    lastSeen: iso(run.serverTime),
    lease: undefined,
  });
  const saved = attempt ? await saveOutcome(run, apply(rec), attempt, apply) : await save(run, apply(rec));
  // After the ledger write, as for a deferral: no stray copy if another copy changed the row first.
  await deps.queue.send(run.input.text, { visibilityDelaySec: delaySec });
  emit(run, 'Mail.Unknown', saved, {
    ...failureDimensions(reason),
    policy: deps.settings.onUnknown,
    nextCheckSec: delaySec,
  });
  const r = report(run, saved, 'unknown', reason.code);
  r.delaySec = delaySec;
  return r;
}

/**
 * A copy of an unknown-outcome message came round: look the HrCourierKey up in all of the sender's
 * folders (through the flow gate). Found → sent. Not found → look again later until the grace period
 * ends, then hold it (`verify`) or send it again (`verify-then-resend`).
 */
export async function verifyUnknown(
  run: Run,
  rec: MailRecord,
  resend: (run: Run, rec: MailRecord) => Promise<DeliveryReport>,
): Promise<DeliveryReport> {
  const { deps, m } = run;
  const sender = m.sender.toLowerCase();
  const due = rec.nextAttemptAt ? Date.parse(rec.nextAttemptAt) - run.serverTime : 0;
  if (due > 5_000) return waitAgain(run, rec, due, 'VerifyNotDue');
  const signal = run.input.signal;
  const gate = await ledgerCall(deps, () =>
    deps.gate.acquire({ sender, recipients: 0, ...(signal ? { signal } : {}) }),
  );
  if (gate.kind === 'defer') return waitAgain(run, rec, gate.delayMs, gate.reason);
  const startedAt = run.serverTime;
  let result: Awaited<ReturnType<typeof deps.mailer.findByKey>>;
  try {
    result = await deps.mailer.findByKey(m.sender, run.key, deps.ids.uuid());
  } finally {
    await gate.release();
  }
  const { answer, found } = result;
  const ok = answer.kind === 'response' && answer.status === 200;
  await deps.gate.record({ sender, outcome: found ? 'sent' : 'other' });
  const attempt: AttemptRecord = {
    businessId: rec.businessId,
    key: rec.key,
    n: rec.attempts + 1,
    attemptId: deps.ids.uuid(),
    clientRequestId: answer.clientRequestId,
    outcome: found ? 'found' : ok ? 'not-found' : classifyGraphAnswer(answer).outcome,
    durationMs: answer.durationMs,
    startedAt: iso(startedAt),
  };
  if (answer.kind === 'response') {
    attempt.status = answer.status;
    if (answer.requestId !== undefined) attempt.requestId = answer.requestId;
    if (answer.date !== undefined) attempt.date = answer.date;
    if (answer.code !== undefined) attempt.graphCode = answer.code;
  } else {
    attempt.graphCode = answer.errorCode;
  }
  run.lastAttempt = attempt;
  run.attemptsThisRun.push(attempt);
  const checked: MailRecord = { ...rec, attempts: attempt.n, verifications: rec.verifications + 1 };
  if (found) return recordSent(run, checked, attempt, true);

  const unknownSince = Date.parse(rec.unknownSince ?? iso(run.serverTime));
  const graceLeft = unknownSince + deps.settings.verifyGraceMs / deps.settings.timeScale - run.serverTime;
  if (graceLeft > 0) return scheduleVerification(run, checked, rec.reason ?? notFoundReason(), attempt);
  if (deps.settings.onUnknown === 'verify') {
    return park(run, checked, notFoundReason(checked.verifications), attempt);
  }
  // verify-then-resend: nothing in the mailbox after the grace period — send it again, with the same key.
  const reopened = await saveOutcome(
    run,
    { ...checked, state: 'received', nextAttemptAt: undefined },
    attempt,
    (r) => ({ ...r, state: 'received', nextAttemptAt: undefined }),
  );
  emit(run, 'Mail.Unknown', reopened, { policy: 'verify-then-resend', why: 'ResendAfterGrace' });
  return resend(run, reopened);
}

function notFoundReason(verifications?: number): FailureReason {
  return {
    code: FailureCode.UnknownOutcome,
    detail:
      verifications === undefined
        ? 'the outcome of the Graph call is unknown; the mail was not found in the sender’s mailbox yet'
        : `the outcome of the Graph call is unknown; ${verifications} look-ups did not find the mail in the sender’s mailbox`,
  };
}
