import { LedgerConflictError, type AttemptRecord, type MailRecord } from '../../ports/ledger.js';
import { retryOnConflict } from './ledger-access.js';
import type { Invocation } from './invocation.js';
import { evidenceOnly } from './outcomes.js';
import { settle, type Settled, type Settlement } from './settle.js';

/** A Graph answer could not be recorded through repeated conflicts: the host retries the message later. */
export class AnswerNotRecordedError extends Error {
  constructor(cause: unknown) {
    super('the ledger row kept changing while a Graph answer was being recorded', { cause });
    this.name = 'AnswerNotRecordedError';
  }
}

/**
 * Records what Graph answered (a send or a look-up). The planned settlement is written only while the
 * row is still the one the call was made from (`isStill`); if another copy moved it on meanwhile, the
 * answer is decided again against the latest row: a 202 or a found look-up is a fact and settles the key
 * as sent whatever the row says; any other answer is kept as evidence and leaves that copy's state.
 * A conflict never escapes as one, so no caller can mistake it for "decide again from the top" and
 * call Graph a second time.
 */
export async function settleAnswer(
  inv: Invocation,
  row: MailRecord,
  attempt: AttemptRecord,
  planned: Settlement,
  isStill: (latest: MailRecord) => boolean,
): Promise<Settled & { applied: boolean }> {
  try {
    return await retryOnConflict(
      row,
      () => inv.ledger.read(row.businessId, row.key),
      async (latest) => {
        if (latest === undefined) throw new Error('the ledger row vanished while Graph was called');
        if (planned.outcome === 'sent' || isStill(latest)) {
          return { ...(await settle(inv, latest, planned)), applied: true };
        }
        return { ...(await settle(inv, latest, evidenceOnly(attempt))), applied: false };
      },
    );
  } catch (e) {
    if (e instanceof LedgerConflictError) throw new AnswerNotRecordedError(e);
    throw e;
  }
}
