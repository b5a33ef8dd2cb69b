import {
  LedgerConflictError,
  LedgerUnavailableError,
  type AttemptRecord,
  type MailRecord,
} from '../ports/ledger.js';
import type { GateOutcome } from '../ports/flow-gate.js';
import type { GraphAnswer } from '../ports/graph.js';
import { resolveAttachments } from './attachments.js';
import { classifyGraphAnswer, type Classification } from './classify.js';
import { FailureCode } from '../domain/failure-codes.js';
import { decodeMessage } from './decode.js';
import {
  emit,
  iso,
  ledgerCall,
  save,
  type DeliverDeps,
  type DeliveryReport,
  type IncomingMessage,
  type Run,
} from './delivery-context.js';
import {
  baseRecord,
  defer,
  duplicate,
  expire,
  fail,
  poisonOnce,
  recordSent,
  rejectConflict,
  rejectUndecodable,
  transientPauseMs,
  waitAgain,
} from './delivery-outcomes.js';
import { isPermanentDeliveryError, permanent, type FailureReason } from '../domain/failure.js';
import { buildGraphMessage } from './graph-message.js';
import { keyOf, payloadHash, recipientDomains } from './idempotency.js';
import { isVerifyPolicy, settleUnknown, verifyUnknown } from './unknown-outcome.js';

/** A copy may arrive this much before its due time (queue and table clocks differ slightly). */
const EARLY_TOLERANCE_MS = 5_000;
/** Rounds of "someone else changed the row: read it again and decide again" before letting the host retry. */
const MAX_CONTENTION_ROUNDS = 5;

export type Deliver = (input: IncomingMessage) => Promise<DeliveryReport>;

/**
 * The whole flow of ARCHITECTURE §1 for one queue message. Returns when the message may be acked
 * (its outcome is in the ledger); throws when it must not be (the host retries it later).
 */
export function createDeliver(deps: DeliverDeps): Deliver {
  return async function deliver(input: IncomingMessage): Promise<DeliveryReport> {
    const decoded = decodeMessage(input.text);
    if (!decoded.ok) {
      return rejectUndecodable(deps, input, decoded, deps.clock.now());
    }
    const { key, source } = keyOf(decoded.message);
    const run: Run = {
      deps,
      input,
      m: decoded.message,
      key,
      keySource: source,
      hash: payloadHash(decoded.parsed),
      serverTime: deps.clock.now(),
      deliveryCounted: false,
      attemptsThisRun: [],
    };
    for (let round = 0; ; round++) {
      try {
        return await decideAndDeliver(run);
      } catch (e) {
        // Another copy of this message changed the row between our read and our write: decide again.
        if (e instanceof LedgerConflictError && round < MAX_CONTENTION_ROUNDS) continue;
        await noteFailure(run, e);
        throw e;
      }
    }
  };
}

/**
 * The invocation is about to fail and the host will retry (and poison after maxDequeueCount): leave
 * the error's name on the key's row, best effort, so even a host-poisoned message is explainable.
 */
async function noteFailure(run: Run, e: unknown): Promise<void> {
  if (e instanceof LedgerUnavailableError) return; // nothing can be written now anyway
  const name = e instanceof Error ? e.name : typeof e;
  const code = e instanceof Error && 'code' in e && typeof e.code === 'string' ? `:${e.code}` : '';
  try {
    const { value } = await run.deps.ledger.read(run.m.businessId, run.key);
    if (value)
      await run.deps.ledger.update({
        ...value,
        lastError: `${name}${code}`.slice(0, 200),
        lastSeen: iso(run.serverTime),
      });
  } catch {
    // Best effort only: the original error is what the host must see.
  }
  run.deps.log.error('delivery failed; the host will retry', {
    key: run.key,
    businessId: run.m.businessId,
    error: name,
  });
}

/** Steps 2–3: what does the ledger already know about this key? */
async function decideAndDeliver(run: Run): Promise<DeliveryReport> {
  const { deps, m, key } = run;
  const read = await ledgerCall(deps, () => deps.ledger.read(m.businessId, key), run.input.signal);
  run.serverTime = read.serverTime;
  let rec = read.value;
  if (rec === undefined) {
    const inserted = await ledgerCall(deps, () => deps.ledger.insert(newRecord(run)));
    run.serverTime = inserted.serverTime;
    run.deliveryCounted = true;
    rec = inserted.value;
  } else {
    if (rec.payloadHash !== run.hash) return rejectConflict(run, rec);
    switch (rec.state) {
      case 'failed':
        // A crash between recording the failure and poisoning: finish the job, then ack.
        if (rec.poisonedAt === undefined) rec = await poisonOnce(deps, run.input.text, rec);
        return duplicate(run, rec);
      case 'sent':
      case 'expired':
        return duplicate(run, rec);
      case 'unknown':
        // A verification copy (or a redelivery) of an outcome still being looked for.
        if (isVerifyPolicy(run.deps.settings.onUnknown) && rec.heldAt === undefined) {
          return verifyUnknown(run, counted(run, rec), prepareAndSend);
        }
        return duplicate(run, rec);
      case 'sending': {
        const leaseLeft = rec.lease ? Date.parse(rec.lease.until) - run.serverTime : 0;
        // Another worker holds the lease and may be calling Graph right now: look again after it ends,
        // without touching its row (its mark must stay until it records the answer).
        if (leaseLeft > 0) return waitAgain(run, rec, leaseLeft + 1_000, 'SendInProgress');
        return leaseExpired(run, counted(run, rec));
      }
      case 'deferred': {
        const due = rec.nextAttemptAt ? Date.parse(rec.nextAttemptAt) - run.serverTime : 0;
        if (due > EARLY_TOLERANCE_MS) return waitAgain(run, rec, due, 'NotYetDue');
        break;
      }
      case 'received':
        break;
    }
    rec = counted(run, rec);
  }
  return prepareAndSend(run, rec);
}

/** An expired `sending` mark: the POST may have happened (a crash or a hang during the Graph call). */
async function leaseExpired(run: Run, rec: MailRecord): Promise<DeliveryReport> {
  const reason: FailureReason = {
    code: FailureCode.UnknownOutcome,
    detail: 'the send lease expired without a recorded answer (a crash or timeout during the Graph call)',
  };
  if (rec.lease) reason.attemptIds = [rec.lease.attemptId];
  if (run.deps.settings.onUnknown === 'resend') {
    emit(run, 'Mail.Unknown', rec, { code: reason.code, policy: 'resend' });
    return prepareAndSend(run, { ...rec, state: 'received', lease: undefined });
  }
  return settleUnknown(run, rec, reason);
}

/** Steps 3–6: budgets and time windows, allow-list, template, attachments. */
async function prepareAndSend(run: Run, rec: MailRecord): Promise<DeliveryReport> {
  const { deps, m } = run;
  const now = run.serverTime;
  if (m.expiresAt !== undefined && Date.parse(m.expiresAt) <= now) return expire(run, rec);
  if (m.notBefore !== undefined && Date.parse(m.notBefore) - now > EARLY_TOLERANCE_MS) {
    return defer(run, rec, Date.parse(m.notBefore) - now, 'NotBefore');
  }
  const sends = rec.attempts - rec.verifications;
  if (sends >= deps.settings.maxAttempts || now - Date.parse(rec.firstSeen) > deps.settings.maxAgeMs) {
    const reason: FailureReason = {
      code: FailureCode.RetriesExhausted,
      detail: `gave up after ${sends} Graph attempts over ${Math.round((now - Date.parse(rec.firstSeen)) / 60_000)} minutes (limits: HR_COURIER_MAX_ATTEMPTS=${deps.settings.maxAttempts}, HR_COURIER_MAX_AGE_HOURS=${deps.settings.maxAgeMs / 3_600_000})`,
    };
    if (rec.reason) reason.graphCode = rec.reason.graphCode ?? rec.reason.code;
    return fail(run, rec, reason);
  }
  try {
    if (isVerifyPolicy(deps.settings.onUnknown) && !m.saveToSentItems) {
      throw permanent(
        FailureCode.InvalidMessage,
        `saveToSentItems must be true when HR_COURIER_ON_UNKNOWN is ${deps.settings.onUnknown}: the look-up finds mail in the sender's folders`,
        { fieldPaths: ['saveToSentItems'] },
      );
    }
    if (!deps.settings.allowedSenders.has(m.sender.toLowerCase())) {
      throw permanent(
        FailureCode.PolicyDenied,
        `sender ${m.sender.toLowerCase()} is not in HR_COURIER_ALLOWED_SENDERS; Graph was not called`,
        { fieldPaths: ['sender'] },
      );
    }
    const rendered = deps.templates.render({
      template: m.template,
      data: m.data,
      ...(m.templateVersion === undefined ? {} : { version: m.templateVersion }),
    });
    rec = { ...rec, templateVersion: rendered.version };
    const attachments = await resolveAttachments(m, deps.attachments);
    const body = buildGraphMessage(m, rendered, attachments, run.key);
    return await sendLoop(run, rec, body);
  } catch (e) {
    if (isPermanentDeliveryError(e)) return fail(run, rec, e.reason);
    throw e;
  }
}

/** Steps 7–10: the gate, the `sending` mark, the POST, and what its answer means. */
async function sendLoop(
  run: Run,
  initial: MailRecord,
  body: ReturnType<typeof buildGraphMessage>,
): Promise<DeliveryReport> {
  const { deps, m } = run;
  const signal = run.input.signal;
  let rec = initial;
  let transientRetries = 0;
  let authReplayed = false;
  for (;;) {
    // The gate's shared rows live in the ledger's storage: ride out a short outage as the ledger does.
    const gate = await ledgerCall(deps, () =>
      deps.gate.acquire({
        sender: m.sender.toLowerCase(),
        recipients: rec.recipientCount,
        ...(signal ? { signal } : {}),
      }),
    );
    if (gate.kind === 'defer') return defer(run, rec, gate.delayMs, gate.reason);
    let answer: GraphAnswer;
    let c: Classification;
    let pauseStarted = false;
    const startedAt = run.serverTime;
    try {
      deps.crashHook?.('before-mark');
      // Step 8: immediately before the POST, an ETag-guarded mark. Exactly one copy wins it.
      const attemptId = deps.ids.uuid();
      rec = await save(run, {
        ...rec,
        state: 'sending',
        lease: { attemptId, until: iso(run.serverTime + deps.settings.leaseMs) },
        lastSeen: iso(run.serverTime),
      });
      deps.crashHook?.('after-mark');
      const sending = deps.mailer.sendMail({
        sender: m.sender,
        message: body.message,
        saveToSentItems: body.saveToSentItems,
        clientRequestId: deps.ids.uuid(),
        timeoutMs: deps.settings.sendTimeoutMs,
      });
      deps.crashHook?.('during-send');
      answer = await sending;
      // A 429's pause is written while this call still holds its slot: the slot freed first would let
      // another message reach Graph inside the pause.
      c = classifyGraphAnswer(answer);
      if (c.outcome === 'throttled') pauseStarted = await writePause(run, answer, c);
    } finally {
      await gate.release();
    }
    // A 401 that will be replayed with a new token is not (yet) an auth failure.
    const replaying = c.outcome === 'auth' && c.replay && !authReplayed;
    const breaker = await deps.gate.record({
      sender: m.sender.toLowerCase(),
      outcome: replaying ? 'other' : gateOutcome(c),
    });
    if (breaker.recovered) emit(run, 'Breaker.Recovered', rec);
    const attempt = attemptRecord(run, rec, answer, c, startedAt);
    run.lastAttempt = attempt;
    run.attemptsThisRun.push(attempt);
    rec = {
      ...rec,
      attempts: attempt.n,
      lastClientRequestId: attempt.clientRequestId,
      lastRequestId: attempt.requestId,
    };
    switch (c.outcome) {
      case 'sent':
        return recordSent(run, rec, attempt);
      case 'permanent':
        if (breaker.tripped && c.code === FailureCode.PolicyDenied) {
          // Alert once per mailbox: its other messages are held and probed every few minutes.
          emit(run, 'Mailbox.Blocked', rec, { code: c.code, status: 403 });
        }
        return fail(run, rec, graphReason(c.code, answer, run), attempt);
      case 'unknown':
        return settleUnknown(run, rec, graphReason(c.code, answer, run), attempt);
      case 'throttled': {
        if (pauseStarted) emit(run, 'Graph.Throttled', rec, { scope: c.scope, retryAfterMs: c.retryAfterMs });
        return defer(
          run,
          rec,
          pauseEnd(run, answer, c) - run.serverTime,
          c.code,
          attempt,
          graphReason(c.code, answer),
        );
      }
      case 'auth':
        if (replaying) {
          // The credential now hands out a different token: one replay is safe (a 401 means Graph did not act).
          authReplayed = true;
          rec = await save(run, { ...rec, state: 'received', lease: undefined }, [attempt]);
          continue;
        }
        // Alert once per trip; the auth breaker now holds other messages instead of burning their attempts.
        if (breaker.tripped) emit(run, 'Auth.Failed', rec, { code: c.code });
        return defer(
          run,
          rec,
          deps.settings.authRetryDelayMs / deps.settings.timeScale,
          c.code,
          attempt,
          graphReason(c.code, answer),
        );
      case 'transient':
        if (transientRetries < deps.settings.transientRetries && !signal?.aborted) {
          rec = await save(run, { ...rec, state: 'received', lease: undefined }, [attempt]);
          await deps.clock.sleep(transientPauseMs(transientRetries, deps), signal);
          transientRetries++;
          if (!signal?.aborted) continue;
        }
        return defer(
          run,
          rec,
          transientPauseMs(transientRetries, deps) * 4,
          c.code,
          attempt,
          graphReason(c.code, answer),
        );
    }
  }
}

function newRecord(run: Run) {
  const { m } = run;
  const now = iso(run.serverTime);
  const rec = {
    ...baseRecord(m.businessId, run.key, run.keySource, run.hash, now),
    intent: m.intent,
    template: m.template,
    sender: m.sender.toLowerCase(),
    recipientCount: m.to.length + m.cc.length + m.bcc.length,
    recipientDomains: recipientDomains(m),
    attachmentCount: m.attachments.length,
  };
  return {
    ...rec,
    ...(m.templateVersion === undefined ? {} : { templateVersion: m.templateVersion }),
    ...(m.correlationId === undefined ? {} : { correlationId: m.correlationId }),
    ...(m.notBefore === undefined ? {} : { notBefore: m.notBefore }),
    ...(m.expiresAt === undefined ? {} : { expiresAt: m.expiresAt }),
  };
}

/** Counts this processing of the message once, however many times the decision is retried. */
function counted(run: Run, rec: MailRecord): MailRecord {
  return run.deliveryCounted
    ? rec
    : { ...rec, deliveries: rec.deliveries + 1, lastSeen: iso(run.serverTime) };
}

function attemptRecord(
  run: Run,
  rec: MailRecord,
  answer: GraphAnswer,
  c: Classification,
  startedAt: number,
): AttemptRecord {
  const a: AttemptRecord = {
    businessId: rec.businessId,
    key: rec.key,
    n: rec.attempts + 1,
    attemptId: rec.lease?.attemptId ?? run.deps.ids.uuid(),
    clientRequestId: answer.clientRequestId,
    outcome: c.outcome,
    durationMs: answer.durationMs,
    startedAt: iso(startedAt),
  };
  if (c.outcome !== 'sent') a.code = c.code;
  if (answer.kind === 'response') {
    a.status = answer.status;
    if (answer.requestId !== undefined) a.requestId = answer.requestId;
    if (answer.date !== undefined) a.date = answer.date;
    if (answer.diagnostic !== undefined) a.diagnostic = answer.diagnostic;
    if (answer.code !== undefined) a.graphCode = answer.code;
    if (answer.retryAfter !== undefined) a.retryAfter = answer.retryAfter;
  } else {
    a.graphCode = answer.errorCode;
  }
  return a;
}

function graphReason(code: FailureCode, answer: GraphAnswer, run?: Run): FailureReason {
  const reason: FailureReason =
    answer.kind === 'network'
      ? { code, graphCode: answer.errorCode, detail: `network failure ${answer.phase} (${answer.errorCode})` }
      : {
          code,
          status: answer.status,
          detail: `Graph answered ${answer.status}${answer.code ? ` ${answer.code}` : ''}`,
        };
  if (answer.kind === 'response' && answer.code !== undefined) reason.graphCode = answer.code;
  const attemptIds = run?.attemptsThisRun.map((a) => a.attemptId) ?? [];
  if (attemptIds.length > 0) reason.attemptIds = attemptIds;
  return reason;
}

/**
 * When a 429's pause ends. Graph's `Date` (like storage's) is whole seconds, truncated: the 429 came up
 * to a second later. A pause that ends a second late costs a second; one that ends early draws another 429.
 */
function pauseEnd(
  run: Run,
  answer: GraphAnswer,
  c: Extract<Classification, { outcome: 'throttled' }>,
): number {
  const date = answer.kind === 'response' && answer.date ? Date.parse(answer.date) : run.serverTime;
  return date + 1_000 + c.retryAfterMs;
}

/**
 * Shares a 429's pause with every instance. Best effort: if storage is down the message is still
 * recorded and deferred (the key must not stay marked `sending`); other messages may meet the 429 too.
 * True when this call began the pause (one `Graph.Throttled` per pause).
 */
async function writePause(
  run: Run,
  answer: GraphAnswer,
  c: Extract<Classification, { outcome: 'throttled' }>,
): Promise<boolean> {
  const { deps } = run;
  try {
    const { started } = await ledgerCall(deps, () =>
      deps.gate.pause({
        sender: run.m.sender.toLowerCase(),
        scope: c.scope,
        untilMs: pauseEnd(run, answer, c),
        cause: answer.kind === 'response' ? (answer.throttleReason ?? 'Throttled') : 'Throttled',
      }),
    );
    return started;
  } catch (e) {
    deps.log.warn('could not record the pause; other messages may meet the 429 too', {
      key: run.key,
      error: e instanceof Error ? e.name : 'unknown',
    });
    return false;
  }
}

/** What an answer means for the gate's breakers. */
function gateOutcome(c: Classification): GateOutcome {
  if (c.outcome === 'sent') return 'sent';
  if (c.outcome === 'auth') return 'auth-failed';
  if (c.outcome === 'permanent' && c.code === FailureCode.PolicyDenied) return 'policy-denied';
  return 'other';
}
