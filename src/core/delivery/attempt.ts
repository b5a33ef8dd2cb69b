import type { GraphAnswer, GraphMessage } from '../../ports/graph.js';
import type { AttemptRecord, MailRecord } from '../../ports/ledger.js';
import { withLedgerRetries } from './ledger-access.js';
import { attemptRecord } from './attempt-record.js';
import { classifyGraphAnswer, type Classification } from '../classify.js';
import type { Invocation } from './invocation.js';

export type Attempted =
  | { kind: 'gate-closed'; delayMs: number; reason: string }
  | {
      kind: 'answered';
      /** The row as marked `sending` by this attempt: the answer is settled against it. */
      marked: MailRecord;
      answer: GraphAnswer;
      classification: Classification;
      attempt: AttemptRecord;
      /** True when this attempt's 429 began a pause (one `Graph.Throttled` per pause). */
      pauseStarted: boolean;
    };

/**
 * One send: the flow gate → the ETag-guarded `sending` mark with its lease → the POST → an attempt
 * record. A conflict on the mark (another copy got there first) propagates: nothing was sent.
 */
export async function attemptSend(
  inv: Invocation,
  row: MailRecord,
  body: { message: GraphMessage; saveToSentItems: boolean },
): Promise<Attempted> {
  const { deps, mail } = inv;
  const { settings } = deps;
  const signal = mail.input.signal;
  // The gate's shared rows live in the ledger's storage: ride out a short outage as the ledger does.
  const gate = await withLedgerRetries(deps, () =>
    deps.gate.acquire({
      sender: mail.sender,
      recipients: row.recipientCount,
      ...(signal ? { signal } : {}),
    }),
  );
  if (gate.kind === 'defer') return { kind: 'gate-closed', delayMs: gate.delayMs, reason: gate.reason };
  try {
    deps.crashHook?.('before-mark');
    // Immediately before the POST, so the lease covers the call and nothing else: measured from the
    // latest the server's time can be now (its last Date plus what elapsed since), not from when the
    // row was read.
    const attemptId = deps.ids.uuid();
    const startedAt = inv.clock.now();
    const marked = await inv.write(row, {
      ...row,
      state: 'sending',
      lease: { attemptId, until: inv.iso(inv.clock.latest() + settings.leaseMs) },
    });
    deps.crashHook?.('after-mark');
    const sending = deps.mailer.sendMail({
      sender: mail.message.sender,
      message: body.message,
      saveToSentItems: body.saveToSentItems,
      clientRequestId: deps.ids.uuid(),
      timeoutMs: settings.sendTimeoutMs,
    });
    deps.crashHook?.('during-send');
    const answer = await sending;
    const classification = classifyGraphAnswer(answer);
    // A 429's pause is written while this call still holds its slot: the slot freed first would let
    // another message reach Graph inside the pause.
    const pauseStarted =
      classification.outcome === 'throttled' ? await sharePause(inv, answer, classification) : false;
    const attempt = attemptRecord(marked, {
      attemptId,
      answer,
      outcome: classification.outcome,
      ...(classification.outcome === 'sent' ? {} : { code: classification.code }),
      startedAt: inv.iso(startedAt),
    });
    inv.noteAttempt(attempt);
    return { kind: 'answered', marked, answer, classification, attempt, pauseStarted };
  } finally {
    await gate.release();
  }
}

/**
 * When a 429's pause ends. Graph's `Date` (like storage's) is whole seconds, truncated: the 429 came up
 * to a second later. A pause that ends a second late costs a second; one that ends early draws another 429.
 */
export function pauseEnd(
  inv: Invocation,
  answer: GraphAnswer,
  throttled: Extract<Classification, { outcome: 'throttled' }>,
): number {
  const date = answer.kind === 'response' && answer.date ? Date.parse(answer.date) : inv.clock.now();
  return date + 1_000 + throttled.retryAfterMs;
}

/**
 * Shares a 429's pause with every instance. Best effort: if storage is down the message is still
 * recorded and deferred (the key must not stay marked `sending`); other messages may meet the 429 too.
 */
async function sharePause(
  inv: Invocation,
  answer: GraphAnswer,
  throttled: Extract<Classification, { outcome: 'throttled' }>,
): Promise<boolean> {
  const { deps, mail } = inv;
  try {
    const { started } = await withLedgerRetries(deps, () =>
      deps.gate.pause({
        sender: mail.sender,
        scope: throttled.scope,
        untilMs: pauseEnd(inv, answer, throttled),
        cause: answer.kind === 'response' ? (answer.throttleReason ?? 'Throttled') : 'Throttled',
      }),
    );
    return started;
  } catch (e) {
    deps.log.warn('could not record the pause; other messages may meet the 429 too', {
      key: mail.key,
      error: e instanceof Error ? e.name : 'unknown',
    });
    return false;
  }
}
