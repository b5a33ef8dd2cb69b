import type { GraphAnswer } from '../../ports/graph.js';
import type { AttemptOutcome, AttemptRecord, MailRecord } from '../../ports/ledger.js';

/**
 * The one builder of attempt rows, for sends and look-ups alike: the tracing trinity (client-request-id,
 * request-id, Date) and what Graph said, never what was sent. Numbered after the row's last attempt.
 */
export function attemptRecord(
  row: MailRecord,
  call: { attemptId: string; answer: GraphAnswer; outcome: AttemptOutcome; code?: string; startedAt: string },
): AttemptRecord {
  const { answer } = call;
  const attempt: AttemptRecord = {
    businessId: row.businessId,
    key: row.key,
    n: row.attempts + 1,
    attemptId: call.attemptId,
    clientRequestId: answer.clientRequestId,
    outcome: call.outcome,
    durationMs: answer.durationMs,
    startedAt: call.startedAt,
  };
  if (call.code !== undefined) attempt.code = call.code;
  if (answer.kind === 'network') {
    attempt.graphCode = answer.errorCode;
    return attempt;
  }
  attempt.status = answer.status;
  if (answer.requestId !== undefined) attempt.requestId = answer.requestId;
  if (answer.date !== undefined) attempt.date = answer.date;
  if (answer.diagnostic !== undefined) attempt.diagnostic = answer.diagnostic;
  if (answer.code !== undefined) attempt.graphCode = answer.code;
  if (answer.retryAfter !== undefined) attempt.retryAfter = answer.retryAfter;
  return attempt;
}

/** The same call renumbered after `row`'s attempts: another copy may have added attempt rows meanwhile. */
export function renumbered(attempt: AttemptRecord, row: MailRecord): AttemptRecord {
  return { ...attempt, n: row.attempts + 1 };
}
