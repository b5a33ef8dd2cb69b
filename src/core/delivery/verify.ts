import type { MailRecord } from '../../ports/ledger.js';
import { FailureCode } from '../../domain/failure-codes.js';
import type { FailureReason } from '../../domain/failure.js';
import { classifyGraphAnswer } from '../classify.js';
import { attemptRecord } from './attempt-record.js';
import { emit } from './events.js';
import type { Invocation } from './invocation.js';
import { withLedgerRetries } from './ledger-access.js';
import { freeAgain, held, sent } from './outcomes.js';
import { prepareAndSend } from './send.js';
import { settleAnswer } from './settle-answer.js';
import { waitAgain, type Settled } from './settle.js';
import { unknownOutcome } from './unknown.js';

/**
 * A copy of an unknown-outcome message came round under `verify*`: look its HrCourierKey up in all of
 * the sender's folders, through the flow gate. Found → sent. Not found → look again later until the
 * grace period ends, then hold it (`verify`) or send it again with the same key (`verify-then-resend`).
 * Every settlement is made against the row the look-up was decided from: if another copy moved it on
 * meanwhile (say, resent it and recorded `sent`), a not-found is only kept as evidence.
 */
export async function verify(inv: Invocation, row: MailRecord): Promise<Settled> {
  const { deps, mail } = inv;
  const signal = mail.input.signal;
  const gate = await withLedgerRetries(deps, () =>
    deps.gate.acquire({ sender: mail.sender, recipients: 0, ...(signal ? { signal } : {}) }),
  );
  if (gate.kind === 'defer') return { row, report: await waitAgain(inv, row, gate.delayMs, gate.reason) };
  const startedAt = inv.iso();
  let result: Awaited<ReturnType<typeof deps.mailer.findByKey>>;
  try {
    result = await deps.mailer.findByKey(mail.message.sender, mail.key, deps.ids.uuid());
  } finally {
    await gate.release();
  }
  const { answer, found } = result;
  await deps.gate.record({ sender: mail.sender, outcome: found ? 'sent' : 'other' });
  const ok = answer.kind === 'response' && answer.status === 200;
  const attempt = attemptRecord(row, {
    attemptId: deps.ids.uuid(),
    answer,
    outcome: found ? 'found' : ok ? 'not-found' : classifyGraphAnswer(answer).outcome,
    startedAt,
  });
  inv.noteAttempt(attempt);
  const looked: MailRecord = { ...row, verifications: row.verifications + 1 };
  const unchanged = (latest: MailRecord) => latest.etag === row.etag;
  const counted = <T extends { to: (r: MailRecord) => MailRecord }>(plan: T): T => ({
    ...plan,
    to: (r: MailRecord) => plan.to({ ...r, verifications: r.verifications + 1 }),
  });

  if (found) {
    emit(inv, 'Mail.Sent', { ...looked, state: 'sent' }, { verified: true });
    return settleAnswer(inv, row, attempt, counted(sent(inv, attempt, true)), unchanged);
  }
  const unknownSince = Date.parse(row.unknownSince ?? inv.iso());
  const graceLeft = unknownSince + deps.settings.verifyGraceMs / deps.settings.timeScale - inv.clock.now();
  if (graceLeft > 0) {
    const plan = unknownOutcome(inv, looked, row.reason ?? notFound(), attempt);
    return settleAnswer(inv, row, attempt, counted(plan), unchanged);
  }
  // A failed look-up (throttled, 5xx, no Mail.Read) is no evidence that the mail was not sent: after
  // the grace period it is held for an operator under either policy, never resent.
  if (deps.settings.onUnknown === 'verify' || !ok) {
    return settleAnswer(
      inv,
      row,
      attempt,
      counted(held(inv, ok ? notFound(looked.verifications) : lookUpFailed(), attempt)),
      unchanged,
    );
  }
  // verify-then-resend: nothing in the mailbox after the grace period. Reopen the key — only if the row
  // is still the unknown one this look-up was made for — then send it again, with the same key.
  const reopened = await settleAnswer(inv, row, attempt, counted(freeAgain(attempt)), unchanged);
  if (!reopened.applied) return reopened;
  emit(inv, 'Mail.Unknown', reopened.row, { policy: 'verify-then-resend', why: 'ResendAfterGrace' });
  return prepareAndSend(inv, reopened.row);
}

function notFound(verifications?: number): FailureReason {
  return {
    code: FailureCode.UnknownOutcome,
    detail:
      verifications === undefined
        ? 'the outcome of the Graph call is unknown; the mail was not found in the sender’s mailbox yet'
        : `the outcome of the Graph call is unknown; ${verifications} look-ups did not find the mail in the sender’s mailbox`,
  };
}

function lookUpFailed(): FailureReason {
  return {
    code: FailureCode.UnknownOutcome,
    detail:
      'the outcome of the Graph call is unknown and the last look-up in the sender’s mailbox failed; held for an operator (hr-courier resolve)',
  };
}
