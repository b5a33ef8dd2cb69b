import type { GateOutcome } from '../../ports/flow-gate.js';
import type { GraphAnswer } from '../../ports/graph.js';
import type { MailRecord } from '../../ports/ledger.js';
import { FailureCode } from '../../domain/failure-codes.js';
import type { FailureReason } from '../../domain/failure.js';
import type { Classification } from '../classify.js';
import { attemptSend, pauseEnd } from './attempt.js';
import { emit } from './events.js';
import type { Invocation } from './invocation.js';
import { deferred, failed, freeAgain, sent, transientBackoffMs } from './outcomes.js';
import { prepare } from './prepare.js';
import { settleAnswer } from './settle-answer.js';
import { settle, type Settled, type Settlement } from './settle.js';
import { unknownOutcome } from './unknown.js';

/** The key is free to send: prepare the mail (a permanent problem fails it here), then send it. */
export async function prepareAndSend(inv: Invocation, row: MailRecord): Promise<Settled> {
  const prepared = await prepare(inv.deps, inv.mail);
  if (!prepared.ok) return settle(inv, row, failed(prepared.reason));
  return send(inv, { ...row, templateVersion: prepared.templateVersion }, prepared.body);
}

/**
 * Attempts until an answer settles the key: a 401 is replayed once if the credential now hands out a
 * different token, and a transient failure is retried in-process a few times; everything else is
 * settled at once (docs/architecture.md §3).
 */
async function send(
  inv: Invocation,
  free: MailRecord,
  body: Parameters<typeof attemptSend>[2],
): Promise<Settled> {
  const { deps, mail } = inv;
  const signal = mail.input.signal;
  let row = free;
  let transientRetries = 0;
  let authReplayed = false;
  for (;;) {
    const tried = await attemptSend(inv, row, body);
    if (tried.kind === 'gate-closed') return settle(inv, row, deferred(inv, tried.delayMs, tried.reason));
    const { marked, answer, classification: c, attempt } = tried;
    // A 401 that will be replayed with a new token is not (yet) an auth failure.
    const replaying = c.outcome === 'auth' && c.replay && !authReplayed;
    const breaker = await deps.gate.record({
      sender: mail.sender,
      outcome: replaying ? 'other' : gateOutcome(c),
    });
    if (breaker.recovered) emit(inv, 'Breaker.Recovered', marked);
    const stillOurs = (latest: MailRecord) =>
      latest.state === 'sending' && latest.lease?.attemptId === attempt.attemptId;
    const reason = (code: FailureCode) => graphReason(inv, code, answer);
    const answered = (plan: Settlement) => settleAnswer(inv, marked, attempt, plan, stillOurs);
    const deferAnswer = (code: FailureCode, delayMs: number) =>
      answered(deferred(inv, delayMs, code, attempt, reason(code)));

    switch (c.outcome) {
      case 'sent':
        // Evidence first: whatever happens to the ledger write, the 202 and its ids are on record.
        emit(inv, 'Mail.Sent', { ...marked, state: 'sent' });
        deps.crashHook?.('after-send');
        return answered(sent(inv, attempt, false));
      case 'permanent':
        if (breaker.tripped && c.code === FailureCode.PolicyDenied) {
          // Alert once per mailbox: its other messages are held and probed every few minutes.
          emit(inv, 'Mailbox.Blocked', marked, { code: c.code, status: 403 });
        }
        return answered(failed(reason(c.code), attempt));
      case 'unknown':
        return answered(unknownOutcome(inv, marked, reason(c.code), attempt));
      case 'throttled': {
        if (tried.pauseStarted) {
          emit(inv, 'Graph.Throttled', marked, { scope: c.scope, retryAfterMs: c.retryAfterMs });
        }
        return deferAnswer(c.code, pauseEnd(inv, answer, c) - inv.clock.now());
      }
      case 'auth': {
        if (!replaying) {
          // Alert once per trip; the auth breaker now holds other messages instead of burning their attempts.
          if (breaker.tripped) emit(inv, 'Auth.Failed', marked, { code: c.code });
          return deferAnswer(c.code, deps.settings.authRetryDelayMs / deps.settings.timeScale);
        }
        // The credential now hands out a different token: one replay is safe (a 401 means Graph did not act).
        authReplayed = true;
        const freed = await answered(freeAgain(attempt));
        if (!freed.applied) return freed;
        row = freed.row;
        continue;
      }
      case 'transient': {
        if (transientRetries >= deps.settings.transientRetries || signal?.aborted) {
          return deferAnswer(c.code, transientBackoffMs(inv, transientRetries) * 4);
        }
        const freed = await answered(freeAgain(attempt));
        if (!freed.applied) return freed;
        row = freed.row;
        await deps.clock.sleep(transientBackoffMs(inv, transientRetries), signal);
        transientRetries++;
        if (signal?.aborted) {
          const delayMs = transientBackoffMs(inv, transientRetries) * 4;
          return settle(inv, row, deferred(inv, delayMs, c.code, undefined, reason(c.code)));
        }
        continue;
      }
    }
  }
}

/** A Graph answer as a stored reason: status and Graph's code, never its message; the attempts' ids. */
function graphReason(inv: Invocation, code: FailureCode, answer: GraphAnswer): FailureReason {
  const reason: FailureReason =
    answer.kind === 'network'
      ? { code, graphCode: answer.errorCode, detail: `network failure ${answer.phase} (${answer.errorCode})` }
      : {
          code,
          status: answer.status,
          detail: `Graph answered ${answer.status}${answer.code ? ` ${answer.code}` : ''}`,
        };
  if (answer.kind === 'response' && answer.code !== undefined) reason.graphCode = answer.code;
  const attemptIds = inv.attempts.map((a) => a.attemptId);
  if (attemptIds.length > 0) reason.attemptIds = attemptIds;
  return reason;
}

/** What an answer means for the gate's breakers. */
function gateOutcome(c: Classification): GateOutcome {
  if (c.outcome === 'sent') return 'sent';
  if (c.outcome === 'auth') return 'auth-failed';
  if (c.outcome === 'permanent' && c.code === FailureCode.PolicyDenied) return 'policy-denied';
  return 'other';
}
